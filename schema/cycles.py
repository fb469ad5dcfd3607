"""Requests freed by reference counting, not by the cyclic garbage collector.

A request's objects (its context, loaders, session, every row and record it read) are
garbage when it ends. If anything among them refers back to an object that refers to it, a
cycle, all of it waits for the cyclic collector: under load its collections then walked and
freed whole requests, some 0.3 ms of CPU per request (bench/RESULTS.md, fifth part). So an
object that hands out one of its own bound methods to something it keeps hands out `weakly`
bound ones. `tests/test_cycles.py` checks that a page leaves no cyclic garbage.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


def weakly(method: Callable[P, R]) -> Callable[P, R]:
    """The bound `method`, holding its object through a weak reference (call it only while the
    object is alive: the one who keeps it is that object itself)."""
    bound = weakref.WeakMethod(method)

    def call(*args: P.args, **kwargs: P.kwargs) -> R:
        found = bound()
        assert found is not None, "called after its object was freed"
        return found(*args, **kwargs)

    return call
