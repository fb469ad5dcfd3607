"""`section` by slug and `sections` (the top of the tree, children nested)."""

from __future__ import annotations

import strawberry

from api import models
from api.queries import catalogue
from schema.context import Info
from schema.refs import SectionRef


async def _section(info: Info, slug: str) -> models.Section | None:
    return await info.context.db.run(catalogue.row_by_slug, models.Section, slug)


async def _sections(info: Info) -> list[models.Section]:
    return await info.context.db.run(catalogue.top_level_sections)


@strawberry.type
class SectionQueries:
    section: models.Section | None = strawberry.field(
        resolver=_section, graphql_type=SectionRef | None
    )
    sections: list[models.Section] = strawberry.field(
        resolver=_sections,
        graphql_type=list[SectionRef],
        description="Top-level sections, children nested.",
    )
