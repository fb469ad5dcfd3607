"""Polling the feeds configured on sources: the worker's schedule.

`feeds.poll_due` runs every minute and enqueues a `feeds.poll` job for every feed not polled in
the last BROADSHEET_FEED_POLL_MINUTES (one live job per feed); `feeds.poll` runs one feed
(api/ingest/runs.py). A feed that cannot be read is recorded as failed on the feed and tried
again at its next turn.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.ingest.runs import IngestFailed, poll
from api.jobs.kinds import JobContext, JobKind, RetryPolicy
from api.models_partners import SourceFeed
from api.outbox import enqueue
from api.services.outcome import Outcome
from api.transactions import transaction

logger = logging.getLogger(__name__)

POLL_DUE = "feeds.poll_due"
POLL = "feeds.poll"


async def schedule_due_polls(session: AsyncSession, interval: timedelta) -> Outcome[int]:
    """A poll job for every feed whose turn has come; how many were scheduled."""
    due = (
        await session.scalars(
            select(SourceFeed.id)
            .where(
                or_(
                    SourceFeed.last_polled_at.is_(None),
                    SourceFeed.last_polled_at <= func.now() - interval,
                )
            )
            .order_by(SourceFeed.id)
        )
    ).all()
    scheduled = 0
    for feed_id in due:
        job = await enqueue(session, POLL, {"feed_id": feed_id}, dedupe_key=f"feed-poll:{feed_id}")
        scheduled += job is not None
    return Outcome(scheduled)


async def poll_due(job: JobContext) -> None:
    """The `feeds.poll_due` handler."""
    interval = timedelta(minutes=job.settings.broadsheet_feed_poll_minutes)
    async with job.session() as session:
        await transaction(session, schedule_due_polls, interval)


async def poll_feed(job: JobContext) -> None:
    """The `feeds.poll` handler."""
    feed_id = int(job.payload["feed_id"])
    try:
        summary = await poll(job.resources.database.sessions, job.settings, feed_id)
    except IngestFailed as failure:
        logger.warning("feed %s could not be ingested: %s", feed_id, failure)
        return
    if summary is not None:
        logger.info("feed %s: %s", feed_id, summary.describe())


JOBS = [
    JobKind(POLL_DUE, poll_due, RetryPolicy(max_attempts=3), every=timedelta(minutes=1)),
    JobKind(POLL, poll_feed, RetryPolicy(max_attempts=3, base_delay=30.0)),
]
