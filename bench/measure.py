"""Measuring one scenario on one server: byte-identical answers first, then wrk, then the wire."""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import re
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import httpx
from sqlalchemy import make_url

from bench import servers
from bench.scenarios import Scenario
from bench.wire import CountingProxy

WRK_SCRIPT = Path(__file__).with_name("wrk.lua")
COUNTED_REQUESTS = 40
REGISTRATIONS = 64  # fresh connections that register a persisted document (register_persisted)


@dataclass
class Measurement:
    rps: float
    p50_ms: float
    p99_ms: float
    cpu_ms: float  # server CPU per request
    failures: int
    statements: float | None = None  # data statements per request, on the wire
    round_trips: float | None = None
    other_statements: float | None = None


@dataclass
class Row:
    name: str
    workers: int
    ours: Measurement
    theirs: Measurement | None
    notes: list[str] = field(default_factory=list)

    @property
    def ratio(self) -> float | None:
        return self.ours.rps / self.theirs.rps if self.theirs else None

    def as_dict(self) -> dict[str, object]:
        return {**asdict(self), "ratio": self.ratio}


def persisted_path(scenario: Scenario) -> str:
    digest = hashlib.sha256(scenario.query.encode()).hexdigest()
    extensions = json.dumps({"persistedQuery": {"version": 1, "sha256Hash": digest}})
    return "/graphql?" + urlencode(
        {"operationName": scenario.operation, "variables": "{}", "extensions": extensions}
    )


async def register_persisted(scenario: Scenario, server: servers.Server) -> None:
    """Register the scenario's document (APQ) with every worker of `server`.

    Without Redis each worker keeps its own persisted documents, and the kernel hands each new
    connection to any worker; many fresh connections reach them all (each misses one worker with
    probability (1 - 1/workers) per connection: 64 connections leave 2 workers a 1e-19 chance).
    """
    digest = hashlib.sha256(scenario.query.encode()).hexdigest()
    body = {
        **scenario.body(),
        "extensions": {"persistedQuery": {"version": 1, "sha256Hash": digest}},
    }
    for _ in range(REGISTRATIONS):
        async with httpx.AsyncClient(timeout=60) as client:  # a new connection each time
            answer = await client.post(f"{server.url}/graphql", json=body)
        if answer.status_code != 200 or b'"errors"' in answer.content:
            raise RuntimeError(f"{scenario.name}: registering the document: {answer.text[:300]}")


async def verify(scenario: Scenario, subject: servers.Server, reference: servers.Server) -> None:
    """Refuse to time a scenario unless both servers give byte-identical JSON without errors."""
    async with httpx.AsyncClient(timeout=60) as client:
        ours = await client.post(f"{subject.url}/graphql", json=scenario.body())
        theirs = await client.post(f"{reference.url}/graphql", json=scenario.body())
    if b'"errors"' in ours.content or ours.status_code != 200:
        raise RuntimeError(f"{scenario.name}: Broadsheet answered {ours.text[:500]}")
    if ours.content != theirs.content:
        position = next(
            (
                i
                for i, (a, b) in enumerate(zip(ours.content, theirs.content, strict=False))
                if a != b
            ),
            min(len(ours.content), len(theirs.content)),
        )
        raise RuntimeError(
            f"{scenario.name}: answers differ at byte {position}:\n"
            f"  broadsheet:   {ours.content[max(0, position - 80) : position + 80]!r}\n"
            f"  hand-written: {theirs.content[max(0, position - 80) : position + 80]!r}"
        )


async def time_scenario(
    scenario: Scenario, server: servers.Server, args: argparse.Namespace
) -> Measurement:
    env = dict(os.environ)
    if scenario.persisted_get:
        await register_persisted(scenario, server)
        env |= {"BENCH_METHOD": "GET", "BENCH_PATH": persisted_path(scenario), "BENCH_BODY": ""}
    else:
        env |= {"BENCH_METHOD": "POST", "BENCH_PATH": "/graphql"}
        env["BENCH_BODY"] = json.dumps(scenario.body())
    await _wrk(server, env, args, seconds=min(2.0, args.seconds))  # warm up
    cpu_before = server.cpu()
    report = await _wrk(server, env, args, seconds=args.seconds)
    cpu = server.cpu() - cpu_before
    if not report["requests"]:  # every answer took longer than the run: 0 req/s, no latency
        print(
            f"{scenario.name} on {server.name}: no answer within {args.seconds:g}s", file=sys.stderr
        )
    requests = max(1, report["requests"])
    return Measurement(
        rps=report["requests"] / report["seconds"],
        p50_ms=report["p50"] / 1000,
        p99_ms=report["p99"] / 1000,
        cpu_ms=cpu * 1000 / requests,
        failures=int(report["failures"] + report["errors"]),
    )


