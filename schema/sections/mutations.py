"""`upsertSection`: create or update a site section."""

from __future__ import annotations

import strawberry

from api import models
from api.services import catalogue
from schema.context import Info
from schema.mutations import UPSERT_NOTE, UserError, actor, given, run_write, user_errors
from schema.permissions import WRITERS
from schema.refs import SectionRef


@strawberry.input(description="A site section. " + UPSERT_NOTE)
class SectionInput:
    name: str
    slug: str | None = None
    description: str | None = strawberry.UNSET
    parent: str | None = strawberry.field(
        default=strawberry.UNSET, description="The parent section's slug; null: top level."
    )
    position: int | None = strawberry.field(
        default=strawberry.UNSET, description="Order among siblings (0-10000)."
    )
    listed: bool | None = strawberry.field(
        default=strawberry.UNSET,
        description="Shown to readers even before a published story uses it (site structure, "
        "a staff byline). When false (the default for new entries), readers see it once a "
        "published story does, so an embargoed story's new entries do not leak it.",
    )


@strawberry.type
class SectionPayload:
    section: models.Section | None = strawberry.field(graphql_type=SectionRef | None)
    user_errors: list[UserError]


@strawberry.type
class SectionMutations:
    @strawberry.mutation(permission_classes=WRITERS, description="Create or update a section.")
    async def upsert_section(self, info: Info, input: SectionInput) -> SectionPayload:
        data = catalogue.SectionData(
            name=input.name,
            slug=input.slug,
            description=given(input.description),
            parent=given(input.parent),
            position=given(input.position),
            listed=given(input.listed),
        )
        outcome = await run_write(info, catalogue.upsert_section, actor(info), data)
        return SectionPayload(section=outcome.value, user_errors=user_errors(outcome))
