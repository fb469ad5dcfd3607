"""A real primary and streaming replica (tests/replication.py) behind two `broadsheet serve`
processes sharing Redis: reads go to the replica, a caller reads its own writes at once (on
another process too), a stopped replica sends reads to the primary without an error and is used
again when it is back, and the replica's lag is measured under a burst of writes."""

from __future__ import annotations

import asyncio
import os
import re
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from tests.api_clients import require_redis, unique_prefix
from tests.http_support import drop_redis_prefix
from tests.replication import ReplicatedPostgres, postgres_bin, replicated_postgres
from tests.servers import ServerProcess, create_key, migrate_and_seed, servers
from tests.test_live import CREATE_ARTICLE

ARTICLE = "query($id: ID!) { node(id: $id) { ... on Article { headline } } }"
SECTIONS = "{ sections { slug name } }"
BURST = 100
BURST_CONCURRENCY = 8


@pytest.fixture(scope="module")
def cluster() -> Iterator[ReplicatedPostgres]:
    binaries = postgres_bin()
    if binaries is None:
        if os.environ.get("CI"):
            pytest.fail("CI needs PostgreSQL's server binaries for the replica tests")
        pytest.skip("no PostgreSQL server binaries (/usr/lib/postgresql/*/bin)")
    with replicated_postgres(binaries) as cluster:
        migrate_and_seed(cluster.primary.url)
        yield cluster


@pytest.fixture(scope="module")
def replicated_servers(cluster: ReplicatedPostgres) -> Iterator[tuple[ServerProcess, ...]]:
    redis_url = asyncio.run(require_redis())
    prefix = unique_prefix()
    env = {
        "DATABASE_URL": cluster.primary.url,
        "DATABASE_READ_URL": cluster.replica.url,
        "REDIS_URL": redis_url,
        "BROADSHEET_REDIS_PREFIX": prefix,
        "BROADSHEET_SECRET_KEY": "replica-secret",
        "DATABASE_READ_WAIT_MS": "300",
        "DATABASE_READ_RETRY_SECONDS": "1",
        "DB_POOL_TIMEOUT": "2",
    }
    try:
        with servers(ServerProcess(env), ServerProcess(env)) as pair:
            yield pair
    finally:
        asyncio.run(drop_redis_prefix(redis_url, prefix))


@pytest.fixture
async def primary(cluster: ReplicatedPostgres) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(cluster.primary.url, isolation_level="AUTOCOMMIT")
    yield engine
    await engine.dispose()


@pytest.fixture
async def replica(cluster: ReplicatedPostgres) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(cluster.replica.url, isolation_level="AUTOCOMMIT")
    yield engine
    await engine.dispose()


async def sql(engine: AsyncEngine, statement: str) -> Any:
    async with engine.connect() as connection:
        result = await connection.execute(text(statement))
        return result.scalar() if result.returns_rows else None


async def graphql(
    server: ServerProcess, query: str, key: str | None = None, **variables: Any
) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
        response = await client.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    return body["data"]


async def metric(server: ServerProcess, name: str) -> float:
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
        exposition = (await client.get("/metrics")).text
    pattern = rf"^{re.escape(name)} (\S+)$"
    found = re.search(pattern, exposition, re.MULTILINE)
    assert found, f"{name} not in /metrics"
    return float(found.group(1))


async def wait_for(condition: Any, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not await condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.1)


async def test_reads_go_to_the_replica(
    replicated_servers: tuple[ServerProcess, ...], primary: AsyncEngine, replica: AsyncEngine
) -> None:
    server = replicated_servers[0]
    await sql(replica, "SELECT 1 FROM pg_wal_replay_pause()")
    try:
        # Written behind the API's back: no caller's write mark, so reads stay on the replica.
        await sql(
            primary, "UPDATE sections SET name = 'Diplomacy (paused)' WHERE slug = 'diplomacy'"
        )
        names = {s["slug"]: s["name"] for s in (await graphql(server, SECTIONS))["sections"]}
        assert names["diplomacy"] == "Diplomacy"  # the replica has not replayed it
    finally:
        await sql(replica, "SELECT 1 FROM pg_wal_replay_resume()")

    async def replayed() -> bool:
        sections = (await graphql(server, SECTIONS))["sections"]
        return {s["slug"]: s["name"] for s in sections}["diplomacy"] == "Diplomacy (paused)"

    await wait_for(replayed)
    await sql(primary, "UPDATE sections SET name = 'Diplomacy' WHERE slug = 'diplomacy'")
    assert await metric(server, 'broadsheet_replica_reads_total{target="replica"}') > 0


