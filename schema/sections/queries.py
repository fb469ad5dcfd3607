"""`section` by slug and `sections` (the top of the tree, children nested)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import strawberry

from api import models
from api.queries import catalogue
from api.queries.records import SectionRecord
from schema.batching import BATCH, WITH_ARGUMENTS, BatchInfo
from schema.context import Info
from schema.refs import SectionRef


async def _section(info: Info, slug: str) -> SectionRecord | None:
    return await info.context.db.run(catalogue.row_by_slug, models.Section, slug)


async def _section_batch(parents: Sequence[Any], info: BatchInfo) -> list[SectionRecord | None]:
    """`section` for the planned executor: one lookup answers every parent (the same slug)."""
    found = await info.context.db.run(catalogue.row_by_slug, models.Section, info.arguments["slug"])
    return [found] * len(parents)


async def _sections(info: Info) -> list[SectionRecord]:
    return await info.context.db.run(catalogue.top_level_sections)


@strawberry.type
class SectionQueries:
    section: SectionRecord | None = strawberry.field(
        resolver=_section,
        graphql_type=SectionRef | None,
        metadata={BATCH: _section_batch, WITH_ARGUMENTS: True},
    )
    sections: list[SectionRecord] = strawberry.field(
        resolver=_sections,
        graphql_type=list[SectionRef],
        description="Top-level sections, children nested.",
    )
