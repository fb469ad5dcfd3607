"""Several processes, one service: two separate `broadsheet serve` processes sharing Redis (and
one with `--workers 2`) keep one rate limit and one cost budget per key, one persisted-query
store, one response cache (purged by a write on either), and accept each other's cursors."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.servers import ServerProcess, create_key, sharing_redis
from tests.test_live import new_article, publish

# Cost 1,901 each; two documents, so the response cache cannot answer the second for free.
COSTLY = "query Costly%s { articles(first: 100) { nodes { id related(first: 18) { id } } } }"
FEED = "query Feed($after: String) { articles(first: 5, after: $after) { pageInfo { endCursor } nodes { id } } }"
PERSISTED = "query PersistedSections { sections { slug } }"


async def post(
    server: ServerProcess, body: dict[str, Any], key: str | None = None
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    async with httpx.AsyncClient(base_url=server.url, timeout=20) as client:
        return await client.post("/graphql", json=body, headers=headers)


async def test_one_rate_limit_per_key_across_processes(
    server_pair: tuple[ServerProcess, ServerProcess], served_database_url: str
) -> None:
    key = await create_key(served_database_url, "content:read", rate_limit=4)
    statuses = [
        (await post(server_pair[i % 2], {"query": "{ sections { slug } }"}, key)).status_code
        for i in range(6)
    ]
    assert statuses == [200, 200, 200, 200, 429, 429]


async def test_one_cost_budget_per_key_across_processes(
    server_pair: tuple[ServerProcess, ServerProcess], served_database_url: str
) -> None:
    key = await create_key(served_database_url, "content:read")
    first = await post(server_pair[0], {"query": COSTLY % "One"}, key)
    assert first.status_code == 200, first.text
    second = await post(server_pair[1], {"query": COSTLY % "Two"}, key)  # budget 3,000/minute
    assert second.status_code == 429
    assert second.json()["errors"][0]["extensions"]["limit"] == "costBudget"


async def test_a_query_persisted_on_one_process_runs_on_the_other(
    server_pair: tuple[ServerProcess, ServerProcess],
) -> None:
    digest = hashlib.sha256(PERSISTED.encode()).hexdigest()
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": digest}}
    registered = await post(server_pair[0], {"query": PERSISTED, "extensions": extensions})
    assert registered.status_code == 200
    async with httpx.AsyncClient(base_url=server_pair[1].url, timeout=10) as client:
        by_hash = await client.get(
            "/graphql",
            params={"extensions": f'{{"persistedQuery":{{"version":1,"sha256Hash":"{digest}"}}}}'},
        )
    assert by_hash.status_code == 200, by_hash.text
    assert by_hash.json()["data"] == registered.json()["data"]


async def test_one_response_cache_purged_by_a_write_on_either_process(
    server_pair: tuple[ServerProcess, ServerProcess], served_database_url: str
) -> None:
    first, second = server_pair
    query = {"query": "query CachedFront { articles(first: 3) { nodes { headline } } }"}
    filled = await post(first, query)
    assert filled.headers.get("x-cache") in ("MISS", "HIT")
    served = await post(second, query)
    assert served.headers["x-cache"] == "HIT"
    desk = await create_key(served_database_url, "content:write")
    story = await new_article(second, desk, "Cache purge across processes", "economy")
    await publish(second, desk, story)
    refreshed = await post(first, query)
    assert refreshed.headers["x-cache"] == "MISS"
    headlines = [n["headline"] for n in refreshed.json()["data"]["articles"]["nodes"]]
    assert headlines[0] == "Cache purge across processes"


async def test_a_cursor_from_one_process_pages_on_the_other(
    server_pair: tuple[ServerProcess, ServerProcess],
) -> None:
    first, second = server_pair
    page = (await post(first, {"query": FEED})).json()["data"]["articles"]
    cursor = page["pageInfo"]["endCursor"]
    on_first = await post(first, {"query": FEED, "variables": {"after": cursor}})
    on_second = await post(second, {"query": FEED, "variables": {"after": cursor}})
    assert on_second.status_code == 200
    assert "errors" not in on_second.json()
    assert on_second.json()["data"] == on_first.json()["data"]


@pytest.fixture(scope="module")
def two_workers(served_database_url: str) -> Iterator[ServerProcess]:
    with (
        sharing_redis(served_database_url, "workers-secret") as env,
        ServerProcess(env, workers=2) as server,
    ):
        yield server


async def test_two_workers_behave_as_one(
    two_workers: ServerProcess, served_database_url: str
) -> None:
    key = await create_key(served_database_url, "content:read", rate_limit=10)
    # New connections each time, so the kernel spreads them over both workers.
    statuses = [
        (await post(two_workers, {"query": "{ sections { slug } }"}, key)).status_code
        for _ in range(14)
    ]
    assert statuses.count(200) == 10
    assert statuses[10:] == [429] * 4
    page = (await post(two_workers, {"query": FEED})).json()["data"]["articles"]
    cursor = page["pageInfo"]["endCursor"]
    for _ in range(6):
        following = await post(two_workers, {"query": FEED, "variables": {"after": cursor}})
        assert "errors" not in following.json(), following.text
