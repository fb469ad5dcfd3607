"""What one request costs on the wire to PostgreSQL (bench/wire.py counts it as the benchmark
does): a read-only request sends its data statements and nothing else (no ping before the
checkout, no BEGIN/ROLLBACK around reads), and a pooled connection that died is replaced
without the reader seeing an error."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import AsyncEngine

from api.database import Database
from api.http.app import create_app
from api.settings import Settings
from bench.scenarios import FRONT
from bench.wire import CountingProxy
from tests.api_clients import close_app


@pytest.fixture
async def proxy(database_url: str) -> AsyncIterator[CountingProxy]:
    url = make_url(database_url)
    counting = CountingProxy(url.host or "127.0.0.1", url.port or 5432)
    await counting.start()
    yield counting
    await counting.close()


@pytest.fixture
async def served(
    settings: Settings, database_url: str, proxy: CountingProxy
) -> AsyncIterator[tuple[httpx.AsyncClient, Database]]:
    proxied = make_url(database_url).set(host="127.0.0.1", port=proxy.listen_port)
    database = Database.connect(proxied.render_as_string(hide_password=False), settings)
    app = create_app(settings, database=database)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        yield client, database
    await close_app(app)
    await database.dispose()


async def front_page(client: httpx.AsyncClient) -> httpx.Response:
    response = await client.post("/graphql", json={"query": FRONT, "operationName": "FrontPage"})
    assert response.status_code == 200, response.text
    assert "errors" not in response.json()
    return response


async def test_a_read_sends_its_statements_and_nothing_else(
    served: tuple[httpx.AsyncClient, Database], proxy: CountingProxy
) -> None:
    client, _ = served
    for _ in range(3):  # connected, statements prepared
        await front_page(client)
    proxy.counts.reset()
    requests = 10
    for _ in range(requests):
        await front_page(client)
    counts = proxy.counts
    assert counts.data_statements > 0
    assert counts.other_statements == 0  # no ping, BEGIN or ROLLBACK
    assert counts.round_trips <= counts.data_statements + requests


async def test_a_dead_pooled_connection_is_replaced_for_a_read(
    served: tuple[httpx.AsyncClient, Database], engine: AsyncEngine
) -> None:
    client, database = served
    first = await front_page(client)
    # The connection the app pooled dies (a database restart, a proxy's idle timeout).
    async with database.engine.connect() as pooled:
        pid = await pooled.scalar(text("SELECT pg_backend_pid()"))
    async with engine.connect() as other:
        assert await other.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    await asyncio.sleep(0.1)
    again = await front_page(client)  # no ping found it dead: the read is retried
    assert again.json() == first.json()
