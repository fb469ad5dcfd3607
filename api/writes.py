"""Writes as single transactions with an outcome: the changed object, or the input problems.

`in_transaction` commits only when the work reports no problems, and rolls back on problems
and on any exception, so invalid input, or a failure halfway through, changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from api.validation import NOT_FOUND, FieldError, Path, Problems

logger = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """What a mutation produced: the changed object, or the problems that stopped it."""

    value: T | None = None
    errors: list[FieldError] = field(default_factory=list)

    @classmethod
    def failed(cls, problems: Problems) -> Outcome[T]:
        return cls(errors=list(problems.errors))

    @classmethod
    def not_found(cls, path: Path, what: str) -> Outcome[T]:
        return cls(errors=[FieldError(path, f"No {what} with this id.", NOT_FOUND)])


async def in_transaction(
    session: AsyncSession, work: Callable[[], Awaitable[Outcome[T]]]
) -> Outcome[T]:
    """Run `work`, then commit if it succeeded, else roll back. Nothing half-done survives."""
    try:
        outcome = await work()
        if outcome.errors:
            await session.rollback()
        else:
            await session.commit()
    except IntegrityError as error:
        # Validation ran first; a constraint can still fire when a concurrent write won a race.
        await session.rollback()
        logger.info("write refused by a constraint: %s", error.orig)
        return Outcome(
            errors=[FieldError((), "This conflicts with a concurrent change; try again.")]
        )
    except BaseException:
        await session.rollback()
        raise
    return outcome
