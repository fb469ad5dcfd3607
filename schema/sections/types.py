"""The Section type: a site section (Diplomacy, Economy, ...), its place in the tree and feed."""

from __future__ import annotations

import strawberry

from api import models
from api.queries.articles import ArticleCriteria
from schema.context import Info
from schema.feeds import feed_field
from schema.refs import SectionRef
from schema.relay import Node, id_field, renders

SectionRow = models.Section


async def _parent(root: strawberry.Parent[SectionRow], info: Info) -> SectionRow | None:
    if root.parent_id is None:
        return None
    return await info.context.loaders.section_by_id.load(root.parent_id)


async def _children(root: strawberry.Parent[SectionRow], info: Info) -> list[SectionRow]:
    return await info.context.loaders.sections_by_parent.load(root.id)


@strawberry.type
class Section(Node):
    is_type_of = renders(SectionRow, "Section")

    id: strawberry.ID = id_field("Section")
    slug: str = strawberry.field(description='e.g. "diplomacy"')
    name: str = strawberry.field(description='e.g. "Diplomacy"')
    description: str | None
    parent: SectionRow | None = strawberry.field(resolver=_parent, graphql_type=SectionRef | None)
    children: list[SectionRow] = strawberry.field(resolver=_children, graphql_type=list[SectionRef])
    articles = feed_field(
        lambda s: ArticleCriteria(section_id=s.id), "Stories in this section and its children."
    )
