"""A rolling restart under load loses no request: two `broadsheet serve` processes take traffic
while each in turn gets SIGTERM (it stops accepting, finishes what is in flight, closes its
pools, exits 0) and is started again.

The load generator plays the balancer: GraphQL queries over GET (idempotent), spread over the
processes, each on a new connection; a connection the stopping process refused or reset before
any response is tried on the other one, as a balancer's passive health check does. A request
that got an answer other than 200 with data, or that no process answered, is a lost request:
there must be none.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import dataclass, field

import httpx

from tests.servers import ServerProcess

# A front page (stories with related stories): slow enough that some are always in flight.
FRONT_PAGE = (
    "{ articles(first: 12) { nodes { headline section { name } related(first: 3) { headline } } } }"
)
CLIENTS = 6


@dataclass
class Load:
    ok: int = 0
    lost: list[str] = field(default_factory=list)
    retried: int = 0
    in_flight: dict[int, int] = field(default_factory=dict)  # by port
    in_flight_at_sigterm: list[int] = field(default_factory=list)


async def one_request(backends: list[ServerProcess], start: int, load: Load) -> None:
    for attempt in range(len(backends) * 3):
        backend = backends[(start + attempt) % len(backends)]
        load.in_flight[backend.port] = load.in_flight.get(backend.port, 0) + 1
        try:
            async with httpx.AsyncClient(timeout=30) as client:  # a new connection each time
                response = await client.get(f"{backend.url}/graphql", params={"query": FRONT_PAGE})
        except (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError):
            load.retried += 1  # refused or reset before an answer: the balancer tries another
            await asyncio.sleep(0.05)
            continue
        finally:
            load.in_flight[backend.port] -= 1
        body = response.json()
        if response.status_code == 200 and "errors" not in body and body.get("data"):
            load.ok += 1
        else:
            load.lost.append(f"{response.status_code}: {response.text[:200]}")
        return
    load.lost.append("no process answered")


async def restart(server: ServerProcess, load: Load) -> None:
    load.in_flight_at_sigterm.append(load.in_flight.get(server.port, 0))
    server.terminate()
    code = await asyncio.to_thread(server.wait)
    assert code == 0, server.output()
    assert "stopped: database pools closed" in server.output()
    await asyncio.to_thread(server.start)


async def test_a_rolling_restart_loses_no_request(served_database_url: str) -> None:
    # The load comes from one address; lift its per-IP limits so that only restarts can lose a
    # request (a faster server would otherwise hit the anonymous rate limit within seconds).
    env = {
        "DATABASE_URL": served_database_url,
        "BROADSHEET_SECRET_KEY": "rolling",
        "BROADSHEET_RATE_LIMIT_ANONYMOUS": "1000000",
        "BROADSHEET_COST_BUDGET_ANONYMOUS": "1000000000",
    }
    first, second = ServerProcess(env), ServerProcess(env)
    load = Load()
    stop = asyncio.Event()
    counter = itertools.count()

    async def client() -> None:
        while not stop.is_set():
            await one_request([first, second], next(counter), load)

    try:
        first.start()
        second.start()
        clients = [asyncio.create_task(client()) for _ in range(CLIENTS)]
        started = time.monotonic()
        await asyncio.sleep(1.5)
        await restart(first, load)
        await asyncio.sleep(1.0)
        await restart(second, load)
        await asyncio.sleep(1.0)
        stop.set()
        await asyncio.gather(*clients)
        elapsed = time.monotonic() - started
    finally:
        first.stop()
        second.stop()
    print(
        f"rolling restart: {load.ok} requests answered in {elapsed:.1f} s, {len(load.lost)} lost, "
        f"{load.retried} connection retries, in flight at SIGTERM: {load.in_flight_at_sigterm}"
    )
    assert load.lost == []
    assert load.ok > 20
    assert sum(load.in_flight_at_sigterm) > 0  # the restarts really happened under load
