"""Profile one scenario in-process: `python bench/profiling.py "front page" --requests 200`.

The app is built as `serve` builds it, on the benchmark's database (bench/fixtures.py), and
called through ASGI without a network, so the profile shows Broadsheet's own work. Prints the
functions that take the most time (cProfile, own time and cumulative) and the Python calls and
SQL statements per request.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from api.database import Database
from api.http.app import create_app
from api.settings import Settings
from bench.fixtures import prepare_database, scenarios_for
from bench.run import LIMITS, SECRET


async def profile(args: argparse.Namespace) -> None:
    url = await prepare_database(args.articles)
    scenarios = [s for s in await scenarios_for(url, SECRET) if args.scenario in s.name]
    if not scenarios:
        raise SystemExit(f"no scenario named like {args.scenario!r}")
    scenario = scenarios[0]
    settings = Settings(database_url=url, **{key.lower(): value for key, value in LIMITS.items()})  # type: ignore[arg-type]
    database = Database.connect(url, settings)
    app = create_app(settings, database=database)
    transport = httpx.ASGITransport(app=app)
    # BENCH_AUTHORIZATION (as for wrk): profile requests that carry an API key.
    authorization = os.environ.get("BENCH_AUTHORIZATION")
    headers = {"Authorization": authorization} if authorization else {}
    statements = 0

    def count(*_: object) -> None:
        nonlocal statements
        statements += 1

    from sqlalchemy import event

    event.listen(database.engine.sync_engine, "before_cursor_execute", count)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://bench", headers=headers) as client,
    ):
        for _ in range(args.warmup):
            answer = await client.post("/graphql", json=scenario.body())
            assert answer.status_code == 200, answer.text
            assert b'"errors"' not in answer.content, answer.text
        started = time.perf_counter()
        for _ in range(args.requests):
            await client.post("/graphql", json=scenario.body())
        elapsed = time.perf_counter() - started
        statements = 0
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.requests):
            await client.post("/graphql", json=scenario.body())
        profiler.disable()
    await database.dispose()
    stats = pstats.Stats(profiler)
    total_calls = stats.total_calls  # type: ignore[attr-defined]
    print(f"{scenario.name}: {args.requests} requests")
    print(f"  wall time per request, without the profiler: {elapsed / args.requests * 1000:.2f} ms")
    print(f"  Python calls per request: {total_calls / args.requests:,.0f}")
    print(f"  SQL statements per request: {statements / args.requests:.1f}")
    for order in ("tottime", "cumulative"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(args.top)
        print(out.getvalue())
    if args.output:
        profiler.dump_stats(args.output)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", help="a scenario name, or part of one")
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--top", type=int, default=35)
    parser.add_argument("--output", type=Path, help="write the raw profile here (pstats)")
    asyncio.run(profile(parser.parse_args()))


if __name__ == "__main__":
    main()
