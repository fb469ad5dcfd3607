"""Calling the API as someone: anonymous, or with an API key of given scopes, on the shared
test app or on one built with other settings (limits, REQUIRE_KEY, Redis).

Also: a fingerprint of every table a write can touch, to show that a refused write changed
nothing, and the Redis URL for Redis-backed tests (skipped, or failed in CI, when unreachable).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.applications import Starlette

from api.database import Database
from api.http.app import create_app
from api.services import keys
from api.settings import Settings

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"

# Every table a mutation (or key management) can write, for before/after comparisons.
WRITABLE_TABLES = (
    "sources",
    "sections",
    "authors",
    "tags",
    "articles",
    "article_authors",
    "article_tags",
    "article_countries",
    "related_stories",
    "related_dirty",
    "newsletter_issues",
    "newsletter_items",
    "newsletter_subscribers",
    "api_keys",
    "audit_log",
    "images",
    "jobs",
    "events",
    "change_log",
    "webhook_endpoints",
    "webhook_deliveries",
    "source_feeds",
    "ingested_entries",
)
# Bookkeeping that any authenticated request may update, and that is not content.
IGNORED_COLUMNS = {"api_keys": "last_used_at"}


async def issue_key(
    db_session: AsyncSession, *scopes: str, rate_limit: int | None = None, name: str | None = None
) -> str:
    """A new key (committed to the test's savepoint, so the app sees it); its plaintext."""
    issued = await keys.create_key(
        db_session, name or f"test-{uuid.uuid4().hex[:10]}", list(scopes), rate_limit
    )
    await db_session.commit()
    return issued.plaintext


def bearer(key: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"} if key else {}


async def post(
    client: httpx.AsyncClient,
    query: str,
    key: str | None = None,
    headers: dict[str, str] | None = None,
    **variables: Any,
) -> httpx.Response:
    return await client.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={**bearer(key), **(headers or {})},
    )


async def execute(
    client: httpx.AsyncClient, query: str, key: str | None = None, **variables: Any
) -> dict[str, Any]:
    """The response body of a request that must reach execution (HTTP 200)."""
    response = await post(client, query, key, **variables)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def data(
    client: httpx.AsyncClient, query: str, key: str | None = None, **variables: Any
) -> dict[str, Any]:
    """`data` of a request that must succeed without any GraphQL error."""
    body = await execute(client, query, key, **variables)
    assert "errors" not in body, body["errors"]
    result: dict[str, Any] = body["data"]
    return result


def error_codes(body: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in body.get("errors", [])]


@asynccontextmanager
async def app_client(
    settings: Settings, database: Database, **overrides: Any
) -> AsyncIterator[tuple[httpx.AsyncClient, Starlette]]:
    """A client on an app with `overrides` applied to the test settings."""
    # Validated like the environment would be (URLs become secrets, numbers are checked).
    app = create_app(Settings(**{**settings.model_dump(), **overrides}), database=database)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client, app
    finally:
        await close_app(app)  # no lifespan under ASGITransport


async def close_app(app: Starlette) -> None:
    """What the app's lifespan would close (ASGITransport runs no lifespan): its Redis client."""
    redis = app.state.redis
    if redis is not None:
        await redis.aclose()


async def fingerprint(db_session: AsyncSession) -> dict[str, tuple[int, str]]:
    """Per table: row count and a hash of every row's full contents."""
    found: dict[str, tuple[int, str]] = {}
    for table in WRITABLE_TABLES:
        ignored = IGNORED_COLUMNS.get(table)
        rows = f"(SELECT {table} AS r FROM {table})"
        if ignored:
            rows = f"(SELECT to_jsonb({table}) - '{ignored}' AS r FROM {table})"
        row = (
            await db_session.execute(
                text(
                    "SELECT count(*), "
                    "coalesce(md5(string_agg(t.r::text, '|' ORDER BY t.r::text)), '') "
                    f"FROM {rows} AS t"
                )
            )
        ).one()
        found[table] = (row[0], row[1])
    return found


def redis_url_for_tests() -> str:
    return os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL


async def require_redis() -> str:
    """The Redis URL when a Redis answers; otherwise skip (fail when CI demands Redis tests)."""
    url = redis_url_for_tests()
    client = Redis.from_url(url, socket_connect_timeout=1)
    try:
        await client.ping()
    except (RedisError, OSError) as error:
        reason = f"no Redis reachable at {url} ({error}); set REDIS_URL to run the Redis tests"
        if os.environ.get("BROADSHEET_REQUIRE_REDIS_TESTS") == "1":
            pytest.fail(reason + " - BROADSHEET_REQUIRE_REDIS_TESTS=1 demands them")
        pytest.skip(reason)
    finally:
        await client.aclose()
    return url


def unique_prefix() -> str:
    """A Redis key prefix of its own, so concurrent or repeated test runs never share budgets."""
    return f"broadsheet-test:{uuid.uuid4().hex}:"
