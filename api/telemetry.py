"""Per-request numbers the domain can see and the HTTP layer reports (logs, /metrics):
SQL statements sent and time spent waiting for a pooled connection.

The HTTP layer opens a `RequestStats` for each request (`measuring`); the database layer adds
to whichever is current (a context variable, which SQLAlchemy carries into its greenlets), so
no query function has to pass anything along.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession


@dataclass
class RequestStats:
    statements: int = 0
    pool_wait_seconds: float = 0.0
    connections: int = 0  # connections taken from a pool (each wait is one observation)


_CURRENT: ContextVar[RequestStats | None] = ContextVar("broadsheet_request_stats", default=None)


@contextmanager
def measuring() -> Iterator[RequestStats]:
    """Count what the code run inside does (this task and the tasks it starts)."""
    stats = RequestStats()
    token = _CURRENT.set(stats)
    try:
        yield stats
    finally:
        _CURRENT.reset(token)


def _count_statement(*args: Any) -> None:
    stats = _CURRENT.get()
    if stats is not None:
        stats.statements += 1


def count_statements(engine: AsyncEngine) -> None:
    """Count every statement sent through `engine` against the current request."""
    if not event.contains(engine.sync_engine, "before_cursor_execute", _count_statement):
        event.listen(engine.sync_engine, "before_cursor_execute", _count_statement)


async def connect(session: AsyncSession) -> AsyncConnection:
    """The session's connection, taken from the pool now; the wait counts for the request."""
    started = time.perf_counter()
    connection = await session.connection()
    stats = _CURRENT.get()
    if stats is not None:
        stats.pool_wait_seconds += time.perf_counter() - started
        stats.connections += 1
    return connection
