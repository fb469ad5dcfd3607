"""What every mutation shares: the `UserError` type, and the mutation runner.

A mutation resolver converts its input to the service's dataclass, calls `run_write`, and builds
its payload from the `Outcome`: the changed row, or `userErrors` (field path, message, code).
Invalid input is answered in the payload, not as a GraphQL error. `run_write` is the one place
a GraphQL request commits (through api/transactions.py), on the primary database.
"""

from __future__ import annotations

from typing import Any, ParamSpec, TypeVar

import strawberry

from api.caching import entity_tag, list_tag
from api.models import Article, Author, NewsletterIssue, Section, Source
from api.services.outcome import Outcome
from api.services.validation import MISSING, FieldError, Missing
from api.transactions import Write, transaction
from schema.context import Info
from schema.loaders import Loaders

P = ParamSpec("P")
T = TypeVar("T")
V = TypeVar("V")

UPSERT_NOTE = (
    "Matched by slug (derived from the name when absent): updated if it exists, else created. "
    "Fields left out keep their value (on create: their default); null clears."
)

# Rows whose change purges cached responses holding them, or lists of their kind.
PURGED_ON_CHANGE = (Article, Author, NewsletterIssue, Section, Source)


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


def actor(info: Info) -> int | None:
    """The API key making the change, for the audit trail (None: an anonymous reader)."""
    principal = info.context.principal
    return principal.key_id if principal is not None else None


async def run_write(
    info: Info, write: Write[P, T], *args: P.args, **kwargs: P.kwargs
) -> Outcome[T]:
    """Run a service as one transaction on the primary database, committed unless it failed."""
    context = info.context
    context.db.use_primary()
    outcome = await context.db.run(transaction, write, *args, **kwargs)
    # Loaders cache per request: what they hold from before this write may be stale now.
    context.loaders = Loaders.create(context.db)
    value = outcome.value
    if isinstance(value, PURGED_ON_CHANGE):
        changed(info, type(value).__name__, value.id)
    return outcome


def changed(info: Info, type_name: str, pk: int) -> None:
    """Purge cached responses holding this entity, or a list of its kind (feeds, related,
    newsletter items, directories), once the request is done."""
    info.context.tags.invalidate(entity_tag(type_name, pk), list_tag(type_name))


def given(value: V | None) -> V | Missing | None:
    """Strawberry's UNSET (field not sent) as the service layer's MISSING."""
    return MISSING if value is strawberry.UNSET else value
