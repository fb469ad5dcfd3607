"""`broadsheet serve`: run the API (uvicorn) on a migrated database."""

from __future__ import annotations

import signal
from typing import Annotated

import typer

from api import migrations
from api.cli.session import console, database_url
from api.logs import configure_logging
from api.settings import get_settings


def _ensure_schema(url: str, *, embedded: bool) -> None:
    """Serve only a migrated database. The embedded one is ours: bring it up to date. A real
    deployment migrates as a deploy step, so a database behind this code stops `serve`."""
    state = migrations.schema_state(url)
    if not state.behind:
        if not state.known:
            console.print(
                f"[yellow]The database is at revision {state.current}, unknown to this code "
                f"(head {state.head}); serving anyway.[/yellow]"
            )
        return
    if embedded:
        migrations.upgrade("head", url)
        return
    console.print(
        f"[red]The database is at revision {state.current or 'none (empty)'}; this code needs "
        f"{state.head}. Run `broadsheet db upgrade` first.[/red]"
    )
    raise typer.Exit(code=2)


def _exit_normally(signum: int, frame: object) -> None:
    raise SystemExit(0)


def serve(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
) -> None:
    """Serve the API (uvicorn)."""
    import uvicorn

    embedded = get_settings().database_url is None
    url = database_url()  # starts the embedded server when needed; workers inherit DATABASE_URL
    _ensure_schema(url, embedded=embedded)
    # uvicorn re-raises the signal that stopped it. Turn SIGTERM into a normal exit so exit
    # handlers run, among them the one that stops the embedded PostgreSQL.
    signal.signal(signal.SIGTERM, _exit_normally)
    console.print(f"GraphQL at [bold]http://{host}:{port}/graphql[/bold]")
    settings = get_settings()
    configure_logging(settings.broadsheet_log_format, settings.broadsheet_log_level)
    uvicorn.run(
        "api.http.app:serve_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        # Forwarded headers are honoured by the app itself, from BROADSHEET_TRUSTED_PROXIES only
        # (api/http/clients.py); uvicorn's own handling would trust any local hop.
        proxy_headers=False,
        # The app configures logging (api/logs.py) and writes its own request log.
        log_config=None,
        access_log=False,
        # SIGTERM: stop accepting, let in-flight requests finish for at most this long, then
        # run the lifespan's shutdown (live events, pools) and exit.
        timeout_graceful_shutdown=settings.broadsheet_shutdown_timeout_seconds,
    )
