"""Mutations for what articles hang off: upsertSource, upsertSection, upsertAuthor."""

from __future__ import annotations

import strawberry

from api import editorial
from schema.authors import Author
from schema.context import Info
from schema.permissions import WRITERS
from schema.sections import Section
from schema.sources import Source
from schema.writes import UserError, given, run_write, user_errors

UPSERT_NOTE = (
    "Matched by slug (derived from the name when absent): updated if it exists, else created. "
)
OMIT_NOTE = "Fields left out keep their value (on create: their default); null clears."


@strawberry.input(description="A publication. " + UPSERT_NOTE + OMIT_NOTE)
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


@strawberry.input(description="A site section. " + UPSERT_NOTE + OMIT_NOTE)
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


@strawberry.input(description="A byline. " + UPSERT_NOTE + OMIT_NOTE)
class AuthorInput:
    name: str
    slug: str | None = None
    bio: str | None = strawberry.UNSET
    is_organization: bool | None = strawberry.UNSET
    source: str | None = strawberry.field(
        default=strawberry.UNSET, description="Affiliation: a source slug; null clears it."
    )


@strawberry.type
class SourcePayload:
    source: Source | None
    user_errors: list[UserError]


@strawberry.type
class SectionPayload:
    section: Section | None
    user_errors: list[UserError]


@strawberry.type
class AuthorPayload:
    author: Author | None
    user_errors: list[UserError]


@strawberry.type
class CatalogMutations:
    @strawberry.mutation(permission_classes=WRITERS, description="Create or update a source.")
    async def upsert_source(self, info: Info, input: SourceInput) -> SourcePayload:
        data = editorial.SourceData(
            name=input.name,
            slug=input.slug,
            description=given(input.description),
            url=given(input.url),
            country=given(input.country),
            language=given(input.language),
        )
        outcome = await run_write(info, editorial.upsert_source, data)
        row = outcome.value
        return SourcePayload(
            source=Source.from_row(row) if row else None, user_errors=user_errors(outcome)
        )

    @strawberry.mutation(permission_classes=WRITERS, description="Create or update a section.")
    async def upsert_section(self, info: Info, input: SectionInput) -> SectionPayload:
        data = editorial.SectionData(
            name=input.name,
            slug=input.slug,
            description=given(input.description),
            parent=given(input.parent),
            position=given(input.position),
        )
        outcome = await run_write(info, editorial.upsert_section, data)
        row = outcome.value
        return SectionPayload(
            section=Section.from_row(row) if row else None, user_errors=user_errors(outcome)
        )

    @strawberry.mutation(permission_classes=WRITERS, description="Create or update an author.")
    async def upsert_author(self, info: Info, input: AuthorInput) -> AuthorPayload:
        data = editorial.AuthorData(
            name=input.name,
            slug=input.slug,
            bio=given(input.bio),
            is_organization=given(input.is_organization),
            source=given(input.source),
        )
        outcome = await run_write(info, editorial.upsert_author, data)
        row = outcome.value
        return AuthorPayload(
            author=Author.from_row(row) if row else None, user_errors=user_errors(outcome)
        )
