"""Benchmark the read API end to end: `python bench/run.py`.

Builds a fresh database (BENCH_DATABASE_URL, else DATABASE_URL's server, else the embedded
PostgreSQL), loads the demo newsroom plus synthetic articles, starts `broadsheet serve` in a
subprocess and drives it over HTTP with concurrent clients. Prints requests/s and p50/p99
latency per scenario, compared with bench/baseline.json (`--save` records a new baseline).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from api import migrations
from api.demo.newsroom import seed_demo
from api.demo.synthetic import seed_synthetic
from api.embedded import normalize_database_url, start_embedded_postgres

BASELINE = Path(__file__).with_name("baseline.json")

FRONT_PAGE = """query FrontPage {
  articles(first: 20) {
    pageInfo { hasNextPage endCursor }
    nodes { id headline dek excerpt publishedAt byline image { url caption }
            section { slug name } source { slug name } authors { slug name } tags { slug name }
            related(first: 3) { id headline } }
  }
}"""

SECTION_PAGE = """query SectionPage($after: String) {
  section(slug: "syn-economy") {
    articles(first: 20, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes { id headline excerpt publishedAt byline source { name } }
    }
  }
}"""

ARTICLE_PAGE = """query ArticlePage($id: ID!) {
  article(id: $id) {
    headline dek body publishedAt byline section { name } source { name logo { url } }
    authors { name bio } tags { slug name } countries image { url caption credit }
    related(first: 5) { id headline excerpt source { name } }
  }
}"""

SEARCH = """query Search($q: String!) {
  search(query: $q, first: 20) { nodes { id headline highlight source { name } } }
}"""


@dataclass
class Scenario:
    name: str
    query: str
    variables: Callable[[int], dict[str, Any]]


@dataclass
class Result:
    name: str
    requests: int
    seconds: float
    latencies: list[float]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000


async def prepare(server_url: str, articles: int) -> str:
    server = make_url(server_url)
    name = f"broadsheet_bench_{uuid.uuid4().hex[:6]}"
    admin = create_async_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    await admin.dispose()
    url = server.set(database=name).render_as_string(hide_password=False)
    await asyncio.to_thread(migrations.upgrade, "head", url)
    engine = create_async_engine(url)
    async with AsyncSession(engine) as session:
        await seed_demo(session)
        await session.commit()
    started = time.perf_counter()
    await seed_synthetic(engine, articles=articles, sources=20, seed=7)
    print(f"loaded {articles} synthetic articles in {time.perf_counter() - started:.1f}s")
    async with engine.begin() as connection:  # committed: statistics made in a rolled-back
        await connection.execute(text("ANALYZE"))  # transaction are thrown away
    await engine.dispose()
    return url


async def drop(server_url: str, url: str) -> None:
    admin = create_async_engine(
        make_url(server_url).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )
    async with admin.connect() as connection:
        await connection.execute(
            text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')
        )
    await admin.dispose()


async def wait_until_up(base: str) -> None:
    async with httpx.AsyncClient() as client:
        for _ in range(200):
            try:
                if (await client.get(f"{base}/readyz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError("the server did not come up")


async def fetch_fixtures(base: str) -> tuple[list[str], list[str]]:
    """Article ids for the article page, and cursors deep into the section feed."""
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        body = (
            await client.post(
                "/graphql", json={"query": "{ articles(first: 100) { nodes { id } } }"}
            )
        ).json()
        ids = [node["id"] for node in body["data"]["articles"]["nodes"]]
        cursors: list[str] = []
        after = None
        for _ in range(50):  # walk 50 pages (1,000 stories) into the section
            page = (
                await client.post(
                    "/graphql", json={"query": SECTION_PAGE, "variables": {"after": after}}
                )
            ).json()
            info = page["data"]["section"]["articles"]["pageInfo"]
            if not info["hasNextPage"]:
                break
            after = info["endCursor"]
            cursors.append(after)
    return ids, cursors


async def drive(base: str, scenario: Scenario, seconds: float, concurrency: int) -> Result:
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds
    counter = 0

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal counter
        while time.perf_counter() < deadline:
            counter += 1
            payload = {"query": scenario.query, "variables": scenario.variables(counter)}
            started = time.perf_counter()
            response = await client.post("/graphql", json=payload)
            latencies.append(time.perf_counter() - started)
            body = response.json()
            if response.status_code != 200 or body.get("errors"):
                raise RuntimeError(f"{scenario.name}: {response.status_code} {body}")

    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as client:
        started = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return Result(scenario.name, len(latencies), elapsed, latencies)


def change(new: float, old: float) -> str:
    return f"{(new / old - 1) * 100:+.0f}%"


def report(results: list[Result], save: bool) -> None:
    baseline: dict[str, dict[str, float]] = (
        json.loads(BASELINE.read_text()) if BASELINE.exists() else {}
    )
    print(f"\n{'scenario':<22}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}   vs baseline (req/s, p99)")
    current: dict[str, dict[str, float]] = {}
    for result in results:
        row = {
            "rps": round(result.rps, 1),
            "p50": round(result.percentile(50), 1),
            "p99": round(result.percentile(99), 1),
        }
        current[result.name] = row
        before = baseline.get(result.name)
        delta = (
            f"{change(row['rps'], before['rps'])}, {change(row['p99'], before['p99'])}"
            if before
            else "no baseline"
        )
        print(f"{result.name:<22}{row['rps']:>9.1f}{row['p50']:>9.1f}{row['p99']:>9.1f}   {delta}")
    if save:
        BASELINE.write_text(json.dumps(current, indent=2) + "\n")
        print(f"\nbaseline saved to {BASELINE}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--seconds", type=float, default=8.0, help="per scenario")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=1, help="server worker processes")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--save", action="store_true", help="record these numbers as the baseline")
    args = parser.parse_args()

    configured = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL")
    server_url = normalize_database_url(configured) if configured else start_embedded_postgres()
    url = await prepare(server_url, args.articles)
    base = f"http://127.0.0.1:{args.port}"
    env = {**os.environ, "DATABASE_URL": url, "BROADSHEET_RATE_LIMIT_ANONYMOUS": "1000000"}
    server = await asyncio.create_subprocess_exec(
        sys.executable,
        *("-m", "api.cli", "serve", "--port", str(args.port), "--workers", str(args.workers)),
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        await wait_until_up(base)
        ids, cursors = await fetch_fixtures(base)
        deep = cursors[-1]
        scenarios = [
            Scenario("front page", FRONT_PAGE, lambda n: {}),
            Scenario("section page 1", SECTION_PAGE, lambda n: {"after": None}),
            Scenario(f"section page {len(cursors) + 1}", SECTION_PAGE, lambda n: {"after": deep}),
            Scenario("article + related(5)", ARTICLE_PAGE, lambda n: {"id": ids[n % len(ids)]}),
            Scenario(
                "search",
                SEARCH,
                lambda n: {"q": ("trade talks", "monsoon", "election", "Korea")[n % 4]},
            ),
        ]
        results = []
        for scenario in scenarios:
            await drive(base, scenario, 1.0, args.concurrency)  # warm up
            results.append(await drive(base, scenario, args.seconds, args.concurrency))
        print(
            f"\n{args.articles} synthetic + demo articles; {args.concurrency} concurrent clients, "
            f"{args.workers} server worker(s), {args.seconds:.0f}s per scenario"
        )
        report(results, args.save)
    finally:
        server.terminate()
        await asyncio.wait_for(server.wait(), timeout=10)
        await drop(server_url, url)


if __name__ == "__main__":
    asyncio.run(main())
