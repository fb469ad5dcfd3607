"""Read-your-writes: the WAL position of each caller's last write, so its next reads can wait for
a replica to replay it (api/replica.py).

A caller is an API key, or an anonymous client address. After a mutation commits, the primary's
WAL position is remembered for BROADSHEET_READ_YOUR_WRITES_SECONDS: in Redis when configured, so
a read served by another process sees it too, and always in this process, so a Redis outage
still keeps the guarantee for the process that made the write.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from redis.asyncio import Redis
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

MAX_REMEMBERED = 100_000  # callers held in memory; the oldest marks go first


def parse_lsn(text: str) -> int:
    """`16/B374D848` (PostgreSQL's pg_lsn text) as a number that orders like the WAL."""
    high, _, low = text.partition("/")
    return (int(high, 16) << 32) | int(low, 16)


class WriteMarks:
    """The WAL position of each caller's last write, for a while."""

    def __init__(
        self,
        redis: Redis | None,
        prefix: str,
        ttl_s: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._redis = redis
        self._prefix = f"{prefix}lsn:"
        self._ttl = ttl_s
        self._clock = clock
        self._memory: dict[str, tuple[int, float]] = {}

    async def remember(self, caller: str, lsn: int) -> None:
        """`caller` wrote; its reads until the mark expires must see WAL up to `lsn`."""
        self._memory.pop(caller, None)
        self._memory[caller] = (lsn, self._clock() + self._ttl)
        while len(self._memory) > MAX_REMEMBERED:
            del self._memory[next(iter(self._memory))]
        if self._redis is None:
            return
        try:
            # Only ever raised: two processes racing keep the later write's position.
            await self._redis.eval(_KEEP_HIGHEST, 1, self._prefix + caller, lsn, self._ttl)
        except (RedisError, OSError) as error:
            logger.warning("could not share a write position in Redis: %s", error)

    async def last(self, caller: str) -> int | None:
        """The position `caller`'s reads must see, or None when it wrote nothing lately."""
        known = self._memory.get(caller)
        local = known[0] if known is not None and known[1] > self._clock() else None
        shared = None
        if self._redis is not None:
            try:
                value = await self._redis.get(self._prefix + caller)
                shared = int(value) if value is not None else None
            except (RedisError, OSError, ValueError) as error:
                logger.warning("could not read a write position from Redis: %s", error)
        marks = [mark for mark in (local, shared) if mark is not None]
        return max(marks) if marks else None


_KEEP_HIGHEST = """
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) > current then
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
else
  redis.call('EXPIRE', KEYS[1], ARGV[2])
end
return 1
"""
