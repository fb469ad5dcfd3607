"""Rate limits: N requests per minute per bucket (an API key, or an anonymous client's IP).

The algorithm is GCRA (the "generic cell rate algorithm", a leaky bucket that stores one
timestamp per bucket): a limit of N per minute admits a burst of N, then one more request
every 60/N seconds. Unlike a fixed window it has no boundary where 2N requests slip through,
and unlike a sliding log it costs O(1) memory per bucket.

Two backends behind one interface: `RedisRateLimiter` (one atomic Lua script, Redis's own
clock, so every API replica shares one budget) and `MemoryRateLimiter` (this process only).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from redis.asyncio import Redis
from redis.exceptions import NoScriptError, RedisError

logger = logging.getLogger(__name__)

PERIOD_MS = 60_000


@dataclass(frozen=True)
class RateLimitDecision:
    """The outcome of one request against its bucket, and the bucket's state after it."""

    allowed: bool
    limit: int
    remaining: int
    reset_after_ms: int  # until the bucket is full again (all `limit` requests available)
    retry_after_ms: int  # until the next request would be admitted; 0 when allowed
    decided_at: datetime

    @property
    def reset_at(self) -> datetime:
        return self.decided_at + timedelta(milliseconds=self.reset_after_ms)

    @property
    def reset_seconds(self) -> int:
        return math.ceil(self.reset_after_ms / 1000)

    @property
    def retry_after_seconds(self) -> int:
        return max(1, math.ceil(self.retry_after_ms / 1000))

    def headers(self) -> list[tuple[str, str]]:
        """RateLimit-* headers (IETF draft-ietf-httpapi-ratelimit-headers), plus Retry-After."""
        headers = [
            ("RateLimit-Limit", str(self.limit)),
            ("RateLimit-Remaining", str(self.remaining)),
            ("RateLimit-Reset", str(self.reset_seconds)),
            ("RateLimit-Policy", f"{self.limit};w={PERIOD_MS // 1000}"),
        ]
        if not self.allowed:
            headers.append(("Retry-After", str(self.retry_after_seconds)))
        return headers


class RateLimiter(Protocol):
    async def hit(self, bucket: str, limit: int, cost: int = 1) -> RateLimitDecision:
        """Spend `cost` of `bucket`'s per-minute `limit`, unless that would exceed it."""
        ...


def gcra(now_ms: float, tat_ms: float, limit: int, cost: int) -> tuple[bool, float, int, int, int]:
    """(allowed, new theoretical arrival time, remaining, reset_after_ms, retry_after_ms).

    `tat` is the "theoretical arrival time": when the bucket would be empty again at the
    sustained rate. A request is admitted when, after adding its cost, the bucket is at most
    one period ahead of now.
    """
    interval = PERIOD_MS / limit
    tat = max(tat_ms, now_ms)
    new_tat = tat + interval * cost
    allow_at = new_tat - PERIOD_MS
    if allow_at > now_ms:
        return False, tat, 0, math.ceil(tat - now_ms), math.ceil(allow_at - now_ms)
    remaining = math.floor((now_ms - allow_at) / interval)
    return True, new_tat, remaining, math.ceil(new_tat - now_ms), 0


class MemoryRateLimiter:
    """Buckets in this process: right for one replica, a development laptop or tests."""

    # Buckets idle for longer than a period are full again; forget them now and then.
    PRUNE_EVERY = 10_000

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._tats: dict[str, float] = {}
        self._hits_since_prune = 0

    async def hit(self, bucket: str, limit: int, cost: int = 1) -> RateLimitDecision:
        now_s = self._clock()
        now_ms = now_s * 1000
        allowed, tat, remaining, reset_ms, retry_ms = gcra(
            now_ms, self._tats.get(bucket, now_ms), limit, cost
        )
        if allowed:
            self._tats[bucket] = tat
        self._hits_since_prune += 1
        if self._hits_since_prune >= self.PRUNE_EVERY:
            self._prune(now_ms)
        return RateLimitDecision(
            allowed=allowed,
            limit=limit,
            remaining=remaining,
            reset_after_ms=reset_ms,
            retry_after_ms=retry_ms,
            decided_at=datetime.fromtimestamp(now_s, UTC),
        )

    def _prune(self, now_ms: float) -> None:
        self._hits_since_prune = 0
        self._tats = {bucket: tat for bucket, tat in self._tats.items() if tat > now_ms}


