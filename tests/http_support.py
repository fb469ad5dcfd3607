"""Helpers for the GraphQL-over-HTTP tests: apps built with other settings, and raw requests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from starlette.applications import Starlette

from api.app import create_app
from api.database import Database
from api.settings import Settings

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"


@asynccontextmanager
async def app_client(
    settings: Settings, database: Database, **overrides: Any
) -> AsyncIterator[tuple[httpx.AsyncClient, Starlette]]:
    """A client on an app with `overrides` applied to the test settings (validated as the
    environment would be)."""
    app = create_app(Settings(**{**settings.model_dump(), **overrides}), database=database)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client, app
    finally:
        # No lifespan under ASGITransport: close what the app opened.
        await app.state.graphql.aclose()
        access = getattr(app.state, "access", None)
        if access is not None:
            await access.aclose()


async def post_json(
    client: httpx.AsyncClient,
    body: Any,
    accept: str | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    all_headers = {"Content-Type": "application/json", **(headers or {})}
    if accept is not None:
        all_headers["Accept"] = accept
    return await client.post("/graphql", json=body, headers=all_headers)


async def drop_redis_prefix(url: str, prefix: str) -> None:
    """Delete every key a test wrote under its own prefix."""
    from redis.asyncio import Redis

    client = Redis.from_url(url)
    try:
        keys = [key async for key in client.scan_iter(match=f"{prefix}*")]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()
