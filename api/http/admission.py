"""Admission: a bounded queue in front of the database pool, so a burst waits its turn briefly
instead of every request timing out inside the pool at once.

At most `capacity` requests to `/graphql` run at a time (by default the pool's connections:
DB_POOL_SIZE + DB_MAX_OVERFLOW), each holding at most one connection; the rest wait in arrival
order for up to BROADSHEET_ADMISSION_TIMEOUT seconds. A request that would wait longer, or
arrives while BROADSHEET_ADMISSION_QUEUE requests are already waiting, is answered at once with
503 `SERVICE_UNAVAILABLE` and `Retry-After`. Queue length, waits and refusals are metrics.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from starlette.types import ASGIApp, Receive, Scope, Send

from api.errors import ErrorCode, RequestError
from api.http.protocol import JSON
from api.http.responses import error_response
from api.settings import Settings

logger = logging.getLogger(__name__)

WAIT_BUCKETS = (0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
RETRY_AFTER_SECONDS = 1  # a burst passes quickly; come back soon


@dataclass(frozen=True)
class AdmissionPolicy:
    capacity: int
    max_waiting: int
    timeout: float

    @classmethod
    def from_settings(cls, settings: Settings) -> AdmissionPolicy:
        return cls(
            capacity=settings.broadsheet_admission_capacity
            or settings.db_pool_size + settings.db_max_overflow,
            max_waiting=settings.broadsheet_admission_queue,
            timeout=settings.broadsheet_admission_timeout,
        )


class Admission:
    """ASGI middleware around `/graphql`: wait for a free slot, or be told when to retry."""

    def __init__(self, app: ASGIApp, policy: AdmissionPolicy, registry: CollectorRegistry) -> None:
        self.app = app
        self.policy = policy
        self._slots = asyncio.Semaphore(policy.capacity)
        self._waiting = 0
        self.queue = Gauge(
            "broadsheet_admission_waiting", "Requests waiting for a slot.", registry=registry
        )
        self.wait = Histogram(
            "broadsheet_admission_wait_seconds",
            "Time requests waited for a slot.",
            buckets=WAIT_BUCKETS,
            registry=registry,
        )
        self.refused = Counter(
            "broadsheet_admission_refused",
            "Requests refused with 503 because the queue was full or the wait too long.",
            registry=registry,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if not await self._admit():
            self.refused.inc()
            busy = RequestError(
                503,
                "The service is busy; retry shortly.",
                code=ErrorCode.SERVICE_UNAVAILABLE,
                retryAfter=RETRY_AFTER_SECONDS,
            )
            await error_response(503, [busy.formatted()], JSON)(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            self._slots.release()

    async def _admit(self) -> bool:
        if not self._slots.locked():
            await self._slots.acquire()  # a free slot: taken at once, no waiting
            return True
        if self._waiting >= self.policy.max_waiting:
            return False
        self._waiting += 1
        self.queue.set(self._waiting)
        started = time.perf_counter()
        try:
            await asyncio.wait_for(self._slots.acquire(), self.policy.timeout)
        except TimeoutError:
            logger.warning("admission: no slot within %.1f s", self.policy.timeout)
            return False
        finally:
            self._waiting -= 1
            self.queue.set(self._waiting)
            self.wait.observe(time.perf_counter() - started)
        return True
