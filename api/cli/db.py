"""`broadsheet db ...`: migrations, a deploy step (never a side effect of starting the app)."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from api import migrations
from api.cli.session import console, database_url, run_write
from api.related_lists import refresh_all_related
from api.services.outcome import Outcome

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


async def _refresh_related(session: AsyncSession) -> Outcome[int]:
    return Outcome(await refresh_all_related(session))


@db_app.command("refresh-related")
def db_refresh_related() -> None:
    """Recompute every stored related list at once (after a bulk load or upgrading a large
    database; the servers otherwise work through marked lists a batch at a time)."""
    stories = run_write(_refresh_related).value
    console.print(f"[green]Related lists recomputed for {stories} stories.[/green]")
