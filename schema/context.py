"""The per-request context: who is asking, what they may see, a database session and loaders."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request
from starlette.responses import Response

from api.queries.visibility import Visibility

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
    """

    def __init__(self, factory: async_sessionmaker[AsyncSession]) -> None:
        self._factory = factory
        self._session: AsyncSession | None = None
        self._lock = asyncio.Lock()

    async def run(
        self,
        query: Callable[Concatenate[AsyncSession, P], Awaitable[R]],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> R:
        async with self._lock:
            if self._session is None:
                self._session = self._factory()
            return await query(self._session, *args, **kwargs)

    async def close(self) -> None:
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
    extra: dict[str, Any] = field(default_factory=dict)


Info = strawberry.Info[Context, None]
