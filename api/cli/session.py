"""The database for a command: DATABASE_URL or the embedded PostgreSQL, and one session helper.

Every command that touches the database goes through `run_write` (changes: committed by
api/transactions.py, like a mutation) or `run_read`, each in a session of its own that sees
every row: the CLI is the operator's tool.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Concatenate, ParamSpec, TypeVar

import typer
from rich.console import Console
from sqlalchemy.ext.asyncio import AsyncSession

from api.database import open_session, session_factory, short_lived_engine
from api.embedded import EmbeddedUnavailable, resolve_database_url
from api.services.outcome import Outcome
from api.settings import get_settings
from api.transactions import Write, transaction
from api.visibility import EVERYTHING

P = ParamSpec("P")
T = TypeVar("T")

console = Console(stderr=True)


def database_url() -> str:
    """DATABASE_URL, or the embedded PostgreSQL (started on first use, stopped at exit)."""
    settings = get_settings()
    configured = settings.database_url.get_secret_value() if settings.database_url else None
    if configured is None:
        if settings.is_production:
            console.print("[red]DATABASE_URL must be set when BROADSHEET_ENV=production.[/red]")
            raise typer.Exit(code=2)
        console.print("[dim]DATABASE_URL is unset: using the embedded PostgreSQL.[/dim]")
    try:
        url = resolve_database_url(configured, settings.broadsheet_data_dir)
    except EmbeddedUnavailable as missing:
        console.print(str(missing), style="red", markup=False)
        raise typer.Exit(code=2) from None
    # The embedded server's URL is now in the environment: settings read from here on see it.
    get_settings.cache_clear()
    return url


async def _in_session(
    url: str,
    work: Callable[Concatenate[AsyncSession, P], Awaitable[T]],
    *args: P.args,
    **kwargs: P.kwargs,
) -> T:
    async with (
        short_lived_engine(url) as engine,
        open_session(session_factory(engine), EVERYTHING) as session,
    ):
        return await work(session, *args, **kwargs)


def run_write(write: Write[P, T], *args: P.args, **kwargs: P.kwargs) -> Outcome[T]:
    """Run a write (a service) on the command's database and commit it, or roll it back."""

    async def main(session: AsyncSession) -> Outcome[T]:
        return await transaction(session, write, *args, **kwargs)

    return asyncio.run(_in_session(database_url(), main))


def run_read(
    read: Callable[Concatenate[AsyncSession, P], Awaitable[T]], *args: P.args, **kwargs: P.kwargs
) -> T:
    """Run a query on the command's database (nothing is committed)."""
    return asyncio.run(_in_session(database_url(), read, *args, **kwargs))
