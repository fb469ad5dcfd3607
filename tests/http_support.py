"""Helpers for the GraphQL-over-HTTP tests: raw requests (apps with other settings come from
tests/api_clients.py's `app_client`)."""

from __future__ import annotations

import socket
from typing import Any

import httpx

from tests.api_clients import app_client

__all__ = ["app_client", "drop_redis_prefix", "free_port", "post_json"]

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"


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


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port
