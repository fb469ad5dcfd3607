"""`author` by slug and `authors` (bylines in name order, optionally of one source)."""

from __future__ import annotations

import strawberry

from api import models
from api.queries import catalogue
from schema.authors.types import AuthorConnection
from schema.connections import ConnectionValue, directory_connection
from schema.context import Info
from schema.refs import AuthorRef


async def _author(info: Info, slug: str) -> models.Author | None:
    return await info.context.db.run(catalogue.row_by_slug, models.Author, slug)


async def _authors(
    info: Info, first: int | None = None, after: str | None = None, source: str | None = None
) -> ConnectionValue:
    return await directory_connection(
        info, "author:name", catalogue.authors_of(source), models.Author, first, after
    )


@strawberry.type
class AuthorQueries:
    author: models.Author | None = strawberry.field(resolver=_author, graphql_type=AuthorRef | None)
    authors: ConnectionValue = strawberry.field(
        resolver=_authors,
        graphql_type=AuthorConnection,
        description="Bylines in name order, optionally those affiliated with a source.",
    )
