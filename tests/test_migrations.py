"""Migrations build the model exactly, tear everything down, and build it again."""

from __future__ import annotations

import asyncio
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from api import migrations
from api.models import Base


def _inspect(url: str, check: Any) -> Any:
    async def run() -> Any:
        engine = create_async_engine(url)
        async with engine.connect() as connection:
            result = await connection.run_sync(check)
        await engine.dispose()
        return result

    return asyncio.run(run())


def _drift(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "compare_server_default": True}
    )
    return list(compare_metadata(context, Base.metadata))


def _tables(connection: Connection) -> list[str]:
    return inspect(connection).get_table_names()


def _types(connection: Connection) -> list[str]:
    rows = connection.execute(
        text(
            "SELECT typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
            "WHERE n.nspname = 'public' AND t.typtype = 'e'"
        )
    )
    return [row[0] for row in rows]


def test_migrations_match_the_models(empty_database: str) -> None:
    migrations.upgrade("head", empty_database)
    assert _inspect(empty_database, _drift) == []


def test_downgrade_to_base_removes_everything_and_upgrade_rebuilds(empty_database: str) -> None:
    migrations.upgrade("head", empty_database)
    expected = set(Base.metadata.tables)
    assert expected <= set(_inspect(empty_database, _tables))

    migrations.downgrade("base", empty_database)
    asyncio.run(migrations.drop_version_table(empty_database))
    assert _inspect(empty_database, _tables) == []
    assert _inspect(empty_database, _types) == []

    migrations.upgrade("head", empty_database)
    assert expected <= set(_inspect(empty_database, _tables))
