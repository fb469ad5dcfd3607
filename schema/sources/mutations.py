"""`upsertSource`: create or update a partner publication."""

from __future__ import annotations

import strawberry

from api import models
from api.services import catalogue
from schema.context import Info
from schema.mutations import UPSERT_NOTE, UserError, actor, given, run_write, user_errors
from schema.permissions import WRITERS
from schema.refs import SourceRef


@strawberry.input(description="A publication. " + UPSERT_NOTE)
class SourceInput:
    name: str
    slug: str | None = None
    description: str | None = strawberry.UNSET
    url: str | None = strawberry.field(default=strawberry.UNSET, description="http(s) home page.")
    country: str | None = strawberry.field(
        default=strawberry.UNSET, description="ISO 3166-1 alpha-2."
    )
    language: str | None = strawberry.field(
        default=strawberry.UNSET, description='BCP-47; "en" when a source is created without one.'
    )


@strawberry.type
class SourcePayload:
    source: models.Source | None = strawberry.field(graphql_type=SourceRef | None)
    user_errors: list[UserError]


@strawberry.type
class SourceMutations:
    @strawberry.mutation(permission_classes=WRITERS, description="Create or update a source.")
    async def upsert_source(self, info: Info, input: SourceInput) -> SourcePayload:
        data = catalogue.SourceData(
            name=input.name,
            slug=input.slug,
            description=given(input.description),
            url=given(input.url),
            country=given(input.country),
            language=given(input.language),
        )
        outcome = await run_write(info, catalogue.upsert_source, actor(info), data)
        return SourcePayload(source=outcome.value, user_errors=user_errors(outcome))
