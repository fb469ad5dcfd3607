"""`newsletter`, `newsletters` and `newsletterIssue` (a newsletter's issue of one day)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import strawberry

from api import models
from api.queries import newsletters as queries
from api.queries.records import NewsletterRecord
from schema.batching import BATCH, WITH_ARGUMENTS, BatchInfo
from schema.context import Info
from schema.refs import IssueRef, NewsletterRef


async def _newsletter(info: Info, slug: str) -> NewsletterRecord | None:
    return await info.context.db.run(queries.newsletter_by_slug, slug)


async def _newsletter_batch(
    parents: Sequence[Any], info: BatchInfo
) -> list[NewsletterRecord | None]:
    """`newsletter` for the planned executor: one lookup answers every parent (the same slug)."""
    found = await info.context.db.run(queries.newsletter_by_slug, info.arguments["slug"])
    return [found] * len(parents)


async def _newsletters(info: Info) -> list[NewsletterRecord]:
    return await info.context.db.run(queries.all_newsletters)


async def _newsletter_issue(
    info: Info, newsletter: str, date: date
) -> models.NewsletterIssue | None:
    return await info.context.db.run(queries.issue_by_date, newsletter, date)


@strawberry.type
class NewsletterQueries:
    newsletter: NewsletterRecord | None = strawberry.field(
        resolver=_newsletter,
        graphql_type=NewsletterRef | None,
        metadata={BATCH: _newsletter_batch, WITH_ARGUMENTS: True},
    )
    newsletters: list[NewsletterRecord] = strawberry.field(
        resolver=_newsletters, graphql_type=list[NewsletterRef]
    )
    newsletter_issue: models.NewsletterIssue | None = strawberry.field(
        resolver=_newsletter_issue,
        graphql_type=IssueRef | None,
        description="A newsletter's issue of one day.",
    )
