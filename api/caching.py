"""Caching, in one place: purge tags, the HTTP cache policy, and the server-side response cache.

Purge tags are plain strings: `article:12` for one entity (any Node type, lower-cased name and
primary key), `list:article` for "a list of articles whose membership can change" (a feed,
related stories, newsletter items). The schema records the entities a response holds
(schema/extensions/tagging.py) and the lists its document reads (schema/analysis.py), and each
mutation marks what it changed (`ResponseTags.invalidate`): changing article 12 purges
`article:12`; publishing or unpublishing it purges `list:article` too.

Who may share a response: a query answered without errors, for a caller who sees only published
content (anonymous, or a key without `content:write`), that selects nothing per-caller
(`viewer`). Such a response gets `Cache-Control: public, max-age, s-maxage,
stale-while-revalidate`, an `ETag` (a hash of the body; `If-None-Match` gets 304 on GET), and
`Surrogate-Key` (space-separated, Fastly) / `Cache-Tag` (comma-separated, Cloudflare) listing the
entities and lists it holds, so a CDN can purge exactly those.
Everything else is `private, no-store`. Responses vary on Accept and on the credentials
(`Authorization`, `X-API-Key`), so a shared cache never hands one caller's answer to another
kind of caller.

The server-side cache (BROADSHEET_RESPONSE_CACHE, Redis when REDIS_URL is set, else in-process)
holds shareable responses for at most BROADSHEET_RESPONSE_CACHE_TTL seconds, keyed by document,
operation name and variables (only public-visibility responses are stored). A mutation marks the
tags it changed (`context.tags.invalidate(...)`); after the request, `purge(tags)` drops every
stored response holding one of them. A response computed while a purge of one of its tags ran
is not stored, so a purge is never undone by a slow reader.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import repeat
from operator import attrgetter
from typing import Any, Protocol

import orjson
from redis.asyncio import Redis
from redis.exceptions import RedisError

from api.settings import Settings

logger = logging.getLogger(__name__)

PRIVATE = "private, no-store"
VARY = "Accept, Authorization, X-API-Key"
GZIP_SUFFIX = "-gzip"


# --- Purge tags: what a response holds, and what a write changed ------------------------------

# Above this many entity tags a response is tagged `<type>:any` per type instead; every purge
# of an entity also purges its type's `:any` tag (CDNs cap tag headers at 16 KB).
MAX_ENTITY_TAGS = 256


ANY = "any"  # the key of a type's catch-all tag, `<type>:any`
_spell = "{}:{}".format  # an entity tag from a lowercased type name and a key (C speed)


def entity_tag(type_name: str, pk: int | str) -> str:
    return _spell(type_name.lower(), pk)


def list_tag(type_name: str) -> str:
    return f"list:{type_name.lower()}"


def purge_tags(tags: Iterable[str]) -> set[str]:
    """`tags` plus the `<type>:any` tag of each entity tag (see MAX_ENTITY_TAGS)."""
    expanded = set(tags)
    for tag in list(expanded):
        kind, _, rest = tag.partition(":")
        if kind != "list" and rest and rest != ANY:
            expanded.add(_spell(kind, ANY))
    return expanded


class ResponseTags:
    """One request's tags: entities seen while executing, lists the document reads, and what
    mutations changed (purged once the request is done, after their commit)."""

    def __init__(self) -> None:
        # Primary keys by type name: made into tags once, when the response is sent.
        self.entities: dict[str, set[int]] = {}
        self.lists: set[str] = set()
        self.changed: set[str] = set()

    def _keys(self, type_name: str) -> set[int]:
        keys = self.entities.get(type_name)
        if keys is None:
            keys = self.entities[type_name] = set()
        return keys

    def record(self, type_name: str, pk: int) -> None:
        """An entity of `type_name` is in the response."""
        self._keys(type_name).add(pk)

    def record_all(self, type_name: str, rows: Iterable[Any]) -> None:
        """These rows of `type_name` (anything with an `id`) are in the response."""
        self._keys(type_name).update(map(_ID, rows))

    def invalidate(self, *tags: str) -> None:
        """Mark `tags` (entity_tag / list_tag values) as changed by this request."""
        self.changed.update(tags)

    def for_response(self) -> list[str]:
        """The tags to send with the response, bounded in number (see MAX_ENTITY_TAGS)."""
        seen = {type_name: keys for type_name, keys in self.entities.items() if keys}
        entities: list[str] = []
        if sum(map(len, seen.values())) > MAX_ENTITY_TAGS:
            entities.extend(entity_tag(type_name, ANY) for type_name in seen)
        else:  # each type name lowered once, not once per entity
            for type_name, keys in seen.items():
                entities.extend(map(_spell, repeat(type_name.lower()), keys))
        return sorted(self.lists) + sorted(entities)


_ID = attrgetter("id")


# --- HTTP caching: policy and validators -------------------------------------------------------


@dataclass(frozen=True)
class CachePolicy:
    """How long browsers and CDNs may keep a public response (defaults: api/settings.py)."""

    max_age: int
    s_maxage: int
    stale_while_revalidate: int

    @classmethod
    def from_settings(cls, settings: Settings) -> CachePolicy:
        return cls(
            max_age=settings.broadsheet_cache_max_age,
            s_maxage=settings.broadsheet_cache_s_maxage,
            stale_while_revalidate=settings.broadsheet_cache_stale_while_revalidate,
        )

    @property
    def public(self) -> str:
        return (
            f"public, max-age={self.max_age}, s-maxage={self.s_maxage}, "
            f"stale-while-revalidate={self.stale_while_revalidate}"
        )


def etag_for(body: bytes) -> str:
    """A strong validator: the same bytes always give the same tag, other bytes another."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def if_none_match(header: str | None, etag: str) -> bool:
    """RFC 9110 weak comparison of an If-None-Match list against `etag`.

    The gzip suffix (ETagGzipSuffix) is ignored: the compressed and plain representations of one
    response carry the same content, so either tag revalidates either.
    """
    if not header:
        return False
    if header.strip() == "*":
        return True
    wanted = _opaque(etag)
    return any(_opaque(candidate) == wanted for candidate in header.split(","))


