"""`broadsheet persisted ...`: register trusted documents for BROADSHEET_PERSISTED_ONLY mode."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from api.http.persisted import ManifestError, RedisDocumentStore, read_manifest
from api.redis import connect as connect_redis
from api.settings import get_settings

persisted_app = typer.Typer(
    help="Persisted queries: the allowlist of trusted documents.", no_args_is_help=True
)
console = Console(stderr=True)


@persisted_app.command("load")
def load(
    manifest: Annotated[
        Path,
        typer.Argument(
            exists=True, dir_okay=False, help="Apollo manifest or {sha256: document} JSON."
        ),
    ],
    check: Annotated[
        bool, typer.Option("--check", help="Only verify hashes and validate the documents.")
    ] = False,
) -> None:
    """Verify and validate every document in MANIFEST, then add them to the shared allowlist.

    The allowlist lives in Redis (REDIS_URL), so every replica trusts the documents at once.
    Without Redis, point BROADSHEET_PERSISTED_QUERIES_FILE at the manifest instead: each
    process loads it at start.
    """
    try:
        documents = read_manifest(manifest)
    except ManifestError as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(code=1) from None
    if check:
        console.print(f"[green]{len(documents)} documents verified and valid.[/green]")
        return
    settings = get_settings()
    if settings.redis_url is None:
        console.print(
            "[red]REDIS_URL is not set: there is no shared store to load into.[/red] "
            f"Set BROADSHEET_PERSISTED_QUERIES_FILE={manifest} on the API processes instead."
        )
        raise typer.Exit(code=2)

    async def store() -> int:
        redis = connect_redis(settings)
        assert redis is not None
        try:
            return await RedisDocumentStore(redis, settings.broadsheet_redis_prefix).trust(
                documents
            )
        finally:
            await redis.aclose()

    new = asyncio.run(store())
    console.print(
        f"[green]{len(documents)} trusted documents loaded ({new} new, "
        f"{len(documents) - new} already known).[/green]"
    )