async def _wrk(
    server: servers.Server, env: dict[str, str], args: argparse.Namespace, seconds: float
) -> dict[str, float]:
    process = await asyncio.create_subprocess_exec(
        "wrk",
        *("-t", str(args.threads), "-c", str(args.connections), "-d", f"{max(1, round(seconds))}s"),
        *("--timeout", "10s", "-s", str(WRK_SCRIPT), server.url),
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output = (await process.communicate())[0].decode()
    match = re.search(r"BENCH (.*)", output)
    if match is None:
        raise RuntimeError(f"wrk said: {output}")
    return {k: float(v) for k, v in (pair.split("=") for pair in match.group(1).split())}


async def count_pass(
    url: str, scenarios: list[Scenario], rows: list[Row], limits: dict[str, str]
) -> None:
    """Statements and round trips per request, through a counting proxy (1 worker each)."""
    database = make_url(url)
    proxy = CountingProxy(database.host or "127.0.0.1", database.port or 5432)
    await proxy.start()
    proxied = database.set(host="127.0.0.1", port=proxy.listen_port)
    env = {"DATABASE_URL": proxied.render_as_string(hide_password=False), **limits}
    try:
        reference = await servers.handwritten(1, env)
        subject = await servers.broadsheet(1, env)
        cached = await servers.broadsheet(1, {**env, "BROADSHEET_RESPONSE_CACHE": "true"})
        try:
            for scenario in scenarios:
                targets = (
                    [(cached, "ours")]
                    if scenario.persisted_get
                    else [(subject, "ours"), (reference, "theirs")]
                )
                for server, side in targets:
                    try:
                        counted = await _count(proxy, server, scenario)
                    except RuntimeError as error:  # reported; the row keeps "-"
                        print(f"NOT COUNTED: {error}", file=sys.stderr)
                        continue
                    for row in rows:
                        if row.name == scenario.name:
                            measured = row.ours if side == "ours" else row.theirs
                            if measured is not None and (
                                side == "ours" or not scenario.persisted_get
                            ):
                                (
                                    measured.statements,
                                    measured.other_statements,
                                    measured.round_trips,
                                ) = counted
        finally:
            for server in (subject, reference, cached):
                await server.stop()
    finally:
        await proxy.close()


async def _count(
    proxy: CountingProxy,
    server: servers.Server,
    scenario: Scenario,
    client_env: dict[str, str] | None = None,
) -> tuple[float, float, float]:
    """Per request: data statements, other statements and round trips on the wire.
    `client_env` may hold BENCH_AUTHORIZATION (sent as the Authorization header), as for wrk."""
    authorization = (client_env or {}).get("BENCH_AUTHORIZATION")
    headers = {"Authorization": authorization} if authorization else {}
    async with httpx.AsyncClient(timeout=60, headers=headers) as client:

        async def send() -> None:
            if scenario.persisted_get:
                answer = await client.get(f"{server.url}{persisted_path(scenario)}")
            else:
                answer = await client.post(f"{server.url}/graphql", json=scenario.body())
            if answer.status_code != 200 or b'"errors"' in answer.content:
                raise RuntimeError(
                    f"{scenario.name} on {server.name}: {answer.status_code} {answer.text[:300]}"
                )

        if scenario.persisted_get:
            await register_persisted(scenario, server)
        for _ in range(5):  # connections made, statements prepared, caches warm
            await send()
        await asyncio.sleep(0.2)
        proxy.counts.reset()
        for _ in range(COUNTED_REQUESTS):
            await send()
        await asyncio.sleep(0.2)
    counts = proxy.counts
    n = COUNTED_REQUESTS
    return counts.data_statements / n, counts.other_statements / n, counts.round_trips / n