async def test_a_caller_reads_its_own_write_at_once_on_any_process(
    replicated_servers: tuple[ServerProcess, ...],
    cluster: ReplicatedPostgres,
    replica: AsyncEngine,
) -> None:
    writer, other = replicated_servers
    desk = await create_key(cluster.primary.url, "content:write")
    colleague = await create_key(cluster.primary.url, "content:write")
    await sql(replica, "SELECT 1 FROM pg_wal_replay_pause()")
    try:
        created = await graphql(
            writer,
            CREATE_ARTICLE,
            desk,
            input={
                "source": "the-korea-herald",
                "section": "economy",
                "headline": "Read your own writes",
                "body": "<p>Written on one process, read on the other.</p>",
            },
        )
        article_id = created["createArticle"]["article"]["id"]
        seen = await graphql(other, ARTICLE, desk, id=article_id)
        assert seen["node"] == {"headline": "Read your own writes"}
        # Someone else reads the paused replica: the story is not there for them yet.
        assert (await graphql(other, ARTICLE, colleague, id=article_id))["node"] is None
        assert await metric(other, 'broadsheet_replica_reads_total{target="primary:behind"}') >= 1
    finally:
        await sql(replica, "SELECT 1 FROM pg_wal_replay_resume()")

    async def everyone_sees_it() -> bool:
        node = (await graphql(other, ARTICLE, colleague, id=article_id))["node"]
        return node is not None

    await wait_for(everyone_sees_it)


async def test_a_stopped_replica_sends_reads_to_the_primary_and_comes_back(
    replicated_servers: tuple[ServerProcess, ...], cluster: ReplicatedPostgres
) -> None:
    server = replicated_servers[0]
    assert await metric(server, "broadsheet_replica_up") == 1
    before = await graphql(server, SECTIONS)
    cluster.replica.stop("fast")
    try:
        for _ in range(5):  # no request fails: the primary answers
            assert await graphql(server, SECTIONS) == before
        assert await metric(server, "broadsheet_replica_up") == 0
        assert await metric(server, 'broadsheet_replica_reads_total{target="primary:down"}') >= 1
        assert "read replica unreachable, reading from the primary" in server.output()
    finally:
        cluster.replica.start()

    async def back() -> bool:
        await graphql(server, SECTIONS)
        return await metric(server, "broadsheet_replica_up") == 1

    await wait_for(back, seconds=15)
    replica_reads = await metric(server, 'broadsheet_replica_reads_total{target="replica"}')
    await graphql(server, SECTIONS)
    assert await metric(server, 'broadsheet_replica_reads_total{target="replica"}') > replica_reads
    assert "read replica is back" in server.output()


async def test_replica_lag_under_a_write_burst(
    replicated_servers: tuple[ServerProcess, ...],
    cluster: ReplicatedPostgres,
    primary: AsyncEngine,
) -> None:
    """Measured, not only asserted: the lag a burst of mutations causes (printed with -s)."""
    writer = replicated_servers[0]
    desk = await create_key(cluster.primary.url, "content:write")
    samples: list[tuple[int, float]] = []
    done = asyncio.Event()

    async def sample() -> None:
        while not done.is_set():
            async with primary.connect() as connection:
                row = (
                    await connection.execute(
                        text(
                            "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::bigint, "
                            "coalesce(extract(epoch FROM replay_lag), 0) FROM pg_stat_replication"
                        )
                    )
                ).one()
            samples.append((int(row[0] or 0), float(row[1])))
            await asyncio.sleep(0.02)

    async def write(index: int) -> None:
        await graphql(
            writer,
            CREATE_ARTICLE,
            desk,
            input={
                "source": "the-daily-star",
                "section": "economy",
                "headline": f"Burst story {index}",
                "body": "<p>" + "Markets moved. " * 50 + "</p>",
            },
        )

    sampler = asyncio.create_task(sample())
    started = time.perf_counter()
    queue = list(range(BURST))

    async def worker() -> None:
        while queue:
            await write(queue.pop())

    await asyncio.gather(*(worker() for _ in range(BURST_CONCURRENCY)))
    elapsed = time.perf_counter() - started
    done.set()
    await sampler
    max_bytes = max(b for b, _ in samples)
    max_seconds = max(s for _, s in samples)
    print(
        f"write burst: {BURST} mutations in {elapsed:.1f} s ({BURST / elapsed:.0f}/s); "
        f"replica lag max {max_bytes} bytes, replay lag max {max_seconds * 1000:.1f} ms "
        f"({len(samples)} samples)"
    )
    assert max_seconds < 5
    assert await metric(writer, "broadsheet_replica_lag_bytes") >= 0
