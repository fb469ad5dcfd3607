"""Sections: the hierarchy of site sections and each section's feed."""

from __future__ import annotations

import strawberry

from api import models
from api.models import Section as SectionRow
from api.queries import catalog
from api.queries.articles import ArticleCriteria
from schema.articles import feed_field
from schema.context import Info
from schema.relay import Node, to_global_id


@strawberry.type
class Section(Node):
    id: strawberry.ID
    slug: str = strawberry.field(description='e.g. "diplomacy"')
    name: str = strawberry.field(description='e.g. "Diplomacy"')
    description: str | None
    row: strawberry.Private[models.Section]

    @classmethod
    def from_row(cls, row: models.Section) -> Section:
        return cls(
            id=to_global_id("Section", row.id),
            slug=row.slug,
            name=row.name,
            description=row.description,
            row=row,
        )

    @strawberry.field
    async def parent(self, info: Info) -> Section | None:
        if self.row.parent_id is None:
            return None
        row = await info.context.loaders.section_by_id.load(self.row.parent_id)
        return Section.from_row(row) if row else None

    @strawberry.field
    async def children(self, info: Info) -> list[Section]:
        return [
            Section.from_row(row)
            for row in await info.context.loaders.sections_by_parent.load(self.row.id)
        ]

    articles = feed_field(
        lambda s: ArticleCriteria(section_id=s.row.id), "Stories in this section and its children."
    )


@strawberry.type
class SectionQueries:
    @strawberry.field
    async def section(self, info: Info, slug: str) -> Section | None:
        row = await info.context.db.run(catalog.row_by_slug, SectionRow, slug)
        return Section.from_row(row) if row else None

    @strawberry.field(description="Top-level sections, children nested.")
    async def sections(self, info: Info) -> list[Section]:
        return [
            Section.from_row(row) for row in await info.context.db.run(catalog.top_level_sections)
        ]
