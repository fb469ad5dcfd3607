"""The worker: drains the job outbox until told to stop, and survives database outages.

One `Worker` runs up to BROADSHEET_WORKER_CONCURRENCY jobs at once, each in a task of its own
with its own sessions, so a slow job (a webhook receiver that hangs) never holds up the others;
every run is bounded by the kind's timeout or the lease. It wakes on NOTIFY (api/jobs/outbox.py)
from a dedicated listening connection, and also every BROADSHEET_WORKER_POLL_SECONDS (scheduled
jobs, retries, and a listener lost to an outage). Housekeeping on each wake-up: jobs whose lease
ran out are rescued, and every periodic kind is kept scheduled.

When PostgreSQL goes away the worker logs, backs off (up to 30 s) and tries again; running jobs
finish or fail on their own, and their results are recorded once the database is back (or their
lease runs out and another worker re-runs them: delivery is at least once).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
import time
from collections.abc import Awaitable, Callable
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from api.database import open_session
from api.jobs import claims
from api.jobs.claims import ClaimedJob
from api.jobs.kinds import GiveUp, JobContext, JobKind, Registry, RetryLater, WorkerResources
from api.outbox import JOBS_CHANNEL
from api.services.outcome import Outcome
from api.transactions import transaction
from api.visibility import EVERYTHING

logger = logging.getLogger("broadsheet.worker")

P = ParamSpec("P")
T = TypeVar("T")

MAX_OUTAGE_BACKOFF = 30.0
STOP_GRACE_SECONDS = 30.0
UNKNOWN_KIND_DELAY = 300.0  # an older worker during a deploy: leave the job to a newer one
LEASE_MARGIN = 5.0  # a run ends this long before its lease, so no one else re-runs it meanwhile


def worker_name() -> str:
    """host:pid:random, so `locked_by` tells which process holds a job."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


