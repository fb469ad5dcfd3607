"""`broadsheet ingest URL_OR_FILE --source SLUG [--section SLUG]`, and `broadsheet feeds ...`:
the feeds configured on sources, which the worker polls."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from api.cli.session import database_url, run_read, run_write
from api.database import session_factory, short_lived_engine
from api.ingest import runs, sources
from api.ingest.importer import Summary
from api.settings import get_settings

feeds_app = typer.Typer(
    help="Feeds configured on sources (polled by the worker).", no_args_is_help=True
)
out = Console()
err = Console(stderr=True)


def _print(summary: Summary) -> None:
    out.print(
        f"new {summary.new}, updated {summary.updated}, unchanged {summary.unchanged}, "
        f"skipped {len(summary.skipped)}"
    )
    if summary.not_modified:
        out.print("not modified since the last fetch (conditional GET)")
    if summary.warning:
        out.print(f"warning: {summary.warning}")
    for skipped in summary.skipped:
        out.print(f"  skipped {skipped.label}: {skipped.reason}")


def _run(location: str, source: str, section: str | None) -> Summary:
    url = database_url()
    settings = get_settings()

    async def main() -> Summary:
        async with short_lived_engine(url) as engine:
            return await runs.ingest(session_factory(engine), settings, location, source, section)

    return asyncio.run(main())


def ingest(
    location: Annotated[str, typer.Argument(help="A feed's http(s) URL, or a file.")],
    source: Annotated[str, typer.Option(help="The source (slug) the stories belong to.")],
    section: Annotated[
        str | None, typer.Option(help="The section (slug); default: the configured feed's.")
    ] = None,
) -> None:
    """Import an RSS or Atom feed (published at feed time; a rerun changes nothing)."""
    try:
        summary = _run(location, source, section)
    except runs.IngestFailed as failure:
        err.print(f"[red]Nothing imported: {failure}.[/red]")
        raise typer.Exit(code=1) from None
    _print(summary)


@feeds_app.command("add")
def add(
    source: Annotated[str, typer.Option(help="Source slug.")],
    url: Annotated[str, typer.Option(help="The feed's URL.")],
    section: Annotated[str, typer.Option(help="Section slug its stories go in.")],
) -> None:
    """Poll a feed for a source's stories."""
    allow_private = get_settings().broadsheet_allow_private_targets
    outcome = run_write(sources.add_feed, source, url, section, allow_private)
    if outcome.value is None:
        err.print("[red]" + "; ".join(e.message for e in outcome.errors) + "[/red]")
        raise typer.Exit(code=1)
    err.print(f"Feed {outcome.value.id} added; the worker polls it.")


@feeds_app.command("list")
def list_command() -> None:
    """Every configured feed and how its last run went."""
    table = Table(title="Source feeds")
    for column in ("id", "source", "section", "url", "last polled", "last result"):
        table.add_column(column)
    for configured in run_read(sources.configured_feeds):
        feed = configured.feed
        polled = feed.last_polled_at.strftime("%Y-%m-%d %H:%MZ") if feed.last_polled_at else "-"
        table.add_row(
            str(feed.id),
            configured.source.slug,
            configured.section.slug,
            feed.url,
            polled,
            feed.last_result or "-",
        )
    out.print(table)


@feeds_app.command("remove")
def remove(feed_id: Annotated[int, typer.Argument(help="The feed's id.")]) -> None:
    """Stop polling a feed (its stories stay)."""
    if run_write(sources.remove_feed, feed_id).value is None:
        err.print(f"[red]No feed with id {feed_id}.[/red]")
        raise typer.Exit(code=1)
    err.print(f"Feed {feed_id} removed.")
