"""Rate limits: the algorithm, both backends (in-process and a real Redis), and HTTP behaviour:
RateLimit-* headers on every response, 429 + Retry-After + RATE_LIMITED over the limit, one
budget shared by two app instances on one Redis."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession

from api.access.ratelimit import MemoryRateLimiter, RateLimiter, RedisRateLimiter
from api.database import Database
from api.settings import Settings
from tests.api_clients import app_client, error_codes, issue_key, post, require_redis, unique_prefix

# Asks for `viewer` (who is calling), so the answer is private and carries the RateLimit-*
# headers; public answers do not (a CDN would hand one caller's budget to everyone).
QUERY = "{ articles(first: 1) { totalCount } viewer { keyName } }"
PUBLIC = "{ articles(first: 1) { totalCount } }"
VIEWER = "{ viewer { rateLimit { limit remaining resetAt } } }"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["memory", "redis"])
async def limiter(request: pytest.FixtureRequest) -> AsyncIterator[RateLimiter]:
    if request.param == "memory":
        yield MemoryRateLimiter()
        return
    client = Redis.from_url(await require_redis())
    yield RedisRateLimiter(client, unique_prefix())
    await client.aclose()


async def test_a_burst_of_the_limit_then_refusal(limiter: RateLimiter) -> None:
    decisions = [await limiter.hit("key:burst", 5) for _ in range(6)]
    assert [d.allowed for d in decisions] == [True] * 5 + [False]
    assert [d.remaining for d in decisions] == [4, 3, 2, 1, 0, 0]
    refused = decisions[-1]
    # 5 per minute: one more request every 12 s.
    assert 11_000 <= refused.retry_after_ms <= 12_000
    assert refused.retry_after_seconds == 12
    assert 59 <= refused.reset_seconds <= 60
    assert dict(refused.headers())["Retry-After"] == "12"
    # Other buckets are untouched.
    assert (await limiter.hit("key:other", 5)).remaining == 4


async def test_cost_spends_several_requests_at_once(limiter: RateLimiter) -> None:
    assert (await limiter.hit("key:cost", 10, cost=4)).remaining == 6
    assert not (await limiter.hit("key:cost", 10, cost=7)).allowed
    assert (await limiter.hit("key:cost", 10, cost=6)).remaining == 0


async def test_the_budget_refills_steadily_without_window_edges() -> None:
    clock = FakeClock()
    limiter = MemoryRateLimiter(clock=clock)
    for _ in range(5):
        assert (await limiter.hit("ip:1", 5)).allowed
    assert not (await limiter.hit("ip:1", 5)).allowed
    clock.now += 11.9
    assert not (await limiter.hit("ip:1", 5)).allowed
    clock.now += 0.2  # 12.1 s after the burst: exactly one more
    assert (await limiter.hit("ip:1", 5)).allowed
    assert not (await limiter.hit("ip:1", 5)).allowed
    clock.now += 60
    decision = await limiter.hit("ip:1", 5)
    assert decision.allowed
    assert decision.remaining == 4


async def test_redis_down_admits_requests_and_says_so(caplog: pytest.LogCaptureFixture) -> None:
    client = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.5, socket_timeout=0.5)
    limiter = RedisRateLimiter(client, unique_prefix())
    try:
        started = time.monotonic()
        with caplog.at_level(logging.WARNING, logger="api.access.ratelimit"):
            decision = await limiter.hit("ip:down", 5)
        assert decision.allowed
        assert time.monotonic() - started < 2
        assert "rate limiter unavailable" in caplog.text
    finally:
        await client.aclose()


def assert_headers(response: httpx.Response, limit: int, remaining: int) -> None:
    assert response.headers["RateLimit-Limit"] == str(limit)
    assert response.headers["RateLimit-Remaining"] == str(remaining)
    assert 1 <= int(response.headers["RateLimit-Reset"]) <= 60
    assert response.headers["RateLimit-Policy"] == f"{limit};w=60"


def assert_rate_limited(response: httpx.Response) -> None:
    assert response.status_code == 429, response.text
    assert error_codes(response.json()) == ["RATE_LIMITED"]
    assert 1 <= int(response.headers["Retry-After"]) <= 12
    assert_headers(response, 5, 0)


@pytest.fixture(params=["memory", "redis"])
async def backend(request: pytest.FixtureRequest) -> dict[str, Any]:
    """Settings overrides selecting the in-process or the Redis limiter."""
    if request.param == "memory":
        return {"redis_url": None}
    return {"redis_url": await require_redis(), "broadsheet_redis_prefix": unique_prefix()}


async def test_anonymous_clients_get_5_a_minute_then_429(
    settings: Settings, database: Database, backend: dict[str, Any]
) -> None:
    limits = {"broadsheet_rate_limit_anonymous": 5, **backend}
    async with app_client(settings, database, **limits) as (client, app):
        for remaining in (4, 3, 2, 1, 0):
            response = await post(client, QUERY)
            assert response.status_code == 200
            assert_headers(response, 5, remaining)
        assert_rate_limited(await post(client, QUERY))
        # A header is not an identity (uvicorn's --proxy-headers rewrites the peer address for
        # trusted proxies only): the same peer stays refused.
        spoofed = await post(client, QUERY, headers={"X-Forwarded-For": "10.0.0.1"})
        assert spoofed.status_code == 429
        # Another client address has its own budget.
        elsewhere = httpx.ASGITransport(app=app, client=("10.0.0.2", 40000))
        async with httpx.AsyncClient(transport=elsewhere, base_url="http://testserver") as other:
            response = await post(other, QUERY)
            assert response.status_code == 200
            assert_headers(response, 5, 4)


async def test_each_key_has_its_own_limit(
    settings: Settings, database: Database, db_session: AsyncSession, backend: dict[str, Any]
) -> None:
    limited = await issue_key(db_session, "content:read", rate_limit=5)
    default = await issue_key(db_session, "content:read")
    limits = {"broadsheet_rate_limit_key": 50, "broadsheet_rate_limit_anonymous": 5, **backend}
    async with app_client(settings, database, **limits) as (client, _):
        for remaining in (4, 3, 2, 1, 0):
            response = await post(client, VIEWER, limited)
            assert response.status_code == 200
            assert response.json()["data"]["viewer"]["rateLimit"]["remaining"] == remaining
        assert_rate_limited(await post(client, VIEWER, limited))

        unlimited = await post(client, VIEWER, default)
        assert unlimited.status_code == 200
        assert unlimited.json()["data"]["viewer"]["rateLimit"] == {
            **unlimited.json()["data"]["viewer"]["rateLimit"],
            "limit": 50,
            "remaining": 49,
        }
        anonymous = await post(client, QUERY)
        assert anonymous.status_code == 200
        assert_headers(anonymous, 5, 4)


async def test_public_answers_carry_no_per_caller_headers_but_refusals_do(
    settings: Settings, database: Database
) -> None:
    async with app_client(settings, database, broadsheet_rate_limit_anonymous=2) as (client, _):
        for _ in range(2):
            response = await post(client, PUBLIC)
            assert response.status_code == 200
            assert response.headers["Cache-Control"].startswith("public")
            assert not [h for h in response.headers if h.lower().startswith("ratelimit")]
        refused = await post(client, PUBLIC)
        assert refused.status_code == 429
        assert refused.headers["Cache-Control"] == "private, no-store"
        assert refused.headers["RateLimit-Remaining"] == "0"
        assert refused.headers["X-Request-ID"]


async def test_refused_credentials_spend_the_anonymous_budget(
    settings: Settings, database: Database, backend: dict[str, Any]
) -> None:
    bogus = {"Authorization": "Bearer bsk_live_0123456789ab_" + "y" * 43}
    limits = {"broadsheet_rate_limit_anonymous": 5, **backend}
    async with app_client(settings, database, **limits) as (client, _):
        for _ in range(5):
            response = await client.post("/graphql", json={"query": QUERY}, headers=bogus)
            assert response.status_code == 401
        # Guessing keys is rate-limited like anything else.
        assert_rate_limited(await client.post("/graphql", json={"query": QUERY}, headers=bogus))


async def test_two_app_instances_share_one_budget_in_redis(
    settings: Settings, database: Database, db_session: AsyncSession
) -> None:
    shared = {
        "redis_url": await require_redis(),
        "broadsheet_redis_prefix": unique_prefix(),
        "broadsheet_rate_limit_anonymous": 5,
    }
    key = await issue_key(db_session, "content:read", rate_limit=5)
    async with (
        app_client(settings, database, **shared) as (first, first_app),
        app_client(settings, database, **shared) as (second, second_app),
    ):
        assert first_app is not second_app
        for client, remaining in ((first, 4), (second, 3), (first, 2), (second, 1), (first, 0)):
            response = await post(client, QUERY)
            assert response.status_code == 200
            assert_headers(response, 5, remaining)
        assert_rate_limited(await post(client=second, query=QUERY))
        assert_rate_limited(await post(client=first, query=QUERY))

        # A key's budget is shared the same way.
        for client in (first, second, second, first, second):
            assert (await post(client, VIEWER, key)).status_code == 200
        assert_rate_limited(await post(first, VIEWER, key))
