"""One Redis round trip for a cacheable GET: the request's rate-limit charge and the response
cache entry it will probably be answered with, pipelined together.

It applies when rate limits and the response cache both live in Redis and the request is a GET
for published content: its parameters are in the URL, so the guard knows the cache key before
the endpoint runs (the same document, operation, variables and visibility the endpoint keys on;
a by-hash document only when this process holds it already). The charge is decided exactly as
without the prefetch, before anything is served; the endpoint uses the entry read alongside only
if its own key is the same, after resolving the document as always (trusted-only checks
included), and nobody uses it when the request is refused. POSTs, and in-process backends, go as
before: a charge, then a lookup.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request
from starlette.types import Scope

from api.access.policy import Access, Caller
from api.access.principal import visibility_for
from api.access.ratelimit import RateLimitDecision, RateLimiter, RedisRateLimiter
from api.caching import CachedResponse, RedisResponseCache, ResponseCache, cache_key
from api.errors import RequestError
from api.http.persisted import PersistedQueries
from api.http.protocol import read_params

PREFETCH_STATE = "broadsheet.prefetched"


@dataclass(frozen=True)
class Prefetched:
    """The cache entry read with the rate-limit charge, and the key it was read for."""

    key: str
    cached: CachedResponse | None


class CachePrefetch:
    """Charges a GET's rate limit and reads its likely cache entry in one round trip."""

    def __init__(
        self, limiter: RedisRateLimiter, cache: RedisResponseCache, persisted: PersistedQueries
    ) -> None:
        self._limiter = limiter
        self._cache = cache
        self._persisted = persisted

    @classmethod
    def create(
        cls, limiter: RateLimiter, cache: ResponseCache, persisted: PersistedQueries
    ) -> CachePrefetch | None:
        """A prefetch when both live in Redis (the same client), else None."""
        if isinstance(limiter, RedisRateLimiter) and isinstance(cache, RedisResponseCache):
            return cls(limiter, cache, persisted)
        return None

    async def key_for(self, scope: Scope, caller: Caller) -> str | None:
        """The response cache key the endpoint will look up, when it can be told now."""
        if scope.get("method") != "GET" or visibility_for(caller.principal).include_unpublished:
            return None
        try:
            params = await read_params(Request(scope), 0)  # a GET: the URL only, no body
        except RequestError:
            return None  # the endpoint will refuse it, after the charge as always
        query = params.query or self._persisted.known_document(params.extensions)
        if query is None:
            return None
        return cache_key(query, params.operation_name, params.variables, "public")

    async def admit(
        self, access: Access, caller: Caller, key: str, scope: Scope
    ) -> RateLimitDecision:
        """Spend one request of the caller's budget; keep the entry read with it for the
        endpoint (`prefetched_for`)."""
        bucket, limit = access.request_budget(caller)
        decision, raw = await self._limiter.hit_and_get(bucket, limit, self._cache.entry_name(key))
        if decision.allowed:
            scope.setdefault("state", {})[PREFETCH_STATE] = Prefetched(key, self._cache.decode(raw))
        return decision


def prefetched_for(scope: Scope, key: str) -> Prefetched | None:
    """What the guard read for `key` with the request's charge, if it read that key."""
    prefetched = scope.get("state", {}).get(PREFETCH_STATE)
    if isinstance(prefetched, Prefetched) and prefetched.key == key:
        return prefetched
    return None
