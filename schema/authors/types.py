"""The Author type: a byline (a person or an organisation), its affiliation and its feed."""

from __future__ import annotations

import strawberry

from api import models
from api.queries.articles import ArticleCriteria
from schema.connections import Connection
from schema.context import Info
from schema.feeds import feed_field
from schema.images import Image, load_image
from schema.refs import AuthorRef, SourceRef
from schema.relay import Node, id_field, renders

AuthorRow = models.Author
AuthorConnection = Connection[AuthorRef]


async def _source(root: strawberry.Parent[AuthorRow], info: Info) -> models.Source | None:
    if root.source_id is None:
        return None
    return await info.context.loaders.source_by_id.load(root.source_id)


async def _avatar(root: strawberry.Parent[AuthorRow], info: Info) -> models.Image | None:
    return await load_image(info, root.avatar_id)


@strawberry.type
class Author(Node):
    is_type_of = renders(AuthorRow, "Author")

    id: strawberry.ID = id_field("Author")
    slug: str
    name: str = strawberry.field(description="A person, or an organisation byline.")
    bio: str | None
    is_organization: bool
    source: models.Source | None = strawberry.field(
        resolver=_source,
        graphql_type=SourceRef | None,
        description="Affiliation, if any.",
    )
    avatar: models.Image | None = strawberry.field(resolver=_avatar, graphql_type=Image | None)
    articles = feed_field(lambda a: ArticleCriteria(author_id=a.id), "Stories with this byline.")
