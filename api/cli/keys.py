"""`broadsheet keys ...`: issue, list and revoke API keys from the command line.

`keys create` prints the plaintext key alone on the last line of stdout (everything else goes
to stderr), so `KEY=$(broadsheet keys create ... | tail -n 1)` captures it. It is shown once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncSession

from api.cli.session import run_read, run_write
from api.models import ApiKey
from api.services import keys
from api.services.outcome import Outcome

keys_app = typer.Typer(help="API keys: create, list, revoke.", no_args_is_help=True)
out = Console()
err = Console(stderr=True)


def _fail(message: str) -> typer.Exit:
    err.print(f"[red]{message}[/red]")
    return typer.Exit(code=1)


@keys_app.command("create")
def create(
    name: Annotated[str, typer.Option(help="A unique name, e.g. the partner's.")],
    scope: Annotated[
        list[str],
        typer.Option(help="content:read, content:write or admin; repeat for several."),
    ],
    rate_limit: Annotated[
        str | None,
        typer.Option(help="Requests per minute, e.g. 600/minute (default: the server's)."),
    ] = None,
) -> None:
    """Issue a key. The key is printed once, alone on the last line; only its hash is kept."""
    try:
        limit = keys.parse_rate_limit(rate_limit) if rate_limit is not None else None
    except keys.KeyManagementError as error:
        raise _fail(str(error)) from None
    outcome = run_write(keys.issue_key, None, name, scope, limit)
    if outcome.value is None:
        raise _fail("; ".join(error.message for error in outcome.errors))
    issued = outcome.value
    row = issued.row
    err.print(
        f"Created key [bold]{row.name}[/bold] (id {row.id}, scopes {', '.join(row.scopes)}, "
        f"limit {_limit(row)}). Store it now: it is not shown again."
    )
    typer.echo(issued.plaintext)


def _limit(row: ApiKey) -> str:
    return f"{row.rate_limit_per_minute}/minute" if row.rate_limit_per_minute else "default"


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%MZ") if moment else "-"


@keys_app.command("list")
def list_command() -> None:
    """Every key: name, id, scopes, limit, created / last used / revoked. Never a secret."""
    rows = run_read(keys.list_keys)
    table = Table(title="API keys")
    for column in ("name", "id", "scopes", "limit", "created", "last used", "revoked"):
        table.add_column(column)
    for row in rows:
        table.add_row(
            row.name,
            str(row.id),
            ", ".join(row.scopes),
            _limit(row),
            _when(row.created_at),
            _when(row.last_used_at),
            _when(row.revoked_at),
        )
    out.print(table)


@keys_app.command("revoke")
def revoke(
    name_or_id: Annotated[str, typer.Argument(help="The key's name or numeric id.")],
) -> None:
    """Revoke a key: requests with it are refused (401) from now on."""

    async def revoke_named(session: AsyncSession) -> Outcome[tuple[ApiKey, bool]]:
        row = await keys.key_by_name_or_id(session, name_or_id)
        if row is None:
            return Outcome.not_found(("name",), "key named so")
        return Outcome((row, await keys.revoke_key(session, row)))

    outcome = run_write(revoke_named)
    if outcome.value is None:
        raise _fail(f"No key named {name_or_id!r} (or with that id).")
    row, revoked = outcome.value
    if revoked:
        err.print(f"Revoked key [bold]{row.name}[/bold] (id {row.id}).")
    else:
        err.print(f"Key {row.name} (id {row.id}) was already revoked on {_when(row.revoked_at)}.")
