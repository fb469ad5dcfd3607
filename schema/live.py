"""What every subscription shares: events from the process's hub, each rendered afresh.

A subscription waits on the hub (api/fanout.py) for events of its kinds. For each one it opens
a new session on the primary (the replica may not have replayed the write yet) with the
subscriber's visibility as of now, and fresh loaders, and asks `render` for the row: a draft,
a story outside the subscriber's filter, or one the subscriber may not see, renders as None and
is not delivered. The previous event's session is closed first, so an idle subscription holds
no database connection.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from api.access.principal import visibility_for
from api.errors import BadUserInput
from api.live import EventKind, LiveEvent
from schema.context import Context, Info
from schema.loaders import Loaders

T = TypeVar("T")

Render = Callable[[AsyncSession, LiveEvent], Awaitable[T | None]]


async def _renew(context: Context) -> None:
    """A session and loaders of the event's own, reading with the subscriber's eyes as of now."""
    await context.db.close()
    context.db = context.db.fresh(visibility_for(context.principal))
    context.loaders = Loaders.create(context.db)


async def visible_events(
    info: Info, kinds: Iterable[EventKind], render: Render[T]
) -> AsyncIterator[T]:
    """The rows of `kinds` events that `render` finds visible to the subscriber, as they come."""
    context = info.context
    if context.live is None:
        raise BadUserInput(
            "Subscriptions are served over WebSocket (graphql-transport-ws) at /graphql."
        )
    async with context.live.subscribe(kinds) as subscriber:
        try:
            async for event in subscriber.events():
                await _renew(context)
                row = await context.db.run(render, event)
                if row is not None:
                    yield row
        finally:
            await context.db.close()
