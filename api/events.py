"""Domain events: what partners (and live subscribers) hear about, written with the change.

The write services call `emit` inside their transaction, so an event exists exactly when the
change it describes was committed. Each event is a row in `events` (kept for replay and
inspection), a job for every consumer in `CONSUMERS` (today: webhook fan-out; each consumer
retries on its own), and a NOTIFY on `EVENTS_CHANNEL` carrying `{"id", "type"}`, delivered by
PostgreSQL at commit, for processes that want to react live (GraphQL subscriptions).

Events describe what readers can see, never drafts:

- `article.published`: a story became visible (published now, backdated, or its scheduled
  time came: the worker emits it then, api/scheduling.py);
- `article.updated`: a visible story changed;
- `article.unpublished`: a visible story was taken back (to draft, or rescheduled for later);
- `article.deleted`: a visible story was deleted;
- `newsletter_issue.published`: an issue was published.
"""

from __future__ import annotations

import enum
from typing import Any

import orjson
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.global_ids import global_id
from api.models import Article, Newsletter, NewsletterIssue, Source
from api.models_outbox import Event
from api.outbox import enqueue

EVENTS_CHANNEL = "broadsheet_events"
# Job kinds that receive every event (the job's payload is {"event_id": ...}).
CONSUMERS: tuple[str, ...] = ("webhooks.fan_out",)


class EventType(enum.StrEnum):
    ARTICLE_PUBLISHED = "article.published"
    ARTICLE_UPDATED = "article.updated"
    ARTICLE_UNPUBLISHED = "article.unpublished"
    ARTICLE_DELETED = "article.deleted"
    NEWSLETTER_ISSUE_PUBLISHED = "newsletter_issue.published"


EVENT_TYPES = tuple(event_type.value for event_type in EventType)


def _time(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


async def article_data(session: AsyncSession, article: Article) -> dict[str, Any]:
    """What an article event carries: enough to recognise the story and fetch it by `id`."""
    source = await session.scalar(select(Source.slug).where(Source.id == article.source_id))
    return {
        "id": global_id("Article", article.id),
        "type": "Article",
        "source": source,
        "slug": article.slug,
        "headline": article.headline,
        "url": article.url,
        "externalId": article.external_id,
        "publishedAt": _time(article.published_at),
        "updatedAt": _time(article.updated_at),
    }


async def issue_data(session: AsyncSession, issue: NewsletterIssue) -> dict[str, Any]:
    """What a newsletter issue event carries."""
    newsletter = await session.scalar(
        select(Newsletter.slug).where(Newsletter.id == issue.newsletter_id)
    )
    return {
        "id": global_id("NewsletterIssue", issue.id),
        "type": "NewsletterIssue",
        "newsletter": newsletter,
        "date": issue.date.isoformat(),
        "title": issue.title,
        "publishedAt": _time(issue.published_at),
    }


async def emit(
    session: AsyncSession, event_type: EventType, entity: Article | NewsletterIssue
) -> Event:
    """Record that `event_type` happened to `entity`, in `session`'s transaction (flushed)."""
    if isinstance(entity, Article):
        data = await article_data(session, entity)
        entity_type = "article"
    else:
        data = await issue_data(session, entity)
        entity_type = "newsletter_issue"
    event = Event(type=event_type.value, entity_type=entity_type, entity_id=entity.id, data=data)
    session.add(event)
    await session.flush()
    for consumer in CONSUMERS:
        await enqueue(session, consumer, {"event_id": event.id})
    notice = orjson.dumps({"id": event.id, "type": event.type}).decode()
    await session.execute(select(func.pg_notify(EVENTS_CHANNEL, notice)))
    return event
