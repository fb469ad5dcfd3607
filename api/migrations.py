"""Run alembic from code, so `broadsheet db ...` works from any directory and from a wheel."""

from __future__ import annotations

import asyncio
import importlib.util
from dataclasses import dataclass
from pathlib import Path

from alembic.config import Config

from alembic import command


def migrations_dir() -> Path:
    """The folder holding env.py: the installed `broadsheet_migrations`, or the repo's alembic/."""
    spec = importlib.util.find_spec("broadsheet_migrations")
    if spec is not None and spec.submodule_search_locations:
        for location in spec.submodule_search_locations:
            if (Path(location) / "env.py").exists():
                return Path(location)
    checkout = Path(__file__).resolve().parent.parent / "alembic"
    if (checkout / "env.py").exists():
        return checkout
    raise RuntimeError("Broadsheet's migrations are missing from this installation")


def alembic_config(database_url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    config.attributes["configure_logging"] = False
    if database_url:
        config.attributes["database_url"] = database_url
    return config


def upgrade(revision: str = "head", database_url: str | None = None) -> None:
    command.upgrade(alembic_config(database_url), revision)


def downgrade(revision: str, database_url: str | None = None) -> None:
    command.downgrade(alembic_config(database_url), revision)


def current(database_url: str | None = None) -> None:
    command.current(alembic_config(database_url), verbose=False)


async def drop_version_table(database_url: str) -> None:
    """After a downgrade to base, remove alembic's bookkeeping table too: no tables are left."""
    from sqlalchemy import text

    from api.database import short_lived_engine

    async with short_lived_engine(database_url) as engine, engine.begin() as connection:
        await connection.execute(text("DROP TABLE IF EXISTS alembic_version"))


@dataclass(frozen=True)
class SchemaState:
    """Where a database stands against the migrations this code ships."""

    current: str | None  # None: never migrated
    head: str
    known: bool  # whether `current` is one of our revisions (False: newer code migrated it)

    @property
    def behind(self) -> bool:
        return self.current is None or (self.known and self.current != self.head)


def schema_state(database_url: str) -> SchemaState:
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from sqlalchemy.engine import Connection

    from api.database import short_lived_engine

    script = ScriptDirectory.from_config(alembic_config(database_url))
    head = script.get_current_head()
    assert head is not None

    def read(connection: Connection) -> str | None:
        return MigrationContext.configure(connection).get_current_revision()

    async def run() -> str | None:
        async with short_lived_engine(database_url) as engine, engine.connect() as connection:
            return await connection.run_sync(read)

    current = asyncio.run(run())
    known = current is not None and any(rev.revision == current for rev in script.walk_revisions())
    return SchemaState(current=current, head=head, known=known)
