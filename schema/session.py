"""The request's database access: one session, its visibility, one statement at a time."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Concatenate, ParamSpec, TypeVar

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from api.database import Database, open_session
from api.errors import ServiceUnavailable
from api.telemetry import connect
from api.visibility import Visibility
from schema.extensions.outage import classify

logger = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")


class RequestSession:
    """One request's database session, reading with the caller's visibility, used by one
    coroutine at a time.

    Strawberry resolves sibling fields concurrently, and an AsyncSession must never be used by
    two coroutines at once. Every query of the request goes through `run`, which holds a lock
    for the duration of the statement. Loaders batch their keys first, so this costs little.

    A statement, once started, runs to its end even if its caller is cancelled: graphql-core
    cancels the sibling resolvers of a failed non-null field, and cancelling asyncpg in the middle
    of a statement invalidates the connection under the session (every later statement of the
    request would fail, and the pool would reconnect). statement_timeout bounds the wait.

    Reads run on an autocommit session (api/database.py); the first write of the request
    (`use_primary`) gets a transactional session on the primary, replacing the read session if
    one was open. A read whose pooled connection turns out dead (no ping checked it) is retried
    once on a fresh connection: autocommit reads hold no transaction that could be lost.
    """

    def __init__(
        self, database: Database, visibility: Visibility, reader: str | None = None
    ) -> None:
        self._database = database
        self._reader = reader  # who reads, for read-your-writes on a replica (api/replica.py)
        self._on_primary = False
        self.visibility = visibility
        self._session: AsyncSession | None = None
        self._session_writes = False  # the open session is transactional (for writes)
        self._retried = False  # a dead connection was replaced already in this request
        self._lock = asyncio.Lock()
        # The database was found unreachable: the rest of the request fails the same way at
        # once instead of waiting out the pool or a connect timeout again, field after field.
        self._unreachable: BaseException | None = None

    @property
    def on_primary(self) -> bool:
        """Whether this request reads and writes on the primary (it ran a mutation)."""
        return self._on_primary

    def use_primary(self) -> None:
        """Send this request's statements to the primary (mutations: writes and read-your-writes).

        Must be called before the first statement; a session already open on a replica would
        otherwise be abandoned mid-request.
        """
        if self._session is not None and not self._on_primary and self._database.replica:
            raise RuntimeError("use_primary() after the request's session was opened")
        self._on_primary = True

    def fresh(self, visibility: Visibility) -> RequestSession:
        """Another session like this one (same databases and reader), reading with `visibility`:
        a subscription renders each event in a session of its own, as of the event."""
        fresh = RequestSession(self._database, visibility, self._reader)
        fresh._on_primary = self._on_primary
        return fresh

    async def _open(self) -> AsyncSession:
        if self._on_primary:
            session = open_session(self._database.sessions, self.visibility)
        else:
            session = await self._database.read_session(self.visibility, self._reader)
        self._session_writes = self._on_primary
        await connect(session)  # no-op when routing connected it already; the wait is measured
        return session

    async def run(
        self,
        query: Callable[Concatenate[AsyncSession, P], Awaitable[R]],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> R:
        async with self._lock:
            if self._unreachable is not None:
                raise self._unreachable
            statement = asyncio.ensure_future(self._statement(query, *args, **kwargs))
            try:
                return await asyncio.shield(statement)
            except Exception as error:
                self._remember(error)
                raise
            except asyncio.CancelledError:
                # Keep the lock until the statement is done, then let the cancellation through.
                while not statement.done():
                    with contextlib.suppress(asyncio.CancelledError):
                        await asyncio.wait([statement])
                if not statement.cancelled():
                    statement.exception()  # retrieved: a failure nobody awaits is not an error
                raise

    async def _statement(
        self,
        query: Callable[Concatenate[AsyncSession, P], Awaitable[R]],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> R:
        # Opening the session is part of the statement: a caller cancelled while the connection
        # is being checked out must not leave an opened session nobody will close.
        if self._session is not None and self._on_primary and not self._session_writes:
            await self._session.close()  # reads so far were autocommit; writes need a transaction
            self._session = None
        if self._session is None:
            self._session = await self._open()
        try:
            return await query(self._session, *args, **kwargs)
        except DBAPIError as error:
            if not error.connection_invalidated or self._session_writes or self._retried:
                raise
            self._retried = True
            logger.info("a pooled connection was dead; retrying the read on a fresh one")
            await self._session.close()
            self._session = await self._open()
            return await query(self._session, *args, **kwargs)

    def _remember(self, error: Exception) -> None:
        if isinstance(classify(error), ServiceUnavailable):
            self._unreachable = error

    async def reset(self) -> None:
        """Roll back the request's transaction (reads only: nothing is lost), so a failed
        statement does not spoil the ones after it."""
        async with self._lock:
            if self._session is not None:
                await self._session.rollback()

    async def close(self) -> None:
        async with self._lock:  # after any statement still finishing for a cancelled caller
            if self._session is not None:
                await self._session.close()
                self._session = None