def _opaque(tag: str) -> str:
    tag = tag.strip()
    if tag.startswith("W/"):
        tag = tag[2:]
    tag = tag.strip('"')
    return tag.removesuffix(GZIP_SUFFIX)


def surrogate_headers(tags: list[str]) -> dict[str, str]:
    if not tags:
        return {}
    return {"Surrogate-Key": " ".join(tags), "Cache-Tag": ",".join(tags)}


def cache_key(query: str, operation_name: str | None, variables: object, visibility: str) -> str:
    """The response cache key: the same document, operation and variables, seen the same way."""
    material = orjson.dumps(
        [visibility, query, operation_name, variables], option=orjson.OPT_SORT_KEYS
    )
    return hashlib.sha256(material).hexdigest()


@dataclass(frozen=True)
class CachedResponse:
    body: bytes
    tags: list[str]
    stored_at: float  # time.time()

    @property
    def age(self) -> int:
        return max(0, int(time.time() - self.stored_at))


class ResponseCache(Protocol):
    async def get(self, key: str) -> CachedResponse | None: ...

    async def set(self, key: str, body: bytes, tags: list[str], computed_since: float) -> None:
        """Store unless one of `tags` was purged after `computed_since` (time.time())."""
        ...

    async def purge(self, tags: Iterable[str]) -> int:
        """Drop every stored response holding one of `tags`; how many were dropped."""
        ...


class NoResponseCache:
    """The cache when BROADSHEET_RESPONSE_CACHE is off: stores nothing, purges nothing."""

    async def get(self, key: str) -> CachedResponse | None:
        return None

    async def set(self, key: str, body: bytes, tags: list[str], computed_since: float) -> None:
        return None

    async def purge(self, tags: Iterable[str]) -> int:
        return 0


class MemoryResponseCache:
    """This process only: an LRU of responses with a tag index."""

    def __init__(self, ttl: int, max_entries: int = 2048) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self._entries: OrderedDict[str, CachedResponse] = OrderedDict()
        self._keys_by_tag: dict[str, set[str]] = {}
        self._purged_at: dict[str, float] = {}

    async def get(self, key: str) -> CachedResponse | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if time.time() - entry.stored_at >= self.ttl:
            self._drop(key)
            return None
        self._entries.move_to_end(key)
        return entry

    async def set(self, key: str, body: bytes, tags: list[str], computed_since: float) -> None:
        if any(self._purged_at.get(tag, 0.0) >= computed_since for tag in tags):
            return
        self._drop(key)
        self._entries[key] = CachedResponse(body=body, tags=tags, stored_at=time.time())
        for tag in tags:
            self._keys_by_tag.setdefault(tag, set()).add(key)
        while len(self._entries) > self.max_entries:
            self._drop(next(iter(self._entries)))

    async def purge(self, tags: Iterable[str]) -> int:
        now = time.time()
        dropped = 0
        for tag in purge_tags(tags):
            self._purged_at[tag] = now
            for key in self._keys_by_tag.pop(tag, set()):
                dropped += self._drop(key)
        # A purge only matters to responses computed within the TTL before it.
        self._purged_at = {t: at for t, at in self._purged_at.items() if now - at < self.ttl}
        return dropped

    def _drop(self, key: str) -> int:
        entry = self._entries.pop(key, None)
        if entry is None:
            return 0
        for tag in entry.tags:
            keys = self._keys_by_tag.get(tag)
            if keys is not None:
                keys.discard(key)
                if not keys:
                    del self._keys_by_tag[tag]
        return 1


