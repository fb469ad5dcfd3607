"""Garbage collection for a long-running server process.

CPython's cyclic collector runs a full (oldest-generation) collection after enough younger
ones, and a full collection walks every tracked object: in a server that is mostly the heap
built at start-up (modules, the schema, SQLAlchemy mappers, cached plans), which never becomes
garbage. Under load that showed as pauses of 60-140 ms in the p99. So once start-up is done:

- `gc.freeze()` moves everything alive into a permanent generation no collection walks;
- the youngest generation's threshold is raised (BROADSHEET_GC_GEN0_THRESHOLD, 10000 against
  Python's 700). A request's objects are freed by reference counting as it ends
  (schema/cycles.py), so a young collection meets only what requests in flight hold: 2-4 ms
  at 10000, a few times a second under load instead of hundreds. (While every request was
  cyclic garbage, young collections grew with it: 60-90 ms at 20000; bench/RESULTS.md.)
"""

from __future__ import annotations

import gc
import logging

logger = logging.getLogger(__name__)


def settle_heap(freeze: bool, gen0_threshold: int) -> None:
    """Apply the policy above: collect once, freeze what survived, raise the threshold
    (0 keeps Python's). Called when the app has started, before it takes traffic."""
    if gen0_threshold > 0:
        _, gen1, gen2 = gc.get_threshold()
        gc.set_threshold(gen0_threshold, gen1, gen2)
    if freeze:
        gc.collect()
        gc.freeze()
        logger.debug("froze %d start-up objects out of garbage collection", gc.get_freeze_count())
