"""The Tag type: a topic label and its feed."""

from __future__ import annotations

import strawberry

from api import models
from api.queries.articles import ArticleCriteria
from schema.feeds import feed_field
from schema.relay import Node, id_field, renders

TagRow = models.Tag


@strawberry.type
class Tag(Node):
    is_type_of = renders(TagRow, "Tag")

    id: strawberry.ID = id_field("Tag")
    slug: str
    name: str
    articles = feed_field(lambda t: ArticleCriteria(tag_id=t.id), "Stories with this tag.")
