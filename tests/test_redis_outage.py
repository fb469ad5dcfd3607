"""Redis going away, under a running app: requests go on (rate limits fail open, the response
cache misses, persisted-query hashes must be re-sent), with warnings, and when Redis is back the
shared state works again without restarting anything. A Redis server of the test's own."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from api.database import Database
from api.settings import Settings
from tests.api_clients import app_client, issue_key
from tests.servers import free_port

SECTIONS = "query Sections { sections { slug } }"


class ThrowawayRedis:
    def __init__(self) -> None:
        self.port = free_port()
        self.directory = tempfile.mkdtemp(prefix="bs-redis-")
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", self.directory],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while (
            subprocess.run(
                ["redis-cli", "-p", str(self.port), "ping"], capture_output=True, check=False
            ).stdout.strip()
            != b"PONG"
        ):
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)


@pytest.fixture
def redis_server() -> Iterator[ThrowawayRedis]:
    server = ThrowawayRedis()
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(server.directory, ignore_errors=True)


@pytest.fixture
async def client(
    settings: Settings, database: Database, redis_server: ThrowawayRedis
) -> AsyncIterator[httpx.AsyncClient]:
    async with app_client(
        settings, database, redis_url=redis_server.url, broadsheet_response_cache=True
    ) as (client, _):
        yield client


async def test_requests_go_on_without_redis_and_share_state_again_when_it_is_back(
    client: httpx.AsyncClient,
    db_session: AsyncSession,
    redis_server: ThrowawayRedis,
    caplog: pytest.LogCaptureFixture,
) -> None:
    key = await issue_key(db_session, "content:read", rate_limit=3)
    headers = {"Authorization": f"Bearer {key}"}
    first = await client.post("/graphql", json={"query": SECTIONS})
    assert first.headers["x-cache"] == "MISS"
    assert (await client.post("/graphql", json={"query": SECTIONS})).headers["x-cache"] == "HIT"

    redis_server.stop()
    for _ in range(5):  # over the key's limit of 3: limits fail open while Redis is away
        response = await client.post("/graphql", json={"query": SECTIONS}, headers=headers)
        assert response.status_code == 200, response.text
        assert response.json()["data"] == first.json()["data"]
    anonymous = await client.post("/graphql", json={"query": SECTIONS})
    assert anonymous.status_code == 200
    assert anonymous.headers["x-cache"] == "MISS"  # the cache misses, it does not fail
    warnings = " ".join(record.getMessage() for record in caplog.records)
    assert "rate limiter unavailable, admitting request" in warnings
    assert "response cache unavailable" in warnings

    redis_server.start()
    await asyncio.sleep(0.2)
    statuses = [
        (await client.post("/graphql", json={"query": SECTIONS}, headers=headers)).status_code
        for _ in range(4)
    ]
    assert statuses == [200, 200, 200, 429]  # one shared budget again, no restart
    await client.post("/graphql", json={"query": SECTIONS})
    assert (await client.post("/graphql", json={"query": SECTIONS})).headers["x-cache"] == "HIT"
