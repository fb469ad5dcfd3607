"""Sources: the partner publications, their directory and each source's feed."""

from __future__ import annotations

import strawberry

from api import models
from api.queries import catalog
from api.queries.articles import ArticleCriteria
from schema.articles import Image, feed_field, load_image
from schema.connections import Connection, directory_connection
from schema.context import Info
from schema.relay import Node, to_global_id


@strawberry.type
class Source(Node):
    id: strawberry.ID
    slug: str = strawberry.field(description='e.g. "the-korea-herald"')
    name: str = strawberry.field(description='e.g. "The Korea Herald"')
    description: str | None
    url: str | None
    country: str | None = strawberry.field(description="ISO 3166-1 alpha-2 code.")
    language: str
    row: strawberry.Private[models.Source]

    @classmethod
    def from_row(cls, row: models.Source) -> Source:
        return cls(
            id=to_global_id("Source", row.id),
            slug=row.slug,
            name=row.name,
            description=row.description,
            url=row.url,
            country=row.country,
            language=row.language,
            row=row,
        )

    @strawberry.field
    async def logo(self, info: Info) -> Image | None:
        return await load_image(info, self.row.logo_id)

    articles = feed_field(
        lambda s: ArticleCriteria(source_id=s.row.id), "Stories from this source."
    )


@strawberry.type
class SourceQueries:
    @strawberry.field
    async def source(self, info: Info, slug: str) -> Source | None:
        row = await info.context.db.run(catalog.row_by_slug, models.Source, slug)
        return Source.from_row(row) if row else None

    @strawberry.field(
        description="The network's publications in name order, optionally by country."
    )
    async def sources(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        country: str | None = None,
    ) -> Connection[Source]:
        return await directory_connection(
            info,
            "source:name",
            catalog.sources_in(country),
            models.Source,
            Source.from_row,
            first,
            after,
        )
