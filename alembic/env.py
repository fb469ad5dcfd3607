"""Alembic environment: async, with the database URL taken from Broadsheet's settings."""

from __future__ import annotations

import asyncio
from importlib import import_module
from logging.config import fileConfig

from sqlalchemy import pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from alembic import context
from api.embedded import resolve_database_url
from api.models import Base
from api.settings import get_settings

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logging", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

# Models kept beside api/models.py register their tables on the same metadata when imported.
import_module("api.models_outbox")
import_module("api.models_partners")
import_module("api.models_mail")
import_module("api.models_related")
target_metadata = Base.metadata


def _database_url() -> str:
    url = config.attributes.get("database_url")
    if url:
        return str(url)
    settings = get_settings()
    configured = settings.database_url.get_secret_value() if settings.database_url else None
    return resolve_database_url(configured, settings.broadsheet_data_dir)


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        compare_server_default=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_async() -> None:
    engine = create_async_engine(_database_url(), poolclass=pool.NullPool)
    async with engine.connect() as connection:
        await connection.run_sync(_configure)
    await engine.dispose()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        # Called from code that already holds a (sync-facing) connection, e.g. the drift test.
        _configure(connection)
    else:
        asyncio.run(_run_async())


if context.is_offline_mode():
    context.configure(url=_database_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
