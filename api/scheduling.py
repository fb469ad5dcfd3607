"""Scheduled publication: publishing with a future `at` enqueues an `articles.publish_due` job
due at that time, in the same transaction, so the story is announced when its time comes, not
when it was saved (the worker's side is api/announcer.py). Readers see the story from its time
on without any job (api/visibility.py)."""

from __future__ import annotations

from datetime import UTC

from sqlalchemy.ext.asyncio import AsyncSession

from api.models import Article
from api.outbox import enqueue

PUBLISH_DUE = "articles.publish_due"


async def schedule_publication(session: AsyncSession, article: Article) -> None:
    """Announce `article` when its `published_at` comes (in `session`'s transaction)."""
    assert article.published_at is not None
    when = article.published_at.astimezone(UTC)
    await enqueue(
        session,
        PUBLISH_DUE,
        {"article_id": article.id, "published_at": when.isoformat()},
        run_at=when,
        dedupe_key=f"article-publish:{article.id}:{when.isoformat()}",
    )
