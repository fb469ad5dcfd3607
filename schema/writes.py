"""What every mutation shares: the `UserError` type, and running a write on the primary.

A mutation resolver converts its input to the service's dataclass, calls `run_write`, and
builds its payload from the `Outcome`: the changed object, or `userErrors` (field path,
message, code). Invalid input is answered in the payload, not as a GraphQL error.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Concatenate, ParamSpec, TypeVar

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from api.models import Article, Author, NewsletterIssue, Section, Source
from api.validation import MISSING, FieldError, Missing
from api.writes import Outcome
from schema.context import Info
from schema.loaders import Loaders
from schema.response_tags import entity_tag, list_tag

P = ParamSpec("P")
T = TypeVar("T")
V = TypeVar("V")


@strawberry.type(description="A problem with a mutation's input; nothing was changed.")
class UserError:
    field: list[str] | None = strawberry.field(
        description='Path to the input field at fault, e.g. ["input", "tags", "2"].'
    )
    message: str
    code: str = strawberry.field(description="BAD_USER_INPUT or NOT_FOUND.")

    @classmethod
    def from_problem(cls, problem: FieldError) -> UserError:
        return cls(
            field=[str(part) for part in problem.path] or None,
            message=problem.message,
            code=problem.code,
        )


def user_errors(outcome: Outcome[Any]) -> list[UserError]:
    return [UserError.from_problem(problem) for problem in outcome.errors]


async def run_write(
    info: Info,
    write: Callable[Concatenate[AsyncSession, int | None, P], Awaitable[Outcome[T]]],
    *args: P.args,
    **kwargs: P.kwargs,
) -> Outcome[T]:
    """Run an editorial service function as the calling key, on the primary database."""
    context = info.context
    context.db.use_primary()
    api_key_id = context.principal.key_id if context.principal is not None else None
    outcome = await context.db.run(write, api_key_id, *args, **kwargs)
    # Loaders cache per request: what they hold from before this write may be stale now.
    context.loaders = Loaders.create(context.db, context.visibility)
    value = outcome.value
    if isinstance(value, (Article, Author, NewsletterIssue, Section, Source)):
        changed(info, type(value).__name__, value.id)
    return outcome


def changed(info: Info, type_name: str, pk: int) -> None:
    """Purge cached responses holding this entity, or a list of its kind (feeds, related,
    newsletter items, directories), once the request is done."""
    info.context.tags.invalidate(entity_tag(type_name, pk), list_tag(type_name))


def given(value: V | None) -> V | Missing | None:
    """Strawberry's UNSET (field not sent) as the service layer's MISSING."""
    return MISSING if value is strawberry.UNSET else value
