"""The process's one Redis client, shared by rate limits, persisted queries and the cache.

Short timeouts: a dead Redis must not hold requests up. Each user of the client treats a Redis
failure its own documented way (rate limits fail open, the cache misses, ...).
"""

from __future__ import annotations

from redis.asyncio import Redis

from api.settings import Settings

SOCKET_TIMEOUT_S = 0.5


def connect(settings: Settings) -> Redis | None:
    """A client for REDIS_URL (connections are made on first use), or None when unset."""
    if settings.redis_url is None:
        return None
    return Redis.from_url(
        settings.redis_url.get_secret_value(),
        socket_connect_timeout=SOCKET_TIMEOUT_S,
        socket_timeout=SOCKET_TIMEOUT_S,
    )
