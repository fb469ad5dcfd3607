"""`broadsheet worker`: drain the job outbox (webhooks, scheduled publications, feed polling,
housekeeping) and keep the stored related lists current (api/related_lists.py) until stopped
with SIGTERM or Ctrl-C; `--once` runs what is due and exits."""

from __future__ import annotations

import asyncio
import logging
import signal
from typing import Annotated

import typer

from api import migrations
from api.background import registry
from api.caching import create_response_cache
from api.cli.session import console, database_url
from api.database import Database
from api.jobs.kinds import WorkerResources
from api.jobs.worker import Worker
from api.redis import connect as connect_redis
from api.related_lists import Refresher, refreshing
from api.settings import Settings, get_settings


async def _work(url: str, settings: Settings, once: bool) -> int:
    database = Database.connect(url, settings)
    redis = connect_redis(settings)
    resources = WorkerResources(database, settings, create_response_cache(settings, redis))
    worker = Worker(resources, registry())
    try:
        if once:
            await Refresher(database).run_once()
            return await worker.run_until_idle()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        async with refreshing(database):
            await worker.run(stop)
        return 0
    finally:
        if redis is not None:
            await redis.aclose()
        await database.dispose()


def worker(
    once: Annotated[bool, typer.Option(help="Run the jobs due now, then exit.")] = False,
    concurrency: Annotated[
        int | None, typer.Option(min=1, max=200, help="Jobs at once (default: the setting).")
    ] = None,
) -> None:
    """Run background jobs from the outbox (any number of workers may run at once)."""
    url = database_url()
    state = migrations.schema_state(url)
    if state.behind:
        console.print("[red]The database is not migrated: run `broadsheet db upgrade`.[/red]")
        raise typer.Exit(code=2)
    settings = get_settings()
    if concurrency is not None:
        settings = settings.model_copy(update={"broadsheet_worker_concurrency": concurrency})
    logging.getLogger("broadsheet.worker").setLevel(logging.INFO)
    done = asyncio.run(_work(url, settings, once))
    if once:
        console.print(f"Ran {done} jobs.")
