"""Garbage-collection pauses while serving: `python bench/gc_pauses.py --requests 500`.

Builds the app as `serve` does (lifespan included, so api/heap.py applies its settings), sends
the front page through ASGI in-process, and records every collection the cyclic collector makes
(gc.callbacks): how many per generation and how long they took. Run it with
BROADSHEET_GC_FREEZE=false BROADSHEET_GC_GEN0_THRESHOLD=0 to see Python's defaults.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import sys
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from api.database import Database
from api.http.app import create_app
from api.settings import Settings
from bench.fixtures import scenarios_for
from bench.run import LIMITS, SECRET


async def measure(args: argparse.Namespace) -> None:
    url = os.environ["DATABASE_URL"]
    scenario = next(s for s in await scenarios_for(url, SECRET) if s.name == "front page")
    settings = Settings(database_url=url, **{key.lower(): value for key, value in LIMITS.items()})  # type: ignore[arg-type]
    database = Database.connect(url, settings)
    app = create_app(settings, database=database)
    pauses: dict[int, list[float]] = {0: [], 1: [], 2: []}
    started: list[float] = []

    def observe(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            started.append(time.perf_counter())
        elif started:
            pauses[info["generation"]].append(time.perf_counter() - started.pop())

    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://bench") as client,
    ):
        for _ in range(20):
            await client.post("/graphql", json=scenario.body())
        gc.callbacks.append(observe)
        began = time.perf_counter()
        for _ in range(args.requests):
            await client.post("/graphql", json=scenario.body())
        elapsed = time.perf_counter() - began
        gc.callbacks.remove(observe)
    await database.dispose()
    print(
        f"threshold {gc.get_threshold()}, frozen {gc.get_freeze_count():,} objects; "
        f"{args.requests} requests in {elapsed:.1f}s"
    )
    for generation, times in pauses.items():
        if times:
            print(
                f"  gen{generation}: {len(times) / args.requests:.2f} per request, "
                f"mean {sum(times) / len(times) * 1000:.2f} ms, max {max(times) * 1000:.2f} ms, "
                f"total {sum(times) * 1000 / args.requests:.2f} ms per request"
            )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500)
    asyncio.run(measure(parser.parse_args()))
