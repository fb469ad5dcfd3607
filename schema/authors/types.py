"""The Author type: a byline (a person or an organisation), its affiliation and its feed."""

from __future__ import annotations

import strawberry

from api import models
from api.queries.criteria import ArticleCriteria
from api.queries.records import AuthorRecord
from schema.batching import loaded
from schema.connections import Connection
from schema.feeds import feed_field
from schema.images import Image
from schema.refs import AuthorRef, SourceRef
from schema.relay import Node, id_field, renders

AuthorRow = models.Author | AuthorRecord  # an entity, or a record of the read side
AuthorConnection = Connection[AuthorRef]


@strawberry.type
class Author(Node):
    is_type_of = renders(models.Author, "Author")

    id: strawberry.ID = id_field("Author")
    slug: str
    name: str = strawberry.field(description="A person, or an organisation byline.")
    bio: str | None
    is_organization: bool
    source: models.Source | None = loaded(
        lambda ls: ls.source_by_id, lambda a: a.source_id, SourceRef | None, "Affiliation, if any."
    )
    avatar: models.Image | None = loaded(
        lambda ls: ls.image_by_id, lambda a: a.avatar_id, Image | None
    )
    articles = feed_field(lambda a: ArticleCriteria(author_id=a.id), "Stories with this byline.")
