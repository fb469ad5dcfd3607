"""The performance regression guard: what a front page and a section feed cost, in units no
machine load can change, checked against the figures recorded in bench/guard.json.

    python bench/guard.py            # measure and compare (exit 1 when a figure grew > 15%)
    python bench/guard.py --record   # measure and rewrite bench/guard.json
    python bench/guard.py --runs 20  # measure 20 times and show the spread of each figure

tests/test_guard.py runs the same check in the test suite. For each guarded scenario (the
benchmark's own documents, bench/fixtures.py) it counts, per request:

- data statements and wire round trips, through the benchmark's counting proxy (bench/wire.py);
- Python function calls (cProfile), made by the application for one request called in-process
  through ASGI, the same requests after a warm-up.

Timings would flake on a shared machine; these counts do not depend on load, with two
precautions. Garbage collection is paused while calls are counted (a collection runs finalisers
and weakref callbacks whenever it happens to trigger), and the figure is the fewest calls per
request over several batches: work the event loop does while it waits for PostgreSQL varies with
I/O timing, and only adds calls, so the minimum is the work the request itself needs.

The data is fixed: a scratch database with the demo newsroom plus a small synthetic set of a
fixed seed, made and dropped by each run. The settings are fixed too (the environment is not
read), so the figures recorded from a shell are the ones the test suite sees.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import json
import logging
import pstats
import statistics
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import create_async_engine
from starlette.types import ASGIApp, Message

from api import migrations
from api.database import open_session, session_factory, short_lived_engine
from api.demo.newsroom import seed_demo
from api.demo.synthetic import seed_synthetic
from api.embedded import normalize_database_url
from api.http.app import create_app
from api.settings import Settings
from api.visibility import EVERYTHING
from bench.fixtures import scenarios_for, server_url
from bench.scenarios import Scenario
from bench.wire import CountingProxy

FIGURES_FILE = Path(__file__).with_name("guard.json")
TOLERANCE = 0.15  # a figure may grow by this fraction of the recorded one
GUARDED = ("front page", "section page 1")
SYNTHETIC = {"articles": 300, "sources": 4, "seed": 11}
SECRET = "guard-cursor-secret"
WARMUP = 5  # requests before anything is counted: pools filled, statements and plans cached
COUNTED = 10  # requests counted on the wire
BATCHES, BATCH = 5, 5  # calls: the fewest per request over BATCHES batches of BATCH requests


@dataclass(frozen=True)
class Figures:
    """What one request of a scenario costs."""

    statements: float  # data statements sent to PostgreSQL
    round_trips: float  # times the server waited for PostgreSQL's answer
    calls: float  # Python function calls (cProfile; builtins included)


@asynccontextmanager
async def guard_database(server: str) -> AsyncIterator[str]:
    """A scratch database on `server`'s PostgreSQL: migrated, the demo newsroom and the fixed
    synthetic set, analysed; dropped afterwards."""
    name = f"broadsheet_guard_{uuid.uuid4().hex[:8]}"
    admin_url = make_url(server).set(database="postgres")
    admin = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    try:
        await asyncio.to_thread(migrations.upgrade, "head", url)
        async with short_lived_engine(url) as engine:
            async with open_session(session_factory(engine), EVERYTHING) as session:
                await seed_demo(session)
                await session.commit()
            await seed_synthetic(engine, **SYNTHETIC)
            async with engine.connect() as connection:
                await connection.execute(text("ANALYZE"))
                await connection.commit()
        yield url
    finally:
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


def guard_settings(url: str) -> Settings:
    """Broadsheet's defaults, whatever the environment says (no Redis, no tracing, no worker),
    with limits high enough never to refuse the guard's requests (they still run)."""
    return Settings(
        _env_prefix="BROADSHEET_GUARD_IGNORES_THE_ENVIRONMENT_",  # reads no real variable
        database_url=url,
        broadsheet_secret_key=SECRET,
        broadsheet_rate_limit_anonymous="100000000",
        broadsheet_cost_budget_anonymous="100000000000",
    )


async def measure(url: str) -> dict[str, Figures]:
    """The figures of each guarded scenario on the database at `url`."""
    scenarios = [s for s in await scenarios_for(url, SECRET) if s.name in GUARDED]
    assert [s.name for s in scenarios] == list(GUARDED), scenarios
    database = make_url(url)
    proxy = CountingProxy(database.host or "127.0.0.1", database.port or 5432)
    await proxy.start()
    proxied = database.set(host="127.0.0.1", port=proxy.listen_port)
    wire: dict[str, tuple[float, float]] = {}
    try:
        async with running_app(proxied.render_as_string(hide_password=False)) as app:
            for scenario in scenarios:
                for _ in range(WARMUP):
                    await request(app, scenario)
                proxy.counts.reset()
                for _ in range(COUNTED):
                    await request(app, scenario)
                counts = proxy.counts
                wire[scenario.name] = (
                    counts.data_statements / COUNTED,
                    counts.round_trips / COUNTED,
                )
    finally:
        await proxy.close()
    calls: dict[str, float] = {}
    async with running_app(url) as app:  # no proxy: its own calls would be counted
        for scenario in scenarios:
            for _ in range(WARMUP):
                await request(app, scenario)
            calls[scenario.name] = min([await count_calls(app, scenario) for _ in range(BATCHES)])
    return {name: Figures(*wire[name], calls[name]) for name in GUARDED}


