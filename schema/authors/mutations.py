"""`upsertAuthor`: create or update a byline."""

from __future__ import annotations

import strawberry

from api import models
from api.services import catalogue
from schema.context import Info
from schema.mutations import UPSERT_NOTE, UserError, actor, given, run_write, user_errors
from schema.permissions import WRITERS
from schema.refs import AuthorRef


@strawberry.input(description="A byline. " + UPSERT_NOTE)
class AuthorInput:
    name: str
    slug: str | None = None
    bio: str | None = strawberry.UNSET
    is_organization: bool | None = strawberry.UNSET
    source: str | None = strawberry.field(
        default=strawberry.UNSET, description="Affiliation: a source slug; null clears it."
    )
    listed: bool | None = strawberry.field(
        default=strawberry.UNSET,
        description="Shown to readers even before a published story uses it (site structure, "
        "a staff byline). When false (the default for new entries), readers see it once a "
        "published story does, so an embargoed story's new entries do not leak it.",
    )


@strawberry.type
class AuthorPayload:
    author: models.Author | None = strawberry.field(graphql_type=AuthorRef | None)
    user_errors: list[UserError]


@strawberry.type
class AuthorMutations:
    @strawberry.mutation(permission_classes=WRITERS, description="Create or update an author.")
    async def upsert_author(self, info: Info, input: AuthorInput) -> AuthorPayload:
        data = catalogue.AuthorData(
            name=input.name,
            slug=input.slug,
            bio=given(input.bio),
            is_organization=given(input.is_organization),
            source=given(input.source),
            listed=given(input.listed),
        )
        outcome = await run_write(info, catalogue.upsert_author, actor(info), data)
        return AuthorPayload(author=outcome.value, user_errors=user_errors(outcome))
