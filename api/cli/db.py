"""`broadsheet db ...`: migrations, a deploy step (never a side effect of starting the app)."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from api import migrations
from api.cli.session import console, database_url

db_app = typer.Typer(help="Database migrations.", no_args_is_help=True)


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument()] = "head") -> None:
    """Migrate the database up to REVISION (default: head)."""
    migrations.upgrade(revision, database_url())
    console.print(f"[green]Database at {revision}.[/green]")


@db_app.command("downgrade")
def db_downgrade(
    revision: Annotated[str, typer.Argument(help="A revision, or 'base' for empty.")],
) -> None:
    """Migrate the database down to REVISION; `base` leaves no tables at all."""
    url = database_url()
    migrations.downgrade(revision, url)
    if revision == "base":
        asyncio.run(migrations.drop_version_table(url))
    console.print(f"[green]Database at {revision}.[/green]")


@db_app.command("current")
def db_current() -> None:
    """Print the database's current revision."""
    migrations.current(database_url())
