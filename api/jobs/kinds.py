"""Job kinds: a name, the coroutine that does the work, and how failures are retried.

A handler receives a `JobContext` (the payload, which attempt this is, and the worker's
resources) and either returns (done), raises `RetryLater` (try again after a delay), raises
`GiveUp` (never try again), or raises anything else (retried by the kind's `RetryPolicy`, with
exponential backoff and jitter, until `max_attempts`; then the job is dead). Handlers must be
idempotent: delivery is at least once (a worker that dies mid-job leaves it to be re-run when
its lease expires).

A periodic kind (`every=`) always has one job scheduled: the worker re-enqueues it, in the
transaction that finishes the previous run, `every` later.
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from api.caching import ResponseCache
from api.database import Database, open_session
from api.settings import Settings
from api.visibility import EVERYTHING


@dataclass(frozen=True)
class WorkerResources:
    """What handlers share in one worker process."""

    database: Database
    settings: Settings
    response_cache: ResponseCache


@dataclass(frozen=True)
class JobContext:
    """One run of one job."""

    job_id: int
    kind: str
    payload: dict[str, Any]
    attempt: int  # 1 for the first run
    resources: WorkerResources

    def session(self) -> AsyncSession:
        """A session on the primary that sees every row (background work is not a reader)."""
        return open_session(self.resources.database.sessions, EVERYTHING)

    @property
    def settings(self) -> Settings:
        return self.resources.settings


Handler = Callable[[JobContext], Awaitable[None]]


class RetryLater(Exception):
    """Run this job again after `delay` seconds (counts as an attempt)."""

    def __init__(self, reason: str, delay: float | None = None) -> None:
        super().__init__(reason)
        self.delay = delay


class GiveUp(Exception):
    """This job can never succeed: mark it dead now, without further attempts."""


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with equal jitter: attempt n waits between d/2 and d, where
    d = min(max_delay, base_delay * 2**(n-1))."""

    max_attempts: int = 10
    base_delay: float = 5.0
    max_delay: float = 3600.0

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        """Seconds to wait after failed attempt number `attempt` (1-based)."""
        ceiling = min(self.max_delay, self.base_delay * 2 ** max(0, attempt - 1))
        jitter = (rng or _jitter).uniform(0.0, ceiling / 2)
        return float(ceiling / 2 + jitter)

    def schedule(self) -> list[float]:
        """The ceilings of every retry delay (for documentation and tests)."""
        return [
            min(self.max_delay, self.base_delay * 2 ** (n - 1)) for n in range(1, self.max_attempts)
        ]


_jitter = random.SystemRandom()


@dataclass(frozen=True)
class JobKind:
    """A kind of background job the worker can run."""

    name: str
    handler: Handler
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    every: timedelta | None = None  # periodic: always one scheduled, `every` apart
    timeout: float | None = None  # seconds one run may take (default: the worker's lease)


class Registry:
    """The job kinds one worker runs, by name."""

    def __init__(self, kinds: Iterable[JobKind]) -> None:
        self._kinds: dict[str, JobKind] = {}
        for kind in kinds:
            if kind.name in self._kinds:
                raise ValueError(f"job kind {kind.name!r} is registered twice")
            self._kinds[kind.name] = kind

    def get(self, name: str) -> JobKind | None:
        return self._kinds.get(name)

    @property
    def names(self) -> list[str]:
        return sorted(self._kinds)

    @property
    def periodic(self) -> list[JobKind]:
        return [kind for kind in self._kinds.values() if kind.every is not None]
