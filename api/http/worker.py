"""A background worker inside the API process (BROADSHEET_WORKER_IN_SERVE=true).

Handy for one-process deployments: every `serve` process (each uvicorn worker) then also
drains the outbox, safely alongside any `broadsheet worker` (claims skip locked rows). It shares
the app's database pool and response cache, so scheduled publications purge this process's
in-process cache too.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from api.background import registry
from api.caching import ResponseCache
from api.database import Database
from api.jobs.kinds import WorkerResources
from api.jobs.worker import Worker
from api.settings import Settings


@contextlib.asynccontextmanager
async def in_process_worker(
    settings: Settings, database: Database, response_cache: ResponseCache
) -> AsyncIterator[Worker | None]:
    """Run a worker for the duration when the setting asks for one."""
    if not settings.broadsheet_worker_in_serve:
        yield None
        return
    worker = Worker(WorkerResources(database, settings, response_cache), registry())
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop), name="broadsheet-worker")
    try:
        yield worker
    finally:
        stop.set()
        await task
