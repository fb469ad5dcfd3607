"""`source` by slug and `sources` (the directory in name order, optionally by country)."""

from __future__ import annotations

import strawberry

from api import models
from api.queries import catalogue
from schema.connections import ConnectionValue, directory_connection
from schema.context import Info
from schema.refs import SourceRef
from schema.sources.types import SourceConnection


async def _source(info: Info, slug: str) -> models.Source | None:
    return await info.context.db.run(catalogue.row_by_slug, models.Source, slug)


async def _sources(
    info: Info, first: int | None = None, after: str | None = None, country: str | None = None
) -> ConnectionValue:
    return await directory_connection(
        info, "source:name", catalogue.sources_in(country), models.Source, first, after
    )


@strawberry.type
class SourceQueries:
    source: models.Source | None = strawberry.field(resolver=_source, graphql_type=SourceRef | None)
    sources: ConnectionValue = strawberry.field(
        resolver=_sources,
        graphql_type=SourceConnection,
        description="The network's publications in name order, optionally by country.",
    )
