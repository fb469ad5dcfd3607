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

from api import live, related_lists
from api.events import EventType, emit
from api.models import Article, ArticleStatus
from api.scheduling import schedule_publication
from api.services import audit
from api.services.article_fields import article_snapshot
from api.services.articles import article_written, locked_article
from api.services.catalogue import ApiKeyId
from api.services.listing import Touched, relist
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
    touched = Touched()
    await touched.add_article(session, article.id, article.section_id)
    await related_lists.before_change(session, article.id)
    article.status = ArticleStatus.PUBLISHED
    article.published_at = when or now
    action = "article.schedule" if article.published_at > now else "article.publish"
    outcome = await article_written(session, api_key_id, action, article, before, touched)
    await related_lists.after_change(session, article.id)
    is_public = article_is_public(article, now)
    if is_public and not was_public:
        await emit(session, EventType.ARTICLE_PUBLISHED, article)
    if not is_public:
        if was_public:
            await emit(session, EventType.ARTICLE_UNPUBLISHED, article)
        await schedule_publication(session, article)
    if not (is_public and was_public):
        # Subscribers hear of it on commit, or (scheduled) when its time comes: api/fanout.py
        # holds the notice until then, with or without a worker running.
        await live.notify(
            session, live.EventKind.ARTICLE_PUBLISHED, article.id, article.published_at
        )
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
    touched = Touched()
    await touched.add_article(session, article.id, article.section_id)
    await related_lists.before_change(session, article.id)
    article.status = ArticleStatus.DRAFT
    article.published_at = None
    outcome = await article_written(
        session, api_key_id, "article.unpublish", article, before, touched
    )
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
    touched = Touched()
    await touched.add_article(session, article.id, article.section_id)
    if article_is_public(article, datetime.now(UTC)):
        await emit(session, EventType.ARTICLE_DELETED, article)
    await related_lists.before_change(session, article.id)
    # The database cascades to byline, tags, countries and newsletter slots.
    await session.execute(delete(Article).where(Article.id == article.id))
    await relist(session, touched)
    return Outcome(article.id)
