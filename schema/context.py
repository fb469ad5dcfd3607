"""The per-request context: who is asking, what they may see, a database session and loaders."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request
from starlette.responses import Response

from api.access import AccessControl
from api.auth import Principal
from api.mailer import LoggingMailer, Mailer
from api.queries.visibility import Visibility
from api.ratelimit import RateLimitDecision
from schema.limits import CostBudget, Limits, QueryAnalysis
from schema.response_tags import ResponseTags

if TYPE_CHECKING:
    from schema.loaders import Loaders
    from schema.relay import CursorCodec

P = ParamSpec("P")
R = TypeVar("R")


class SerializedSession:
    """One request's database session, used by one coroutine at a time.

    Strawberry resolves sibling fields concurrently, and an AsyncSession must never be used by
    two coroutines at once. Every query of the request goes through `run`, which holds a lock
    for the duration of the statement. Loaders batch their keys first, so this costs little.

    A statement, once started, runs to its end even if its caller is cancelled: graphql-core
    cancels the sibling resolvers of a failed non-null field, and cancelling asyncpg in the middle
    of a statement invalidates the connection under the session (every later statement of the
    request would fail, and the pool would reconnect). statement_timeout bounds the wait.
    """

    def __init__(
        self,
        factory: async_sessionmaker[AsyncSession],
        primary: async_sessionmaker[AsyncSession] | None = None,
    ) -> None:
        self._factory = factory
        self._primary = primary or factory
        self._session: AsyncSession | None = None
        self._lock = asyncio.Lock()

    def use_primary(self) -> None:
        """Send this request's statements to the primary (mutations: writes and read-your-writes).

        Must be called before the first statement; a session already open on a replica would
        otherwise be abandoned mid-request.
        """
        if self._session is not None and self._factory is not self._primary:
            raise RuntimeError("use_primary() after the request's session was opened")
        self._factory = self._primary

    async def run(
        self,
        query: Callable[Concatenate[AsyncSession, P], Awaitable[R]],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> R:
        async with self._lock:
            if self._session is None:
                self._session = self._factory()
            statement = asyncio.ensure_future(query(self._session, *args, **kwargs))
            try:
                return await asyncio.shield(statement)
            except asyncio.CancelledError:
                # Keep the lock until the statement is done, then let the cancellation through.
                while not statement.done():
                    with contextlib.suppress(asyncio.CancelledError):
                        await asyncio.wait([statement])
                if not statement.cancelled():
                    statement.exception()  # retrieved: a failure nobody awaits is not an error
                raise

    async def close(self) -> None:
        async with self._lock:  # after any statement still finishing for a cancelled caller
            if self._session is not None:
                await self._session.close()
                self._session = None


@dataclass
class Context:
    request: Request
    response: Response
    db: SerializedSession
    visibility: Visibility
    loaders: Loaders
    cursors: CursorCodec
    request_id: str
    principal: Principal | None = None  # the API key calling; None when anonymous
    rate_limit: RateLimitDecision | None = None  # this request's charge against its budget
    mailer: Mailer = field(default_factory=LoggingMailer)
    access: AccessControl | None = None  # authenticator and rate limiter, for per-field budgets
    extra: dict[str, Any] = field(default_factory=dict)
    # Query limits and response caching (schema/limits.py, schema/response_tags.py, api/http.py).
    limits: Limits = field(default_factory=Limits)
    cost_budget: CostBudget | None = None  # the caller's query-cost allowance per window
    analysis: QueryAnalysis | None = None  # what QueryLimits measured, before execution
    tags: ResponseTags = field(default_factory=ResponseTags)  # entities in the response


Info = strawberry.Info[Context, None]
