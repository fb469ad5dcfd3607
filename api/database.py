"""Database engines and sessions: one primary engine, an optional read replica."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from api.embedded import normalize_database_url
from api.settings import Settings


def create_engine(url: str, settings: Settings) -> AsyncEngine:
    """An asyncpg engine with bounded pool waits and a statement timeout on every connection."""
    return create_async_engine(
        normalize_database_url(url),
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout,
        pool_pre_ping=True,
        connect_args={
            "timeout": settings.db_pool_timeout,
            "server_settings": {
                "statement_timeout": str(settings.db_statement_timeout_ms),
                "application_name": "broadsheet",
                "timezone": "UTC",
            },
        },
    )


@dataclass(frozen=True)
class Database:
    """The engines and session factories the application shares."""

    engine: AsyncEngine
    read_engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    read_sessions: async_sessionmaker[AsyncSession]

    @classmethod
    def connect(cls, url: str, settings: Settings, read_url: str | None = None) -> Database:
        engine = create_engine(url, settings)
        read_engine = create_engine(read_url, settings) if read_url else engine
        return cls(
            engine=engine,
            read_engine=read_engine,
            sessions=async_sessionmaker(engine, expire_on_commit=False),
            read_sessions=async_sessionmaker(read_engine, expire_on_commit=False),
        )

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        async with self.sessions() as session:
            yield session

    async def dispose(self) -> None:
        await self.engine.dispose()
        if self.read_engine is not self.engine:
            await self.read_engine.dispose()
