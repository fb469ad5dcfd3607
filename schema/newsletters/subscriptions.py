"""`newsletterIssuePublished(newsletter:)`: a newsletter's issues as they are published."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from functools import partial

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from api import models
from api.errors import NotFound
from api.live import EventKind, LiveEvent
from api.queries import newsletters as queries
from schema.context import Info
from schema.live import visible_events
from schema.refs import IssueRef


async def _published(
    newsletter_id: int, session: AsyncSession, event: LiveEvent
) -> models.NewsletterIssue | None:
    return await queries.published_issue(session, newsletter_id, event.id, event.visible_at)


async def _newsletter_issue_published(
    info: Info, newsletter: str
) -> AsyncGenerator[models.NewsletterIssue, None]:
    row = await info.context.db.run(queries.newsletter_by_slug, newsletter)
    await info.context.db.close()  # no connection held while waiting for events
    if row is None:
        raise NotFound(f"No newsletter with slug {newsletter!r}.")
    async for issue in visible_events(
        info, [EventKind.NEWSLETTER_ISSUE_PUBLISHED], partial(_published, row.id)
    ):
        yield issue


@strawberry.type
class NewsletterSubscriptions:
    newsletter_issue_published: AsyncGenerator[models.NewsletterIssue, None] = (
        strawberry.subscription(
            resolver=_newsletter_issue_published,
            graphql_type=IssueRef,
            description="Each issue of the newsletter (by slug) as it is published. "
            "Over WebSocket (graphql-transport-ws).",
        )
    )
