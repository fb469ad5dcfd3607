"""Tags: topic labels on articles, and each tag's feed."""

from __future__ import annotations

import strawberry

from api import models
from api.queries import catalog
from api.queries.articles import ArticleCriteria
from schema.articles import feed_field
from schema.context import Info
from schema.relay import Node, to_global_id


@strawberry.type
class Tag(Node):
    id: strawberry.ID
    slug: str
    name: str
    row: strawberry.Private[models.Tag]

    @classmethod
    def from_row(cls, row: models.Tag) -> Tag:
        return cls(id=to_global_id("Tag", row.id), slug=row.slug, name=row.name, row=row)

    articles = feed_field(lambda t: ArticleCriteria(tag_id=t.row.id), "Stories with this tag.")


@strawberry.type
class TagQueries:
    @strawberry.field
    async def tag(self, info: Info, slug: str) -> Tag | None:
        row = await info.context.db.run(catalog.row_by_slug, models.Tag, slug)
        return Tag.from_row(row) if row else None
