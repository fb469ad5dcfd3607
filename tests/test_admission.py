"""A burst waits its turn in the admission queue instead of timing out inside the database pool;
when the queue is full the answer is 503 with Retry-After, at once. Every 503 says when to retry.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette

from api.database import Database
from api.http.app import create_app
from api.settings import Settings
from tests.api_clients import close_app

FRONT_PAGE = "{ articles(first: 20) { nodes { id headline section { name } tags { slug } } } }"


@pytest.fixture
def small_pool(settings: Settings) -> Settings:
    return Settings(
        **{
            **settings.model_dump(),
            "db_pool_size": 2,
            "db_max_overflow": 0,
            "db_pool_timeout": 0.5,
            "broadsheet_rate_limit_anonymous": 100_000,
            "broadsheet_cost_budget_anonymous": 100_000_000,
        }
    )


async def served(settings: Settings, database_url: str) -> tuple[Starlette, Database]:
    database = Database.connect(database_url, settings)
    return create_app(settings, database=database), database


async def test_a_burst_larger_than_the_pool_waits_its_turn_instead_of_failing(
    small_pool: Settings, database_url: str, engine: AsyncEngine
) -> None:
    """Two connections, a one-second stall, twelve requests: without the queue, ten would wait
    in the pool past DB_POOL_TIMEOUT (0.5 s) and fail; with it they wait their turn."""
    app, database = await served(small_pool, database_url)
    try:
        transport = httpx.ASGITransport(app=app)
        async with (
            engine.connect() as locker,
            httpx.AsyncClient(transport=transport, base_url="http://t") as client,
        ):
            await locker.begin()
            await locker.execute(text("LOCK TABLE articles IN ACCESS EXCLUSIVE MODE"))
            burst = asyncio.gather(
                *(client.post("/graphql", json={"query": FRONT_PAGE}) for _ in range(12))
            )
            await asyncio.sleep(1.0)
            await locker.rollback()
            responses = await burst
    finally:
        await close_app(app)
        await database.dispose()
    assert [r.status_code for r in responses] == [200] * 12
    assert all("errors" not in r.json() for r in responses)


async def test_a_full_queue_answers_503_with_retry_after_at_once(
    small_pool: Settings, database_url: str, engine: AsyncEngine
) -> None:
    one_at_a_time = Settings(
        **{
            **small_pool.model_dump(),
            "broadsheet_admission_capacity": 1,
            "broadsheet_admission_queue": 0,
        }
    )
    app, database = await served(one_at_a_time, database_url)
    transport = httpx.ASGITransport(app=app)
    try:
        async with (
            engine.connect() as locker,
            httpx.AsyncClient(transport=transport, base_url="http://t") as client,
        ):
            await locker.begin()
            await locker.execute(text("LOCK TABLE articles IN ACCESS EXCLUSIVE MODE"))
            stuck = asyncio.ensure_future(client.post("/graphql", json={"query": FRONT_PAGE}))
            await asyncio.sleep(0.3)  # the first request now holds the only slot
            refused = await client.post("/graphql", json={"query": FRONT_PAGE})
            await locker.rollback()
            assert (await stuck).status_code == 200
    finally:
        await close_app(app)
        await database.dispose()
    assert refused.status_code == 503
    assert refused.headers["Retry-After"] == "1"
    assert refused.json()["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
    assert refused.headers["X-Request-ID"]
    metrics = await httpx.AsyncClient(transport=transport, base_url="http://t").get("/metrics")
    assert "broadsheet_admission_refused_total 1.0" in metrics.text
