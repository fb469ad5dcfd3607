"""A cacheable GET costs one Redis round trip (api/http/prefetch.py): the rate-limit charge and
the response-cache read are pipelined; the charge still decides first."""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from redis.asyncio.connection import AbstractConnection

from api.database import Database
from api.settings import Settings
from tests.api_clients import app_client, require_redis, unique_prefix
from tests.http_support import drop_redis_prefix

QUERY = "query Front { articles(first: 3) { nodes { headline } } }"
HASH = hashlib.sha256(QUERY.encode()).hexdigest()
BY_HASH = {
    "operationName": "Front",
    "extensions": json.dumps({"persistedQuery": {"version": 1, "sha256Hash": HASH}}),
}


class RoundTrips:
    """Counts what the app's Redis client writes to Redis: one packed write per round trip."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        send = AbstractConnection.send_packed_command

        async def counted(connection: AbstractConnection, *args: Any, **kwargs: Any) -> None:
            self.count += 1
            await send(connection, *args, **kwargs)

        monkeypatch.setattr(AbstractConnection, "send_packed_command", counted)


@pytest.fixture
async def redis_client(
    settings: Settings, database: Database
) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
    redis_url = await require_redis()
    prefix = unique_prefix()
    try:
        async with app_client(
            settings,
            database,
            redis_url=redis_url,
            broadsheet_redis_prefix=prefix,
            broadsheet_response_cache=True,
            broadsheet_rate_limit_anonymous=3,
        ) as (client, _):
            yield client, prefix
    finally:
        await drop_redis_prefix(redis_url, prefix)


async def test_a_cached_get_costs_one_redis_round_trip(
    redis_client: tuple[httpx.AsyncClient, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    client, _ = redis_client
    registered = await client.get("/graphql", params={**BY_HASH, "query": QUERY})
    assert registered.status_code == 200, registered.text
    assert registered.headers["x-cache"] == "MISS"
    trips = RoundTrips(monkeypatch)
    hit = await client.get("/graphql", params=BY_HASH)
    assert hit.status_code == 200
    assert hit.headers["x-cache"] == "HIT"
    assert hit.content == registered.content
    assert trips.count == 1


async def test_the_charge_still_refuses_a_cached_answer(
    redis_client: tuple[httpx.AsyncClient, str],
) -> None:
    client, _ = redis_client
    answers = [await client.get("/graphql", params={**BY_HASH, "query": QUERY}) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[2].headers["x-cache"] == "HIT"
    assert "ratelimit-limit" in answers[3].headers
