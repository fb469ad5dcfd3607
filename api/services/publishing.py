"""Publishing: publish now or at a time (scheduling), back to draft, and deleting a story.

Each change readers can see is announced in the same transaction (api/events.py): a story
that becomes visible now is `article.published`; one scheduled for later is announced by the
worker when its time comes (api/scheduling.py); a visible story taken back or rescheduled is
`article.unpublished`, and a visible story deleted is `article.deleted`.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from api.events import EventType, emit
from api.models import Article, ArticleStatus
from api.scheduling import schedule_publication
from api.services import audit
from api.services.article_fields import article_snapshot
from api.services.articles import article_written, locked_article
from api.services.catalogue import ApiKeyId
from api.services.outcome import Outcome
from api.services.validation import Problems
from api.visibility import article_is_public


async def publish_article(
    session: AsyncSession, api_key_id: ApiKeyId, article_id: int | None, at: datetime | None
) -> Outcome[Article]:
    """Publish now, or at `at` (in the future: scheduled; readers see it from then on)."""
    article = await locked_article(session, article_id)
    if article is None:
        return Outcome.not_found(("id",), "article")
    p = Problems()
    when = p.aware(("at",), at) if at is not None else None
    if p:
        return Outcome.failed(p)
    now = datetime.now(UTC)
    was_public = article_is_public(article, now)
    if when is None and was_public:
        return Outcome(article)  # already public: publishing again keeps its date
    before = await article_snapshot(session, article)
    article.status = ArticleStatus.PUBLISHED
    article.published_at = when or now
    action = "article.schedule" if article.published_at > now else "article.publish"
    outcome = await article_written(session, api_key_id, action, article, before)
    if article_is_public(article, now):
        if not was_public:
            await emit(session, EventType.ARTICLE_PUBLISHED, article)
    else:
        if was_public:
            await emit(session, EventType.ARTICLE_UNPUBLISHED, article)
        await schedule_publication(session, article)
    return outcome


async def unpublish_article(
    session: AsyncSession, api_key_id: ApiKeyId, article_id: int | None
) -> Outcome[Article]:
    """Back to draft (a scheduled publication is cancelled too)."""
    article = await locked_article(session, article_id)
    if article is None:
        return Outcome.not_found(("id",), "article")
    if article.status is ArticleStatus.DRAFT:
        return Outcome(article)
    was_public = article_is_public(article, datetime.now(UTC))
    before = await article_snapshot(session, article)
    article.status = ArticleStatus.DRAFT
    article.published_at = None
    outcome = await article_written(session, api_key_id, "article.unpublish", article, before)
    if was_public:
        await emit(session, EventType.ARTICLE_UNPUBLISHED, article)
    return outcome


async def delete_article(
    session: AsyncSession, api_key_id: ApiKeyId, article_id: int | None
) -> Outcome[int]:
    """Delete an article (its byline, tags, countries and newsletter slots go with it)."""
    article = await locked_article(session, article_id)
    if article is None:
        return Outcome.not_found(("id",), "article")
    before = await article_snapshot(session, article)
    await audit.record(
        session,
        api_key_id=api_key_id,
        action="article.delete",
        entity=article,
        before=before,
        after=None,
    )
    if article_is_public(article, datetime.now(UTC)):
        await emit(session, EventType.ARTICLE_DELETED, article)
    # The database cascades to byline, tags, countries and newsletter slots.
    await session.execute(delete(Article).where(Article.id == article.id))
    return Outcome(article.id)
