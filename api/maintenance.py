"""Housekeeping: forget what is no longer needed (a periodic job, hourly).

Finished jobs are kept BROADSHEET_JOB_RETENTION_HOURS for inspection; the change log and
events (with their webhook deliveries and attempts) BROADSHEET_SYNC_RETENTION_DAYS, which is
therefore also how long a sync token stays usable (api/sync) and how far back deliveries can
be replayed.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, func
from sqlalchemy.ext.asyncio import AsyncSession

from api.jobs.claims import prune_finished
from api.jobs.kinds import JobContext, JobKind, RetryPolicy
from api.models_outbox import ChangeRecord, Event
from api.services.outcome import Outcome
from api.transactions import transaction

PRUNE = "maintenance.prune"


async def prune_history(session: AsyncSession, older_than: timedelta) -> Outcome[int]:
    """Drop change-log rows and events older than `older_than`; how many rows went."""
    cutoff = func.now() - older_than
    changes = await session.execute(
        delete(ChangeRecord).where(ChangeRecord.changed_at < cutoff).returning(ChangeRecord.id)
    )
    events = await session.execute(
        delete(Event).where(Event.occurred_at < cutoff).returning(Event.id)
    )
    return Outcome(len(changes.all()) + len(events.all()))


async def prune(job: JobContext) -> None:
    """The `maintenance.prune` handler."""
    settings = job.settings
    async with job.session() as session:
        await transaction(
            session, prune_finished, timedelta(hours=settings.broadsheet_job_retention_hours)
        )
    async with job.session() as session:
        await transaction(
            session, prune_history, timedelta(days=settings.broadsheet_sync_retention_days)
        )


JOBS = [JobKind(PRUNE, prune, RetryPolicy(max_attempts=3), every=timedelta(hours=1))]
