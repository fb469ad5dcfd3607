"""The one way a change is committed, for the API's mutations and the CLI alike.

Services (api/services) validate and flush; they never commit, so several of them compose into
one transaction. `transaction` runs a write and then commits, or rolls back when the write
reports problems or fails, so invalid input, or a failure halfway through, changes nothing.
Writes see every row (`unrestricted`): permission to write is checked before they run.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Concatenate, ParamSpec, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from api.services.outcome import Outcome
from api.services.validation import FieldError
from api.visibility import unrestricted

logger = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")

Write = Callable[Concatenate[AsyncSession, P], Awaitable[Outcome[T]]]


async def transaction(
    session: AsyncSession, write: Write[P, T], /, *args: P.args, **kwargs: P.kwargs
) -> Outcome[T]:
    """Run `write` in `session`, then commit if it succeeded, else roll back."""
    with unrestricted(session):
        try:
            outcome = await write(session, *args, **kwargs)
        except IntegrityError as error:
            # Services validate first; a constraint can still fire when a concurrent write won.
            await session.rollback()
            logger.info("write refused by a constraint: %s", error.orig)
            return Outcome(
                errors=[FieldError((), "This conflicts with a concurrent change; try again.")]
            )
        except BaseException:
            await session.rollback()
            raise
        if outcome.errors:
            await session.rollback()
        else:
            await session.commit()
    return outcome
