"""The worker's bookkeeping on the `jobs` table: claim due jobs, finish, retry or bury them.

Each function is a write for api/transactions.py (it flushes; `transaction` commits). Claims use
`FOR UPDATE SKIP LOCKED`, so any number of workers share the outbox and no job is handed to two
of them at once; a claim is a lease (`locked_until`): a worker that dies leaves its jobs to be
rescued when the lease runs out. Every update of a claimed job names the worker holding it, so a
worker that lost its lease cannot overwrite the next holder's result.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from api.jobs.kinds import JobKind
from api.models_outbox import Job
from api.outbox import enqueue
from api.services.outcome import Outcome

MAX_ERROR_LENGTH = 2000


@dataclass(frozen=True)
class ClaimedJob:
    id: int
    kind: str
    payload: dict[str, Any]
    attempt: int


def periodic_key(kind: JobKind) -> str:
    return f"periodic:{kind.name}"


async def claim(
    session: AsyncSession, worker: str, limit: int, lease_seconds: int
) -> Outcome[list[ClaimedJob]]:
    """Take up to `limit` due jobs, oldest first, leased to `worker` for `lease_seconds`."""
    due = (
        select(Job.id)
        .where(Job.state == "pending", Job.run_at <= func.now())
        .order_by(Job.run_at, Job.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .cte("due")
    )
    statement = (
        update(Job)
        .where(Job.id == due.c.id)
        .values(
            state="running",
            attempts=Job.attempts + 1,
            locked_by=worker,
            locked_until=func.now() + timedelta(seconds=lease_seconds),
        )
        .returning(Job.id, Job.kind, Job.payload, Job.attempts)
        .execution_options(synchronize_session=False)
    )
    rows = (await session.execute(statement)).all()
    claimed = [ClaimedJob(row.id, row.kind, row.payload, row.attempts) for row in rows]
    return Outcome(sorted(claimed, key=lambda job: job.id))


def _held(job_id: int, worker: str) -> Any:
    return (Job.id == job_id) & (Job.locked_by == worker) & (Job.state == "running")


async def finish(
    session: AsyncSession, worker: str, job_id: int, periodic: JobKind | None = None
) -> Outcome[bool]:
    """Mark the job done; a periodic kind's next run is scheduled in the same transaction."""
    result = await session.execute(
        update(Job)
        .where(_held(job_id, worker))
        .values(state="done", finished_at=func.now(), locked_by=None, locked_until=None)
        .returning(Job.id)
        .execution_options(synchronize_session=False)
    )
    held = result.scalar_one_or_none() is not None
    if held and periodic is not None and periodic.every is not None:
        await enqueue(
            session,
            periodic.name,
            run_at=datetime.now(UTC) + periodic.every,
            dedupe_key=periodic_key(periodic),
        )
    return Outcome(held)


async def retry(
    session: AsyncSession, worker: str, job_id: int, delay: float, error: str
) -> Outcome[bool]:
    """Put the job back, due again in `delay` seconds."""
    result = await session.execute(
        update(Job)
        .where(_held(job_id, worker))
        .values(
            state="pending",
            run_at=func.now() + timedelta(seconds=delay),
            locked_by=None,
            locked_until=None,
            last_error=error[:MAX_ERROR_LENGTH],
        )
        .returning(Job.id)
        .execution_options(synchronize_session=False)
    )
    return Outcome(result.scalar_one_or_none() is not None)


async def bury(session: AsyncSession, worker: str, job_id: int, error: str) -> Outcome[bool]:
    """Give up on the job: it stays, dead, for inspection."""
    result = await session.execute(
        update(Job)
        .where(_held(job_id, worker))
        .values(
            state="dead",
            finished_at=func.now(),
            locked_by=None,
            locked_until=None,
            last_error=error[:MAX_ERROR_LENGTH],
        )
        .returning(Job.id)
        .execution_options(synchronize_session=False)
    )
    return Outcome(result.scalar_one_or_none() is not None)


async def rescue_expired(session: AsyncSession) -> Outcome[int]:
    """Jobs whose worker's lease ran out (it died, or hung) are due again now."""
    result = await session.execute(
        update(Job)
        .where(Job.state == "running", Job.locked_until < func.now())
        .values(
            state="pending",
            run_at=func.now(),
            locked_by=None,
            locked_until=None,
            last_error="lease expired: the worker stopped or overran",
        )
        .returning(Job.id)
        .execution_options(synchronize_session=False)
    )
    return Outcome(len(result.all()))


async def schedule_periodic(session: AsyncSession, kinds: list[JobKind]) -> Outcome[int]:
    """Make sure each periodic kind has a live job (the first run, or after a dead one)."""
    added = 0
    for kind in kinds:
        if await enqueue(session, kind.name, dedupe_key=periodic_key(kind)) is not None:
            added += 1
    return Outcome(added)


async def prune_finished(session: AsyncSession, older_than: timedelta) -> Outcome[int]:
    """Forget finished (done or dead) jobs older than `older_than`."""
    result = await session.execute(
        delete(Job)
        .where(Job.finished_at < func.now() - older_than)
        .returning(Job.id)
        .execution_options(synchronize_session=False)
    )
    return Outcome(len(result.all()))
