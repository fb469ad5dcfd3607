"""When a scheduled story's time comes: the `articles.publish_due` job (api/scheduling.py).

It emits `article.published` (webhooks), records the change for sync tokens, and purges cached
responses and feeds holding article lists. Purging reaches the shared response cache (Redis,
when REDIS_URL is set) and, when the worker runs inside `serve`, that process's own cache. An
API process's in-process cache cannot be purged from another process: there, and in CDNs, the
lists holding the story refresh when their TTL (BROADSHEET_RESPONSE_CACHE_TTL, s-maxage) runs
out.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.caching import entity_tag, list_tag
from api.events import EventType, emit
from api.jobs.kinds import JobContext, JobKind, RetryLater, RetryPolicy
from api.models import Article
from api.scheduling import PUBLISH_DUE
from api.services.outcome import Outcome
from api.sync.changes import record_change
from api.transactions import transaction
from api.visibility import article_is_public


async def _announce(session: AsyncSession, article_id: int, due: datetime) -> Outcome[str]:
    article = await session.scalar(
        select(Article)
        .where(Article.id == article_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    now = datetime.now(UTC)
    if article is None or article.published_at != due or not article_is_public(article, due):
        return Outcome("cancelled")  # deleted, unpublished or rescheduled since
    if due > now:
        return Outcome("early")
    await emit(session, EventType.ARTICLE_PUBLISHED, article)
    await record_change(session, "article", article.id, public=True)
    return Outcome("announced")


async def announce_due_publication(job: JobContext) -> None:
    """The `articles.publish_due` handler."""
    article_id = int(job.payload["article_id"])
    due = datetime.fromisoformat(job.payload["published_at"])
    async with job.session() as session:
        outcome = await transaction(session, _announce, article_id, due)
    if outcome.value == "early":  # a worker clock ahead of the database's: wait the rest
        raise RetryLater("not due yet", delay=max(1.0, (due - datetime.now(UTC)).total_seconds()))
    if outcome.value == "announced":
        await job.resources.response_cache.purge(
            [entity_tag("Article", article_id), list_tag("Article")]
        )


JOBS = [
    JobKind(
        PUBLISH_DUE,
        announce_due_publication,
        RetryPolicy(max_attempts=20, base_delay=2.0, max_delay=600.0),
    )
]