@asynccontextmanager
async def running_app(url: str) -> AsyncIterator[ASGIApp]:
    """The application as `broadsheet serve` builds it, started (lifespan) and stopped."""
    app = create_app(guard_settings(url))
    async with app.router.lifespan_context(app):
        yield app


async def count_calls(app: ASGIApp, scenario: Scenario) -> float:
    profiler = cProfile.Profile()
    with garbage_collection_paused(), logging_silenced():
        profiler.enable()
        for _ in range(BATCH):
            await request(app, scenario)
        profiler.disable()
    return int(pstats.Stats(profiler).total_calls) / BATCH  # type: ignore[attr-defined]


@contextmanager
def garbage_collection_paused() -> Iterator[None]:
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@contextmanager
def logging_silenced() -> Iterator[None]:
    """Request logs off: what logging costs depends on the handlers the runner installed
    (pytest captures, a shell prints), not on Broadsheet."""
    logging.disable(logging.CRITICAL)
    try:
        yield
    finally:
        logging.disable(logging.NOTSET)


async def request(app: ASGIApp, scenario: Scenario) -> bytes:
    """POST the scenario's document straight to the ASGI app (no client, no network); the
    answer must be a 200 without errors."""
    body = json.dumps(scenario.body()).encode()
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"guard"),
            (b"content-type", b"application/json"),
            (b"accept", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ],
        "client": ("127.0.0.1", 40000),
        "server": ("guard", 80),
        "state": {},
    }
    done = asyncio.Event()
    delivered = False
    status = 0
    answer = bytearray()

    async def receive() -> Message:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}
        await done.wait()
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            answer.extend(message.get("body", b""))
            if not message.get("more_body", False):
                done.set()

    await app(scope, receive, send)
    if status != 200 or b'"errors"' in answer:
        raise RuntimeError(f"{scenario.name}: {status} {bytes(answer[:300])!r}")
    return bytes(answer)


def compare(measured: dict[str, Figures], recorded: dict[str, Figures]) -> list[str]:
    """Every figure that grew by more than TOLERANCE over its recorded value, explained."""
    problems = []
    for name, figures in recorded.items():
        now = measured[name]
        for field, allowed in asdict(figures).items():
            value = getattr(now, field)
            if value > allowed * (1 + TOLERANCE):
                problems.append(
                    f"{name}: {field} per request grew from {allowed:,.1f} to {value:,.1f} "
                    f"(+{(value / allowed - 1) * 100:.0f}%, more than {TOLERANCE:.0%}); if "
                    "intended, re-record with `python bench/guard.py --record`"
                )
    return problems


def load(path: Path = FIGURES_FILE) -> dict[str, Figures]:
    document = json.loads(path.read_text())
    return {name: Figures(**document["scenarios"][name]) for name in GUARDED}


def save(figures: dict[str, Figures], path: Path = FIGURES_FILE) -> None:
    document = {
        "about": (
            "Per-request figures checked by bench/guard.py and tests/test_guard.py; a figure "
            f"may grow by {TOLERANCE:.0%} at most. Re-record: python bench/guard.py --record"
        ),
        "python": ".".join(map(str, sys.version_info[:3])),
        "scenarios": {name: asdict(value) for name, value in figures.items()},
    }
    path.write_text(json.dumps(document, indent=2) + "\n")


def table(runs: list[dict[str, Figures]]) -> str:
    lines = [f"{'scenario':<16}{'figure':<13}{'min':>10}{'median':>10}{'max':>10}{'spread':>8}"]
    for name in GUARDED:
        for field in ("statements", "round_trips", "calls"):
            values = [getattr(run[name], field) for run in runs]
            low, high = min(values), max(values)
            spread = (high - low) / low if low else 0.0
            lines.append(
                f"{name:<16}{field:<13}{low:>10,.1f}{statistics.median(values):>10,.1f}"
                f"{high:>10,.1f}{spread:>8.1%}"
            )
    return "\n".join(lines)


async def main_async(args: argparse.Namespace) -> int:
    server = normalize_database_url(args.database) if args.database else server_url()
    async with guard_database(server) as url:
        runs = []
        for run in range(args.runs):
            runs.append(await measure(url))
            if args.runs > 1:
                print(f"run {run + 1}: {runs[-1]}", file=sys.stderr, flush=True)
    print(table(runs))
    worst = {
        name: Figures(
            *(max(getattr(run[name], field) for run in runs) for field in asdict(runs[0][name]))
        )
        for name in GUARDED
    }
    if args.record:
        save(worst)
        print(f"recorded in {FIGURES_FILE}")
        return 0
    recorded = load()
    problems = compare(worst, recorded)
    for problem in problems:
        print(problem, file=sys.stderr)
    if not problems and compare(recorded, worst):  # the other way round: much cheaper now
        print("some figures are more than 15% below the recorded ones: re-record to keep them")
    return 1 if problems else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--record", action="store_true", help=f"rewrite {FIGURES_FILE.name}")
    parser.add_argument("--runs", type=int, default=1, help="measure this many times")
    parser.add_argument(
        "--database",
        help="a PostgreSQL server URL (default: BENCH_DATABASE_URL, DATABASE_URL or embedded)",
    )
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    sys.exit(asyncio.run(main_async(args)))


if __name__ == "__main__":
    main()
