"""Measure the request-path levers (bench/RESULTS.md, "Request path"): one `broadsheet serve`
on a given database, the front page sent with an API key, anonymously, and as a persisted query
over GET with the response cache in Redis; wrk for req/s, p50 and p99, then a counting proxy for
data statements and wire round trips per request, and server CPU per request.

    DATABASE_URL=postgresql+asyncpg://.../rq_bench python bench/levers.py --seconds 10

The database must hold the demo and the synthetic articles already (`broadsheet seed demo`,
`broadsheet seed synthetic --articles 5000`); a key is made for the run and revoked after it.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import sys
import uuid
from pathlib import Path

from sqlalchemy import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from api.database import open_session, session_factory, short_lived_engine
from api.models import ApiKey
from api.services.keys import create_key, revoke_key
from api.visibility import EVERYTHING
from bench import servers
from bench.fixtures import scenarios_for
from bench.measure import _count, time_scenario
from bench.run import LIMITS, SECRET
from bench.wire import CountingProxy

REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")


async def issue(url: str) -> tuple[int, str]:
    async with (
        short_lived_engine(url) as engine,
        open_session(session_factory(engine), EVERYTHING) as session,
    ):
        issued = await create_key(
            session, f"levers-{uuid.uuid4().hex[:8]}", ["content:read"], 1_000_000
        )
        await session.commit()
        return issued.row.id, issued.plaintext


async def revoke(url: str, key_id: int) -> None:
    async with (
        short_lived_engine(url) as engine,
        open_session(session_factory(engine), EVERYTHING) as session,
    ):
        row = await session.get(ApiKey, key_id)
        if row is not None:
            await revoke_key(session, row)
            await session.commit()


async def main(args: argparse.Namespace) -> None:
    url = os.environ["DATABASE_URL"]
    key_id, key = await issue(url)
    limits = {**LIMITS, "BROADSHEET_COST_BUDGET_KEY": "100000000000"}
    scenarios = {s.name: s for s in await scenarios_for(url, SECRET)}
    front = scenarios["front page"]
    cached = dataclasses.replace(scenarios["front page, persisted GET, cache"], redis=True)
    cases = [
        ("front page, key", front, {}, {"BENCH_AUTHORIZATION": f"Bearer {key}"}),
        ("front page, anonymous", front, {}, {}),
        (
            "front page, persisted GET, Redis cache",
            cached,
            {"BROADSHEET_RESPONSE_CACHE": "true", "REDIS_URL": REDIS_URL},
            {},
        ),
    ]
    if args.only:
        cases = [case for case in cases if any(word in case[0] for word in args.only)]
    database = make_url(url)
    proxy = CountingProxy(database.host or "127.0.0.1", database.port or 5432)
    await proxy.start()
    proxied = database.set(host="127.0.0.1", port=proxy.listen_port)
    try:
        for name, scenario, server_env, client_env in cases:
            env = {"DATABASE_URL": url, **limits, **server_env, **dict(args.env)}
            server = await servers.broadsheet(1, env)
            try:
                os.environ.update(client_env)
                measured = await time_scenario(scenario, server, args)
            finally:
                await server.stop()
            counted_env = {**env, "DATABASE_URL": proxied.render_as_string(hide_password=False)}
            server = await servers.broadsheet(1, counted_env)
            try:
                statements, other, trips = await _count(proxy, server, scenario, client_env)
            finally:
                await server.stop()
                for variable in client_env:
                    os.environ.pop(variable, None)
            print(
                f"{name:<42} {measured.rps:>7,.0f} req/s  p50 {measured.p50_ms:6.1f}  "
                f"p99 {measured.p99_ms:6.1f} ms  CPU {measured.cpu_ms:5.2f} ms  "
                f"data stmts {statements:.1f}  other {other:.1f}  round trips {trips:.1f}"
                + (f"  FAILURES {measured.failures}" if measured.failures else ""),
                flush=True,
            )
    finally:
        await proxy.close()
        await revoke(url, key_id)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--only", nargs="*", help="cases whose name contains one of these")
    parser.add_argument(
        "--env",
        nargs="*",
        default=[],
        type=lambda pair: tuple(pair.split("=", 1)),
        help="settings for the server, NAME=VALUE (to measure a lever off and on)",
    )
    asyncio.run(main(parser.parse_args()))
