"""`articlePublished(filter:)`: stories as they are published (scheduled ones at their time)."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from functools import partial

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from api import models
from api.live import EventKind, LiveEvent
from api.queries.articles import published_article
from api.queries.criteria import ArticleCriteria
from schema.context import Info
from schema.feeds import ArticleFilter, criteria_from
from schema.live import visible_events
from schema.refs import ArticleRef


async def _published(
    criteria: ArticleCriteria, session: AsyncSession, event: LiveEvent
) -> models.Article | None:
    return await published_article(session, criteria, event.id, event.visible_at)


async def _article_published(
    info: Info, filter: ArticleFilter | None = None
) -> AsyncGenerator[models.Article, None]:
    criteria = criteria_from(filter)
    async for article in visible_events(
        info, [EventKind.ARTICLE_PUBLISHED], partial(_published, criteria)
    ):
        yield article


@strawberry.type
class ArticleSubscriptions:
    article_published: AsyncGenerator[models.Article, None] = strawberry.subscription(
        resolver=_article_published,
        graphql_type=ArticleRef,
        description="Each story as readers can first see it (a scheduled one at its time), "
        "if it matches `filter` (as on `articles`). Over WebSocket (graphql-transport-ws).",
    )
