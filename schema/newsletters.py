"""Newsletters: Eastern Briefings and friends, their issue archive and each issue's items."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from api import models
from api.queries import newsletters as queries
from schema.articles import Article
from schema.connections import Connection, build_connection
from schema.context import Info
from schema.relay import Node, page_window, to_global_id


@strawberry.type
class Newsletter(Node):
    id: strawberry.ID
    slug: str = strawberry.field(description='e.g. "eastern-briefings"')
    name: str = strawberry.field(description='e.g. "Eastern Briefings"')
    description: str | None
    row: strawberry.Private[models.Newsletter]

    @classmethod
    def from_row(cls, row: models.Newsletter) -> Newsletter:
        return cls(
            id=to_global_id("Newsletter", row.id),
            slug=row.slug,
            name=row.name,
            description=row.description,
            row=row,
        )

    @strawberry.field
    async def latest_issue(self, info: Info) -> NewsletterIssue | None:
        row = await info.context.loaders.latest_issue_by_newsletter.load(self.row.id)
        return NewsletterIssue.from_row(row) if row else None

    @strawberry.field(description="Published issues, newest first.")
    async def issues(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[NewsletterIssue]:
        context = info.context
        kind = "issue:date_desc"
        window = page_window(context.cursors, kind, first, after, last, before)
        page = await context.db.run(queries.issue_page, context.visibility, self.row.id, window)

        async def count() -> int:
            return await context.db.run(queries.count_issues, context.visibility, self.row.id)

        return build_connection(context.cursors, kind, page, NewsletterIssue.from_row, count)


@strawberry.type
class NewsletterItem:
    position: int
    article: Article
    blurb: str | None = strawberry.field(
        description="The editor's line; defaults to the article excerpt."
    )


@strawberry.type
class NewsletterIssue(Node):
    id: strawberry.ID
    date: date = strawberry.field(description="One issue per newsletter per date.")
    title: str
    intro: str | None
    published_at: datetime | None
    row: strawberry.Private[models.NewsletterIssue]

    @classmethod
    def from_row(cls, row: models.NewsletterIssue) -> NewsletterIssue:
        return cls(
            id=to_global_id("NewsletterIssue", row.id),
            date=row.date,
            title=row.title,
            intro=row.intro,
            published_at=row.published_at,
            row=row,
        )

    @strawberry.field
    async def newsletter(self, info: Info) -> Newsletter:
        row = await info.context.loaders.newsletter_by_id.load(self.row.newsletter_id)
        assert row is not None
        return Newsletter.from_row(row)

    @strawberry.field(description="In editorial order; stories a reader may not see are left out.")
    async def items(self, info: Info) -> list[NewsletterItem]:
        rows = await info.context.loaders.items_by_issue.load(self.row.id)
        return [
            NewsletterItem(
                position=item.position,
                article=Article.from_row(article),
                blurb=item.blurb if item.blurb is not None else article.excerpt,
            )
            for item, article in rows
        ]


@strawberry.type
class NewsletterQueries:
    @strawberry.field
    async def newsletter(self, info: Info, slug: str) -> Newsletter | None:
        row = await info.context.db.run(queries.newsletter_by_slug, slug)
        return Newsletter.from_row(row) if row else None

    @strawberry.field
    async def newsletters(self, info: Info) -> list[Newsletter]:
        return [
            Newsletter.from_row(row) for row in await info.context.db.run(queries.all_newsletters)
        ]

    @strawberry.field(description="A newsletter's issue of one day.")
    async def newsletter_issue(
        self, info: Info, newsletter: str, date: date
    ) -> NewsletterIssue | None:
        context = info.context
        row = await context.db.run(queries.issue_by_date, context.visibility, newsletter, date)
        return NewsletterIssue.from_row(row) if row else None
