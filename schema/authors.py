"""Authors: person and organisation bylines, their directory and each author's feed."""

from __future__ import annotations

import strawberry

from api import models
from api.queries import catalog
from api.queries.articles import ArticleCriteria
from schema.articles import Image, feed_field, load_image
from schema.connections import Connection, directory_connection
from schema.context import Info
from schema.relay import Node, to_global_id
from schema.sources import Source


@strawberry.type
class Author(Node):
    id: strawberry.ID
    slug: str
    name: str = strawberry.field(description="A person, or an organisation byline.")
    bio: str | None
    is_organization: bool
    row: strawberry.Private[models.Author]

    @classmethod
    def from_row(cls, row: models.Author) -> Author:
        return cls(
            id=to_global_id("Author", row.id),
            slug=row.slug,
            name=row.name,
            bio=row.bio,
            is_organization=row.is_organization,
            row=row,
        )

    @strawberry.field(description="Affiliation, if any.")
    async def source(self, info: Info) -> Source | None:
        if self.row.source_id is None:
            return None
        row = await info.context.loaders.source_by_id.load(self.row.source_id)
        return Source.from_row(row) if row else None

    @strawberry.field
    async def avatar(self, info: Info) -> Image | None:
        return await load_image(info, self.row.avatar_id)

    articles = feed_field(
        lambda a: ArticleCriteria(author_id=a.row.id), "Stories with this byline."
    )


@strawberry.type
class AuthorQueries:
    @strawberry.field
    async def author(self, info: Info, slug: str) -> Author | None:
        row = await info.context.db.run(catalog.row_by_slug, models.Author, slug)
        return Author.from_row(row) if row else None

    @strawberry.field(
        description="Bylines in name order, optionally those affiliated with a source."
    )
    async def authors(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        source: str | None = None,
    ) -> Connection[Author]:
        return await directory_connection(
            info,
            "author:name",
            catalog.authors_of(source),
            models.Author,
            Author.from_row,
            first,
            after,
        )
