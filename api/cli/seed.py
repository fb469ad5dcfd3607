"""`broadsheet seed ...`: the demo newsroom, and synthetic articles in bulk for benchmarks."""

from __future__ import annotations

import asyncio
import time
from typing import Annotated

import typer
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from api.cli.session import console, database_url, run_write
from api.services.outcome import Outcome

seed_app = typer.Typer(help="Load content.", no_args_is_help=True)


async def demo_newsroom(session: AsyncSession) -> Outcome[dict[str, int]]:
    """The demo newsroom as a write (idempotent: upserts on natural keys); its table counts."""
    from api.demo.newsroom import seed_demo

    counts = await seed_demo(session)
    # Planner statistics for the new rows now, not when autovacuum next looks.
    await session.execute(text("ANALYZE"))
    return Outcome(counts)


def load_demo() -> dict[str, int]:
    """Load the demo newsroom into the command's database; its table counts."""
    counts = run_write(demo_newsroom).value
    assert counts is not None
    return counts


@seed_app.command("demo")
def seed_demo_command() -> None:
    """Load the demo newsroom (idempotent: running it twice changes nothing)."""
    for table, count in load_demo().items():
        console.print(f"  {table:<24} {count:>6}")


@seed_app.command("synthetic")
def seed_synthetic_command(
    articles: Annotated[int, typer.Option(min=1, help="How many articles to add.")] = 10_000,
    sources: Annotated[int, typer.Option(min=1, help="How many synthetic sources.")] = 20,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same data).")] = 1,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress bar (also off when not a TTY).")
    ] = False,
    related: Annotated[
        bool,
        typer.Option(
            help="Also compute every story's related list after the load (slow, and hungry for "
            "temporary space, on a large archive; `broadsheet db refresh-related` does it later)."
        ),
    ] = False,
) -> None:
    """Bulk-load a synthetic newsroom's archive with COPY, for benchmarks (appends N more)."""
    from api.cli.load_progress import LoadProgress
    from api.database import short_lived_engine
    from api.demo.synthetic import SyntheticLoad, seed_synthetic

    url = database_url()

    async def run() -> SyntheticLoad:
        async with short_lived_engine(url) as engine:
            with LoadProgress(console, quiet=quiet) as progress:
                return await seed_synthetic(
                    engine,
                    articles=articles,
                    sources=sources,
                    seed=seed,
                    progress=progress,
                    related=related,
                )

    started = time.perf_counter()
    load = asyncio.run(run())
    for table, count in load.rows.items():
        console.print(f"  {table:<24} {count:>9}")
    phases = ", ".join(f"{phase} {seconds:.1f}s" for phase, seconds in load.seconds.items())
    console.print(f"  loaded in {time.perf_counter() - started:.1f}s ({phases})")
