"""Newsletter and NewsletterIssue types: the newsletters, their archive, each issue's items."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

import strawberry

from api import models
from api.queries import newsletters as queries
from api.queries.records import ArticleRecord, NewsletterRecord
from schema.batching import batched, loaded
from schema.connections import Connection, ConnectionValue, build_connection
from schema.context import Context, Info
from schema.refs import ArticleRef, IssueRef, NewsletterRef
from schema.relay import Node, id_field, page_window, renders


async def _issues(
    root: strawberry.Parent[models.Newsletter | NewsletterRecord],
    info: Info,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
) -> ConnectionValue:
    context = info.context
    kind = "issue:date_desc"
    window = page_window(context.cursors, kind, first, after, last, before)
    page = await context.db.run(queries.issue_page, root.id, window)

    async def count() -> int:
        return await context.db.run(queries.count_issues, root.id)

    return build_connection(context.cursors, kind, page, count)


@strawberry.type
class Newsletter(Node):
    is_type_of = renders(models.Newsletter, "Newsletter")

    id: strawberry.ID = id_field("Newsletter")
    slug: str = strawberry.field(description='e.g. "eastern-briefings"')
    name: str = strawberry.field(description='e.g. "Eastern Briefings"')
    description: str | None
    latest_issue: models.NewsletterIssue | None = loaded(
        lambda ls: ls.latest_issue_by_newsletter, lambda n: n.id, IssueRef | None
    )
    issues: ConnectionValue = strawberry.field(
        resolver=_issues,
        graphql_type=Connection[IssueRef],
        description="Published issues, newest first.",
    )


@strawberry.type
class NewsletterItem:
    position: int
    article: models.Article | ArticleRecord = strawberry.field(graphql_type=ArticleRef)
    blurb: str | None = strawberry.field(
        description="The editor's line; defaults to the article excerpt."
    )


async def _items(
    issues: Sequence[models.NewsletterIssue], context: Context
) -> list[list[NewsletterItem]]:
    found = await context.loaders.items_by_issue.load_many([issue.id for issue in issues])
    return [
        [
            NewsletterItem(
                position=item.position,
                article=article,
                blurb=item.blurb if item.blurb is not None else article.excerpt,
            )
            for item, article in rows
        ]
        for rows in found
    ]


@strawberry.type
class NewsletterIssue(Node):
    is_type_of = renders(models.NewsletterIssue, "NewsletterIssue")

    id: strawberry.ID = id_field("NewsletterIssue")
    date: date = strawberry.field(description="One issue per newsletter per date.")
    title: str
    intro: str | None
    published_at: datetime | None
    newsletter: models.Newsletter = loaded(
        lambda ls: ls.newsletter_by_id, lambda i: i.newsletter_id, NewsletterRef
    )
    items: list[NewsletterItem] = batched(
        _items,
        list[NewsletterItem],
        "In editorial order; stories a reader may not see are left out.",
    )
