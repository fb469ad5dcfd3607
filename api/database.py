"""Database engines and sessions: one primary engine, an optional read replica.

Every session is a `VisibleSession` (api/visibility.py) and must say whose eyes it reads for:
`Database.sessions(visibility)` opens one that does.

Reads and writes get different sessions. Writes (`sessions`) run in a transaction, committed
or rolled back as a whole. Reads (`read_sessions`, `primary_read_sessions`) run in autocommit:
each statement is its own transaction, so a read-only request sends its statements and nothing
else (no BEGIN, no ROLLBACK). Under READ COMMITTED every statement took a fresh snapshot anyway,
so a reader sees exactly what it saw inside a transaction.

No ping precedes a checkout (each would be a round trip per request). A connection that died
in the pool (a database restart, a proxy's idle timeout) fails its first statement instead; the
pool then drops it and every connection older than it, a read retries once on a fresh
connection (schema/session.py), and anything else reports 503 with Retry-After.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import NullPool

from api import plans
from api.embedded import normalize_database_url
from api.settings import Settings
from api.telemetry import count_statements
from api.visibility import VISIBILITY, Visibility, VisibleSession

if TYPE_CHECKING:
    from api.replica import Replica


def create_engine(url: str, settings: Settings) -> AsyncEngine:
    """An asyncpg engine with bounded pool waits and a statement timeout on every connection."""
    engine = create_async_engine(
        normalize_database_url(url),
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout,
        pool_pre_ping=False,  # see the module's docstring: recover instead of pinging
        connect_args={
            "timeout": settings.db_pool_timeout,
            "server_settings": {
                "statement_timeout": str(settings.db_statement_timeout_ms),
                "application_name": "broadsheet",
                "timezone": "UTC",
                # Plan each execution for its values unless the statement runs on its generic
                # plan (api/plans.py).
                "plan_cache_mode": plans.CUSTOM,
            },
        },
    )
    plans.custom_plans_for_orm(engine)
    return engine


@asynccontextmanager
async def short_lived_engine(
    url: str, application_name: str | None = None
) -> AsyncIterator[AsyncEngine]:
    """An engine for one command or maintenance task (no pool kept), disposed afterwards."""
    connect_args: dict[str, Any] = {}
    if application_name is not None:
        connect_args["server_settings"] = {"application_name": application_name}
    engine = create_async_engine(
        normalize_database_url(url), poolclass=NullPool, connect_args=connect_args
    )
    try:
        yield engine
    finally:
        await engine.dispose()


SessionFactory = async_sessionmaker[AsyncSession]


def session_factory(bind: AsyncEngine | AsyncConnection, **options: Any) -> SessionFactory:
    """Sessions on `bind` that apply their visibility to every statement."""
    return async_sessionmaker(
        bind, sync_session_class=VisibleSession, expire_on_commit=False, **options
    )


def read_session_factory(engine: AsyncEngine) -> SessionFactory:
    """Sessions for reads only, in autocommit (see the module's docstring)."""
    return session_factory(engine.execution_options(isolation_level="AUTOCOMMIT"))


def open_session(factory: SessionFactory, visibility: Visibility) -> AsyncSession:
    """A session from `factory` reading with `visibility`."""
    return factory(info={VISIBILITY: visibility})


@dataclass(frozen=True)
class Database:
    """The engines and session factories the application shares."""

    engine: AsyncEngine
    read_engine: AsyncEngine
    sessions: SessionFactory
    read_sessions: SessionFactory
    replica: Replica | None = None  # routes reads when DATABASE_READ_URL is set (api/replica.py)
    # Reads on the primary (no replica, or one that cannot serve); None: `sessions` serve them.
    primary_read_sessions: SessionFactory | None = None

    @property
    def primary_reads(self) -> SessionFactory:
        """Sessions for reads on the primary."""
        return self.primary_read_sessions or self.sessions

    @classmethod
    def connect(cls, url: str, settings: Settings, read_url: str | None = None) -> Database:
        engine = create_engine(url, settings)
        read_engine = create_engine(read_url, settings) if read_url else engine
        for counted in {engine, read_engine}:
            count_statements(counted)
        return cls(
            engine=engine,
            read_engine=read_engine,
            sessions=session_factory(engine),
            read_sessions=read_session_factory(read_engine),
            primary_read_sessions=read_session_factory(engine),
        )

    async def read_session(self, visibility: Visibility, reader: str | None = None) -> AsyncSession:
        """A session for reads: on the replica when there is one that can serve `reader` (the
        caller, for read-your-writes), else on the primary."""
        if self.replica is None:
            return open_session(self.primary_reads, visibility)
        return await self.replica.open_session(visibility, reader)

    async def dispose(self) -> None:
        await self.engine.dispose()
        if self.read_engine is not self.engine:
            await self.read_engine.dispose()