# KEYS[1] bucket; ARGV: period ms, limit, cost. Redis's clock (TIME), so replicas whose clocks
# disagree still share one budget. Returns {allowed, remaining, reset ms, retry ms, now ms}.
_GCRA_SCRIPT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local period = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local interval = period / limit
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local new_tat = tat + interval * cost
local allow_at = new_tat - period
if allow_at > now then
  return {0, 0, math.ceil(tat - now), math.ceil(allow_at - now), now}
end
redis.call('SET', KEYS[1], string.format('%.3f', new_tat), 'PX', math.ceil(new_tat - now))
return {1, math.floor((now - allow_at) / interval), math.ceil(new_tat - now), 0, now}
"""


class RedisRateLimiter:
    """Buckets in Redis, shared by every replica. Atomic: one Lua script per request.

    When Redis cannot be reached the request is admitted (fail open: a news site should stay
    readable when its limiter is down) and a warning is logged.
    """

    def __init__(self, redis: Redis, prefix: str = "broadsheet:") -> None:
        self._redis = redis
        self._prefix = prefix
        self._script = redis.register_script(_GCRA_SCRIPT)

    async def hit(self, bucket: str, limit: int, cost: int = 1) -> RateLimitDecision:
        key = f"{self._prefix}ratelimit:{bucket}"
        try:
            reply = await self._script(keys=[key], args=[PERIOD_MS, limit, cost])
        except (RedisError, OSError) as error:
            return _admitted_blind(limit, error)
        return _decision(limit, reply)

    async def hit_and_get(
        self, bucket: str, limit: int, name: str
    ) -> tuple[RateLimitDecision, bytes | str | None]:
        """`hit(bucket, limit)` and GET `name`, in one round trip (a pipeline): the caller reads
        what it will probably need next (api/http/prefetch.py). A failed GET reads as None."""
        key = f"{self._prefix}ratelimit:{bucket}"
        try:
            try:
                reply, value = await self._pipelined(key, limit, name)
            except NoScriptError:  # Redis restarted or flushed its scripts: load, then again
                await self._redis.script_load(_GCRA_SCRIPT)
                reply, value = await self._pipelined(key, limit, name)
        except (RedisError, OSError) as error:
            return _admitted_blind(limit, error), None
        return _decision(limit, reply), value if isinstance(value, bytes | str) else None

    async def _pipelined(self, key: str, limit: int, name: str) -> list[Any]:
        # EVALSHA by hand: redis-py's Script in a pipeline asks SCRIPT EXISTS first, a round
        # trip of its own on every execute.
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.evalsha(self._script.sha, 1, key, PERIOD_MS, limit, 1)
            pipe.get(name)
            return list(await pipe.execute(raise_on_error=True))


def _admitted_blind(limit: int, error: BaseException) -> RateLimitDecision:
    """Redis could not be asked: admit (fail open), and say so in the log."""
    logger.warning("rate limiter unavailable, admitting request: %s", error)
    return RateLimitDecision(
        allowed=True,
        limit=limit,
        remaining=limit,
        reset_after_ms=0,
        retry_after_ms=0,
        decided_at=datetime.now(UTC),
    )


def _decision(limit: int, reply: Any) -> RateLimitDecision:
    """The GCRA script's reply as a decision."""
    allowed, remaining, reset_ms, retry_ms, now_ms = reply
    return RateLimitDecision(
        allowed=bool(allowed),
        limit=limit,
        remaining=int(remaining),
        reset_after_ms=int(reset_ms),
        retry_after_ms=int(retry_ms),
        decided_at=datetime.fromtimestamp(int(now_ms) / 1000, UTC),
    )


def create_rate_limiter(redis: Redis | None, prefix: str = "broadsheet:") -> RateLimiter:
    """Redis when one is configured (the process's client, api/redis.py), else in-process."""
    if redis is not None:
        return RedisRateLimiter(redis, prefix)
    return MemoryRateLimiter()
