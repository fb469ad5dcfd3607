"""The `broadsheet` command line: serve, demo, migrations, seeding and schema export."""

from __future__ import annotations

import asyncio
import logging
import signal
from typing import Annotated

import typer
from rich.console import Console

from api.embedded import resolve_database_url
from api.keys_cli import keys_app
from api.persisted_cli import persisted_app
from api.settings import get_settings

app = typer.Typer(
    help="Broadsheet: a headless GraphQL content API for a news network.", no_args_is_help=True
)
db_app = typer.Typer(help="Database migrations.", no_args_is_help=True)
seed_app = typer.Typer(help="Load content.", no_args_is_help=True)
schema_app = typer.Typer(help="The GraphQL schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(seed_app, name="seed")
app.add_typer(schema_app, name="schema")
app.add_typer(keys_app, name="keys")
app.add_typer(persisted_app, name="persisted")

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
    url = resolve_database_url(configured, settings.broadsheet_data_dir)
    # The embedded server's URL is now in the environment: settings read from here on see it.
    get_settings.cache_clear()
    return url


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument()] = "head") -> None:
    """Migrate the database up to REVISION (default: head)."""
    from api import migrations

    migrations.upgrade(revision, database_url())
    console.print(f"[green]Database at {revision}.[/green]")


@db_app.command("downgrade")
def db_downgrade(
    revision: Annotated[str, typer.Argument(help="A revision, or 'base' for empty.")],
) -> None:
    """Migrate the database down to REVISION; `base` leaves no tables at all."""
    from api import migrations

    url = database_url()
    migrations.downgrade(revision, url)
    if revision == "base":
        asyncio.run(migrations.drop_version_table(url))
    console.print(f"[green]Database at {revision}.[/green]")


@db_app.command("current")
def db_current() -> None:
    """Print the database's current revision."""
    from api import migrations

    migrations.current(database_url())


async def _seed_demo(url: str) -> dict[str, int]:
    from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

    from api.demo.newsroom import seed_demo

    engine = create_async_engine(url)
    try:
        async with AsyncSession(engine) as session:
            counts = await seed_demo(session)
            await session.commit()
    finally:
        await engine.dispose()
    return counts


@seed_app.command("demo")
def seed_demo_command() -> None:
    """Load the demo newsroom (idempotent: running it twice changes nothing)."""
    counts = asyncio.run(_seed_demo(database_url()))
    for table, count in counts.items():
        console.print(f"  {table:<24} {count:>6}")


@seed_app.command("synthetic")
def seed_synthetic_command(
    articles: Annotated[int, typer.Option(min=1, help="How many articles to add.")] = 10_000,
    sources: Annotated[int, typer.Option(min=1, help="How many synthetic sources.")] = 20,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same data).")] = 1,
) -> None:
    """Bulk-load synthetic articles with COPY, for benchmarks."""
    from rich.progress import Progress
    from sqlalchemy.ext.asyncio import create_async_engine

    from api.demo.synthetic import seed_synthetic

    url = database_url()

    async def run() -> dict[str, int]:
        engine = create_async_engine(url)
        try:
            with Progress(console=console) as progress:
                task = progress.add_task("articles", total=articles)
                return await seed_synthetic(
                    engine,
                    articles=articles,
                    sources=sources,
                    seed=seed,
                    progress=lambda done: progress.update(task, completed=done),
                )
        finally:
            await engine.dispose()

    counts = asyncio.run(run())
    for table, count in counts.items():
        console.print(f"  {table:<24} {count:>6}")


def _ensure_schema(url: str, *, embedded: bool) -> None:
    """Serve only a migrated database. The embedded one is ours: bring it up to date. A real
    deployment migrates as a deploy step, so a database behind this code stops `serve`."""
    from api import migrations

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


@app.command()
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
    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        log_level="info",
    )


@app.command()
def demo(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Migrate, load the demo newsroom and serve it on http://127.0.0.1:8000/graphql."""
    from api import migrations

    url = database_url()
    migrations.upgrade("head", url)
    counts = asyncio.run(_seed_demo(url))
    console.print(
        f"Demo newsroom ready: {counts.get('articles', 0)} articles, "
        f"{counts.get('sources', 0)} sources, "
        f"{counts.get('newsletter_issues', 0)} newsletter issues."
    )
    key = asyncio.run(_demo_desk_key(url))
    console.print(
        "Demo editorial key (content:write; shown once, replaced on the next `broadsheet demo`):"
    )
    typer.echo(key)
    serve(host=host, port=port, workers=1)


DEMO_KEY_PREFIX = "demo-desk-"


async def _demo_desk_key(url: str) -> str:
    """A fresh desk key for trying drafts and mutations; the previous demo keys are revoked."""
    from datetime import UTC, datetime

    from sqlalchemy import select
    from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

    from api import keys
    from api.models import ApiKey

    engine = create_async_engine(url)
    try:
        async with AsyncSession(engine) as session:
            earlier = await session.scalars(
                select(ApiKey).where(
                    ApiKey.name.startswith(DEMO_KEY_PREFIX), ApiKey.revoked_at.is_(None)
                )
            )
            for row in earlier.all():
                await keys.revoke_key(session, row)
            name = f"{DEMO_KEY_PREFIX}{datetime.now(UTC):%Y%m%d%H%M%S%f}"
            issued = await keys.create_key(session, name, [keys.Scope.CONTENT_WRITE.value])
            await session.commit()
    finally:
        await engine.dispose()
    return issued.plaintext


@schema_app.command("export")
def schema_export() -> None:
    """Print the schema as SDL (schema.graphql in the repository is kept equal to it)."""
    from schema.root import schema

    typer.echo(schema.as_str())


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic.runtime.migration").setLevel(logging.INFO)
    app()


if __name__ == "__main__":
    main()
