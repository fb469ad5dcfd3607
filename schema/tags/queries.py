"""`tag` by slug."""

from __future__ import annotations

import strawberry

from api import models
from api.queries import catalogue
from schema.context import Info
from schema.refs import TagRef


async def _tag(info: Info, slug: str) -> models.Tag | None:
    return await info.context.db.run(catalogue.row_by_slug, models.Tag, slug)


@strawberry.type
class TagQueries:
    tag: models.Tag | None = strawberry.field(resolver=_tag, graphql_type=TagRef | None)
