"""The Source type: a partner publication (The Korea Herald, ...), its logo and its feed."""

from __future__ import annotations

import strawberry

from api import models
from api.queries.criteria import ArticleCriteria
from api.queries.records import SourceRecord
from schema.batching import loaded
from schema.connections import Connection
from schema.feeds import feed_field
from schema.images import Image
from schema.refs import SourceRef
from schema.relay import Node, id_field, renders

SourceRow = models.Source | SourceRecord  # an entity, or a record of the read side
SourceConnection = Connection[SourceRef]


@strawberry.type
class Source(Node):
    is_type_of = renders(models.Source, "Source")

    id: strawberry.ID = id_field("Source")
    slug: str = strawberry.field(description='e.g. "the-korea-herald"')
    name: str = strawberry.field(description='e.g. "The Korea Herald"')
    description: str | None
    url: str | None
    country: str | None = strawberry.field(description="ISO 3166-1 alpha-2 code.")
    language: str
    logo: models.Image | None = loaded(lambda ls: ls.image_by_id, lambda s: s.logo_id, Image | None)
    articles = feed_field(lambda s: ArticleCriteria(source_id=s.id), "Stories from this source.")
