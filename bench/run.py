"""Benchmark Broadsheet against a hand-written endpoint, side by side: `python bench/run.py`.

Prepares (or reuses) a database of the demo newsroom plus N synthetic articles (default
100,000; `--articles 1000000` on request), starts `broadsheet serve` as a user would (1 worker,
then 2) and the hand-written Starlette + asyncpg endpoint of bench/handwritten.py under the same
uvicorn settings, checks that both answer every scenario with byte-identical JSON, then drives
each with wrk (a separate process; every answer checked for errors) and prints one table:
req/s, p50, p99, the ratio to the hand-written endpoint, server CPU per request, and the SQL
statements and wire round trips per request (counted by a proxy in a separate pass), also
written as Markdown (`--markdown FILE`, for bench/RESULTS.md) or JSON (`--json FILE`) on request.
The database server is BENCH_DATABASE_URL, else DATABASE_URL's server, else the embedded one.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import report, servers
from bench.fixtures import prepare_database, scenarios_for
from bench.measure import Row, count_pass, time_scenario, verify

SECRET = "bench-cursor-secret"
LIMITS = {
    "BROADSHEET_SECRET_KEY": SECRET,
    "BROADSHEET_RATE_LIMIT_ANONYMOUS": "100000000",
    "BROADSHEET_COST_BUDGET_ANONYMOUS": "100000000000",
}


async def run(args: argparse.Namespace) -> list[Row]:
    url = await prepare_database(args.articles)
    env = {"DATABASE_URL": url, **LIMITS}
    scenarios = await scenarios_for(url, SECRET)
    if args.only:
        scenarios = [s for s in scenarios if any(word in s.name for word in args.only)]
    rows: list[Row] = []
    for workers in args.workers:
        plain = [s for s in scenarios if not s.persisted_get]
        reference = await servers.handwritten(workers, env)
        subject = await servers.broadsheet(workers, env)
        try:
            mismatched = []
            for scenario in plain:
                try:
                    await verify(scenario, subject, reference)
                except RuntimeError as error:  # reported, never timed
                    print(f"NOT TIMED: {error}", file=sys.stderr)
                    mismatched.append(scenario)
            for scenario in (s for s in plain if s not in mismatched):
                theirs = await time_scenario(scenario, reference, args)
                ours = await time_scenario(scenario, subject, args)
                rows.append(Row(scenario.name, workers, ours, theirs))
        finally:
            await subject.stop()
            await reference.stop()
        for scenario in (s for s in scenarios if s.persisted_get):
            extra = {"BROADSHEET_RESPONSE_CACHE": "true"}
            if scenario.redis:
                extra["REDIS_URL"] = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
            cached = await servers.broadsheet(workers, {**env, **extra}, "broadsheet+cache")
            try:
                ours = await time_scenario(scenario, cached, args)
            finally:
                await cached.stop()
            front = next((r for r in rows if r.name == "front page" and r.workers == workers), None)
            rows.append(Row(scenario.name, workers, ours, front.theirs if front else None))
    if not args.skip_counting:
        await count_pass(url, scenarios, rows, LIMITS)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=10.0, help="per scenario and server")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--only", nargs="*", help="scenarios whose name contains one of these")
    parser.add_argument("--skip-counting", action="store_true")
    parser.add_argument("--json", type=Path, help="also write the table here as JSON")
    parser.add_argument(
        "--markdown", type=Path, help="also write the table here as Markdown (bench/RESULTS.md)"
    )
    args = parser.parse_args()
    if args.articles < 1 or args.seconds < 1 or args.connections < 1 or args.threads < 1:
        parser.error("--articles, --seconds, --connections and --threads must be at least 1")
    if any(workers < 1 for workers in args.workers):
        parser.error("--workers must be at least 1")
    rows = asyncio.run(run(args))
    print(report.text(rows, args))
    print(f"\nserver output: {servers.log_directory()}")
    if args.json:
        args.json.write_text(report.as_json(rows, args))
    if args.markdown:
        args.markdown.write_text(report.markdown(rows, args))


if __name__ == "__main__":
    main()