class Worker:
    """Claims due jobs and runs their kinds' handlers."""

    def __init__(
        self, resources: WorkerResources, registry: Registry, name: str | None = None
    ) -> None:
        settings = resources.settings
        self.resources = resources
        self.registry = registry
        self.name = name or worker_name()
        self.concurrency = settings.broadsheet_worker_concurrency
        self.poll_seconds = settings.broadsheet_worker_poll_seconds
        self.lease_seconds = settings.broadsheet_job_lease_seconds
        self._wakeup = asyncio.Event()
        self._running: set[asyncio.Task[None]] = set()
        self._listener: AsyncConnection | None = None
        self._listening_on: Any = None  # the asyncpg connection LISTENing
        self._stopping = False

    # --- the loop -------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        """Work until `stop` is set, then let running jobs finish (for a while)."""
        logger.info("worker %s started (%d at once)", self.name, self.concurrency)
        outages = 0
        try:
            while not stop.is_set():
                try:
                    await self._listen()
                    await self._housekeeping()
                    claimed = await self._claim(self.concurrency - len(self._running))
                    outages = 0
                except Exception as error:
                    outages += 1
                    delay = min(MAX_OUTAGE_BACKOFF, 0.5 * 2**outages)
                    logger.warning(
                        "worker: database unavailable (%s); next try in %.1fs", error, delay
                    )
                    await self._drop_listener()
                    await _wait_for(stop, delay)
                    continue
                for job in claimed:
                    self._start(job)
                if claimed and len(self._running) < self.concurrency:
                    continue  # more may be due right now
                await self._idle(stop)
        finally:
            self._stopping = True
            await self._drain()
            await self._drop_listener()
            logger.info("worker %s stopped", self.name)

    async def run_until_idle(self, max_jobs: int = 10_000) -> int:
        """Run due jobs one at a time until none is due (tests, `broadsheet worker --once`)."""
        done = 0
        await self._housekeeping()
        while done < max_jobs:
            claimed = await self._claim(1)
            if not claimed:
                break
            await self._execute(claimed[0])
            done += 1
        return done

    async def _idle(self, stop: asyncio.Event) -> None:
        """Wait for a notification, a free slot, the poll interval or the stop signal."""
        self._wakeup.clear()
        waiters = [asyncio.ensure_future(self._wakeup.wait()), asyncio.ensure_future(stop.wait())]
        try:
            await asyncio.wait(
                [*waiters, *self._running],
                timeout=self.poll_seconds,
                return_when=asyncio.FIRST_COMPLETED,
            )
        finally:
            for waiter in waiters:
                waiter.cancel()

    async def _drain(self) -> None:
        if not self._running:
            return
        logger.info("worker %s: waiting for %d running jobs", self.name, len(self._running))
        _, pending = await asyncio.wait(self._running, timeout=STOP_GRACE_SECONDS)
        for task in pending:  # their leases run out and another worker re-runs them
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

    # --- database steps -------------------------------------------------------------------

    async def _write(
        self,
        write: Callable[Concatenate[AsyncSession, P], Awaitable[Outcome[T]]],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        async with open_session(self.resources.database.sessions, EVERYTHING) as session:
            outcome = await transaction(session, write, *args, **kwargs)
        assert outcome.value is not None, outcome.errors
        return outcome.value

    async def _housekeeping(self) -> None:
        rescued = await self._write(claims.rescue_expired)
        if rescued:
            logger.warning("worker: %d jobs had lost their worker and are due again", rescued)
        if self.registry.periodic:
            await self._write(claims.schedule_periodic, self.registry.periodic)

    async def _claim(self, free: int) -> list[ClaimedJob]:
        if free <= 0:
            return []
        return await self._write(claims.claim, self.name, free, self.lease_seconds)

    async def _record(
        self,
        write: Callable[Concatenate[AsyncSession, P], Awaitable[Outcome[T]]],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> None:
        """Record a job's result, retrying through an outage until the lease would be over."""
        deadline = time.monotonic() + self.lease_seconds
        delay = 0.5
        while True:
            try:
                await self._write(write, *args, **kwargs)
                return
            except Exception as error:
                if time.monotonic() + delay > deadline:
                    logger.error("worker: job result not recorded (%s); its lease expires", error)
                    return
                logger.warning("worker: recording a job result failed (%s); retrying", error)
                await asyncio.sleep(delay)
                delay = min(MAX_OUTAGE_BACKOFF, delay * 2)

    # --- running one job ------------------------------------------------------------------

    def _start(self, job: ClaimedJob) -> None:
        task = asyncio.create_task(self._execute(job), name=f"job-{job.id}-{job.kind}")
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    async def _execute(self, job: ClaimedJob) -> None:
        kind = self.registry.get(job.kind)
        if kind is None:
            await self._record(
                claims.retry, self.name, job.id, UNKNOWN_KIND_DELAY, f"no handler for {job.kind!r}"
            )
            return
        if job.attempt > kind.retry.max_attempts:
            await self._record(claims.bury, self.name, job.id, "out of attempts")
            return
        context = JobContext(job.id, job.kind, job.payload, job.attempt, self.resources)
        timeout = min(kind.timeout or self.lease_seconds, self.lease_seconds - LEASE_MARGIN)
        started = time.perf_counter()
        try:
            async with asyncio.timeout(timeout):
                await kind.handler(context)
        except GiveUp as error:
            logger.warning("job %s %s gave up: %s", job.id, job.kind, error)
            await self._record(claims.bury, self.name, job.id, f"gave up: {error}")
        except RetryLater as error:
            delay = error.delay if error.delay is not None else kind.retry.delay(job.attempt)
            await self._failed(kind, job, f"retry later: {error}", delay)
        except asyncio.CancelledError:
            if self._stopping:
                raise  # the lease runs out and the job is re-run
            await self._failed(kind, job, "cancelled", kind.retry.delay(job.attempt))
        except Exception as error:
            detail = f"{type(error).__name__}: {error}"
            if isinstance(error, TimeoutError):
                detail = f"timed out after {timeout:.0f}s"
            logger.warning("job %s %s attempt %d failed: %s", job.id, job.kind, job.attempt, detail)
            await self._failed(kind, job, detail, kind.retry.delay(job.attempt))
        else:
            logger.info(
                "job %s %s done in %.0f ms", job.id, job.kind, (time.perf_counter() - started) * 1e3
            )
            await self._record(claims.finish, self.name, job.id, kind if kind.every else None)

    async def _failed(self, kind: JobKind, job: ClaimedJob, error: str, delay: float) -> None:
        if job.attempt >= kind.retry.max_attempts:
            logger.error(
                "job %s %s is dead (attempt %d): %s", job.id, kind.name, job.attempt, error
            )
            await self._record(claims.bury, self.name, job.id, error)
        else:
            await self._record(claims.retry, self.name, job.id, delay, error)

    # --- notifications --------------------------------------------------------------------

    async def _listen(self) -> None:
        """Hold a connection that LISTENs for new jobs (re-made after an outage)."""
        if self._listening_on is not None and not self._listening_on.is_closed():
            return
        await self._drop_listener()
        connection = await self.resources.database.engine.connect()
        try:
            raw = await connection.get_raw_connection()
            driver = raw.driver_connection
            assert driver is not None
            await driver.add_listener(JOBS_CHANNEL, self._notified)
        except BaseException:
            await connection.invalidate()
            await connection.close()
            raise
        self._listener, self._listening_on = connection, driver
        self._wakeup.set()  # jobs may have been enqueued while nobody listened

    def _notified(self, *_: object) -> None:
        self._wakeup.set()

    async def _drop_listener(self) -> None:
        connection, self._listener, self._listening_on = self._listener, None, None
        if connection is None:
            return
        # Invalidated, never returned to the pool with a listener attached.
        with contextlib.suppress(Exception):
            await connection.invalidate()
        with contextlib.suppress(Exception):
            await connection.close()


async def _wait_for(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
