"""SQL time of a search, word by word: `python bench/search_sql.py --articles 1000000`.

Builds the app as `serve` does, on the benchmark's database (bench/fixtures.py), sends the
benchmark's search document for words from very common to absent through ASGI in-process, and
sums per request the wall time of each statement between the engine's cursor events (the
driver's own work included, so slightly more than PostgreSQL's). Prints each word's matches and
the p50 and p95 of that sum over the timed requests.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from api.database import Database
from api.http.app import create_app
from api.settings import Settings
from bench.fixtures import COMMON_WORDS, RARE_WORDS, ZERO_WORD, plain, prepare_database
from bench.run import LIMITS
from bench.scenarios import SEARCH

MATCHES = (
    "SELECT count(*) FROM articles WHERE status = 'published' "
    "AND search_vector @@ websearch_to_tsquery('english', $1)"
)


async def measure(args: argparse.Namespace) -> None:
    url = await prepare_database(args.articles)
    settings = Settings(database_url=url, **{key.lower(): value for key, value in LIMITS.items()})  # type: ignore[arg-type]
    database = Database.connect(url, settings)
    app = create_app(settings, database=database)
    started: dict[int, float] = {}
    spent: list[float] = []

    def before(*event_args: Any) -> None:
        started[id(event_args[4])] = time.perf_counter()

    def after(*event_args: Any) -> None:
        spent.append(time.perf_counter() - started.pop(id(event_args[4])))

    event.listen(database.engine.sync_engine, "before_cursor_execute", before)
    event.listen(database.engine.sync_engine, "after_cursor_execute", after)
    counter = await asyncpg.connect(plain(url))
    transport = httpx.ASGITransport(app=app)
    try:
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=transport, base_url="http://bench") as client,
        ):
            for word in (*COMMON_WORDS, *RARE_WORDS, ZERO_WORD):
                matches = await counter.fetchval(MATCHES, word)
                totals = []
                for request in range(args.warmup + args.requests):
                    spent.clear()
                    body = {"query": SEARCH, "variables": {"q": word}}
                    answer = await client.post("/graphql", json=body)
                    assert answer.status_code == 200, answer.text
                    assert b'"errors"' not in answer.content, answer.text
                    if request >= args.warmup:
                        totals.append(sum(spent) * 1000)
                totals.sort()
                p95 = totals[max(0, round(len(totals) * 0.95) - 1)]
                print(
                    f"{word:24s} {matches:>10,} matches   SQL ms per request: "
                    f"p50 {statistics.median(totals):6.1f}   p95 {p95:6.1f}",
                    flush=True,
                )
    finally:
        await counter.close()
        await database.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=5)
    asyncio.run(measure(parser.parse_args()))


if __name__ == "__main__":
    main()
