"""The Section type: a site section (Diplomacy, Economy, ...), its place in the tree and feed."""

from __future__ import annotations

import strawberry

from api import models
from api.queries.criteria import ArticleCriteria
from api.queries.records import SectionRecord
from schema.batching import loaded
from schema.feeds import feed_field
from schema.refs import SectionRef
from schema.relay import Node, id_field, renders

SectionRow = models.Section | SectionRecord  # an entity, or a record of the read side


@strawberry.type
class Section(Node):
    is_type_of = renders(models.Section, "Section")

    id: strawberry.ID = id_field("Section")
    slug: str = strawberry.field(description='e.g. "diplomacy"')
    name: str = strawberry.field(description='e.g. "Diplomacy"')
    description: str | None
    parent: SectionRow | None = loaded(
        lambda ls: ls.section_by_id, lambda s: s.parent_id, SectionRef | None
    )
    children: list[SectionRow] = loaded(
        lambda ls: ls.sections_by_parent, lambda s: s.id, list[SectionRef]
    )
    articles = feed_field(
        lambda s: ArticleCriteria(section_id=s.id), "Stories in this section and its children."
    )