# KEYS: the entry, then per tag its purge mark and its set of entries. ARGV: the record, the TTL,
# when the response was computed (time.time()), the entry's cache key. Stores nothing when one
# of the tags was purged since the response was computed (it may hold what the purge removed).
_STORE_SCRIPT = """
local since = tonumber(ARGV[3])
for i = 2, #KEYS, 2 do
  local purged = redis.call('GET', KEYS[i])
  if purged and tonumber(purged) >= since then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
for i = 3, #KEYS, 2 do
  redis.call('SADD', KEYS[i], ARGV[4])
  redis.call('EXPIRE', KEYS[i], ARGV[2])
end
return 1
"""


class RedisResponseCache:
    """Shared by every replica. Entries and tag sets expire with the TTL; Redis failures are
    logged and treated as misses (the API answers from the database instead)."""

    def __init__(self, redis: Redis, prefix: str, ttl: int) -> None:
        self._redis = redis
        self._prefix = f"{prefix}responses:"
        self.ttl = ttl
        self._store = redis.register_script(_STORE_SCRIPT)

    def _entry(self, key: str) -> str:
        return f"{self._prefix}entry:{key}"

    def _tag(self, tag: str) -> str:
        return f"{self._prefix}tag:{tag}"

    def _purged(self, tag: str) -> str:
        return f"{self._prefix}purged:{tag}"

    def entry_name(self, key: str) -> str:
        """The Redis key holding the response for `key` (read by api/http/prefetch.py too)."""
        return self._entry(key)

    async def get(self, key: str) -> CachedResponse | None:
        try:
            raw = await self._redis.get(self._entry(key))
        except (RedisError, OSError) as error:
            logger.warning("response cache unavailable: %s", error)
            return None
        return self.decode(raw)

    @staticmethod
    def decode(raw: bytes | str | None) -> CachedResponse | None:
        """A stored entry as read from Redis (None: there was none)."""
        if raw is None:
            return None
        stored = orjson.loads(raw)
        return CachedResponse(
            body=stored["body"].encode(), tags=stored["tags"], stored_at=stored["at"]
        )

    async def set(self, key: str, body: bytes, tags: list[str], computed_since: float) -> None:
        record = orjson.dumps({"body": body.decode(), "tags": tags, "at": time.time()})
        names = [self._entry(key)]
        for tag in tags:
            names += [self._purged(tag), self._tag(tag)]
        try:
            # One round trip, and atomic: no purge can land between the check and the store.
            await self._store(keys=names, args=[record, self.ttl, repr(computed_since), key])
        except (RedisError, OSError) as error:
            logger.warning("response cache unavailable, not storing: %s", error)

    async def purge(self, tags: Iterable[str]) -> int:
        expanded = sorted(purge_tags(tags))
        if not expanded:
            return 0
        now = time.time()
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                for tag in expanded:
                    pipe.set(self._purged(tag), repr(now), ex=self.ttl)
                    pipe.smembers(self._tag(tag))
                    pipe.delete(self._tag(tag))
                replies = await pipe.execute()
            keys = {
                member.decode() if isinstance(member, bytes) else member
                for reply in replies
                if isinstance(reply, set)
                for member in reply
            }
            if keys:
                return int(await self._redis.delete(*[self._entry(key) for key in keys]))
        except (RedisError, OSError) as error:
            logger.error("response cache purge failed (entries expire by TTL): %s", error)
        return 0


def create_response_cache(settings: Settings, redis: Redis | None) -> ResponseCache:
    """Off, in Redis (the process's client, api/redis.py) or in this process, as configured."""
    if not settings.broadsheet_response_cache:
        return NoResponseCache()
    ttl = settings.broadsheet_response_cache_ttl
    if redis is not None:
        return RedisResponseCache(redis, settings.broadsheet_redis_prefix, ttl)
    return MemoryResponseCache(ttl)
