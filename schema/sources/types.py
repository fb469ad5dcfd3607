"""The Source type: a partner publication (The Korea Herald, ...), its logo and its feed."""

from __future__ import annotations

import strawberry

from api import models
from api.queries.articles import ArticleCriteria
from schema.connections import Connection
from schema.context import Info
from schema.feeds import feed_field
from schema.images import Image, load_image
from schema.refs import SourceRef
from schema.relay import Node, id_field, renders

SourceRow = models.Source
SourceConnection = Connection[SourceRef]


async def _logo(root: strawberry.Parent[SourceRow], info: Info) -> models.Image | None:
    return await load_image(info, root.logo_id)


@strawberry.type
class Source(Node):
    is_type_of = renders(SourceRow, "Source")

    id: strawberry.ID = id_field("Source")
    slug: str = strawberry.field(description='e.g. "the-korea-herald"')
    name: str = strawberry.field(description='e.g. "The Korea Herald"')
    description: str | None
    url: str | None
    country: str | None = strawberry.field(description="ISO 3166-1 alpha-2 code.")
    language: str
    logo: models.Image | None = strawberry.field(resolver=_logo, graphql_type=Image | None)
    articles = feed_field(lambda s: ArticleCriteria(source_id=s.id), "Stories from this source.")
