"""The Tag type: a topic label and its feed."""

from __future__ import annotations

import strawberry

from api import models
from api.queries.criteria import ArticleCriteria
from api.queries.records import TagRecord
from schema.feeds import feed_field
from schema.relay import Node, id_field, renders

TagRow = models.Tag | TagRecord  # an entity, or a record of the read side


@strawberry.type
class Tag(Node):
    is_type_of = renders(models.Tag, "Tag")

    id: strawberry.ID = id_field("Tag")
    slug: str
    name: str
    articles = feed_field(lambda t: ArticleCriteria(tag_id=t.id), "Stories with this tag.")
