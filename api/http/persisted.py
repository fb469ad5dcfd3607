"""Persisted queries: Apollo's automatic persisted queries (APQ) and trusted documents.

APQ: a client sends `extensions.persistedQuery = {version: 1, sha256Hash}` instead of the
document. A known hash runs its document; an unknown one gets `PersistedQueryNotFound` (message
and `extensions.code` PERSISTED_QUERY_NOT_FOUND, as Apollo clients expect), and the client
retries with hash + document, which is verified (sha256 of the document) and registered. Over
GET this makes a short, cacheable URL for every query.

Trusted documents (BROADSHEET_PERSISTED_ONLY=true): only documents on a registered allowlist
run, whether sent by hash or in full; APQ registration is off. The allowlist is loaded from a
JSON manifest (BROADSHEET_PERSISTED_QUERIES_FILE at start, or `broadsheet persisted load FILE`
into Redis for every replica): Apollo's persisted query manifest, or a plain
`{"<sha256>": "<document>"}` map as graphql-codegen writes it.

Documents live in Redis when REDIS_URL is set (shared by replicas), else in this process. A hash
names exactly one document, so a document found once is kept in a local LRU in front of Redis.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections import OrderedDict
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

import orjson
from graphql import parse, validate
from graphql.error import GraphQLError
from redis.asyncio import Redis
from redis.exceptions import RedisError

from api.errors import BadUserInput, Forbidden, PersistedQueryNotFound
from api.settings import Settings
from schema.analysis import graphql_schema_of
from schema.root import schema as broadsheet_schema

logger = logging.getLogger(__name__)

SHA256 = re.compile(r"^[0-9a-f]{64}$")
APQ_TTL_SECONDS = 7 * 24 * 3600  # registered documents are re-sent by clients that miss
LOCAL_CACHE_SIZE = 2048


class ManifestError(ValueError):
    """A persisted-documents manifest that cannot be loaded (with the reason)."""


def sha256_of(document: str) -> str:
    return hashlib.sha256(document.encode()).hexdigest()


class DocumentStore(Protocol):
    async def get(self, sha: str, *, trusted_only: bool) -> str | None: ...

    async def register(self, sha: str, document: str) -> None:
        """Remember an APQ document (expires when unused for a week in Redis)."""
        ...

    async def trust(self, documents: Mapping[str, str]) -> int:
        """Add documents to the allowlist; how many were new."""
        ...


class MemoryDocumentStore:
    """This process only: an LRU of APQ documents and the allowlist."""

    def __init__(self, max_entries: int = 10_000) -> None:
        self._registered: OrderedDict[str, str] = OrderedDict()
        self._trusted: dict[str, str] = {}
        self._max = max_entries

    async def get(self, sha: str, *, trusted_only: bool) -> str | None:
        if (document := self._trusted.get(sha)) is not None or trusted_only:
            return document
        document = self._registered.get(sha)
        if document is not None:
            self._registered.move_to_end(sha)
        return document

    async def register(self, sha: str, document: str) -> None:
        self._registered[sha] = document
        self._registered.move_to_end(sha)
        while len(self._registered) > self._max:
            self._registered.popitem(last=False)

    async def trust(self, documents: Mapping[str, str]) -> int:
        new = len(documents.keys() - self._trusted.keys())
        self._trusted.update(documents)
        return new


class RedisDocumentStore:
    """Shared by every replica: `<prefix>apq:<sha>` (expiring) and `<prefix>trusted:<sha>`."""

    def __init__(self, redis: Redis, prefix: str) -> None:
        self._redis = redis
        self._prefix = prefix
        self._local: OrderedDict[tuple[str, bool], str] = OrderedDict()

    def known(self, sha: str, *, trusted_only: bool) -> str | None:
        """The document, if this process has it already (no round trip to Redis)."""
        return self._local.get((sha, trusted_only))

    async def get(self, sha: str, *, trusted_only: bool) -> str | None:
        local = self._local.get((sha, trusted_only))
        if local is not None:
            self._local.move_to_end((sha, trusted_only))
            return local
        keys = [f"{self._prefix}trusted:{sha}"]
        if not trusted_only:
            keys.append(f"{self._prefix}apq:{sha}")
        try:
            found = await self._redis.mget(keys)
        except (RedisError, OSError) as error:
            logger.warning("persisted query store unavailable: %s", error)
            return None
        raw = next((value for value in found if value is not None), None)
        if raw is None:
            return None
        document = raw.decode() if isinstance(raw, bytes) else str(raw)
        self._remember((sha, trusted_only), document)
        return document

    def _remember(self, key: tuple[str, bool], document: str) -> None:
        self._local[key] = document
        while len(self._local) > LOCAL_CACHE_SIZE:
            self._local.popitem(last=False)

    async def register(self, sha: str, document: str) -> None:
        try:
            await self._redis.set(f"{self._prefix}apq:{sha}", document, ex=APQ_TTL_SECONDS)
        except (RedisError, OSError) as error:
            logger.warning("persisted query store unavailable, not registering: %s", error)
        self._remember((sha, False), document)

    async def trust(self, documents: Mapping[str, str]) -> int:
        if not documents:
            return 0
        keys = [f"{self._prefix}trusted:{sha}" for sha in documents]
        existing = await self._redis.exists(*keys)
        await self._redis.mset(
            {f"{self._prefix}trusted:{sha}": doc for sha, doc in documents.items()}
        )
        return len(documents) - int(existing)


def create_document_store(redis: Redis | None, prefix: str) -> DocumentStore:
    """In Redis when one is configured (the process's client, api/redis.py), else in-process."""
    if redis is not None:
        return RedisDocumentStore(redis, prefix)
    return MemoryDocumentStore()


class PersistedQueries:
    """Resolves a request's document from `query` and `extensions.persistedQuery`."""

    def __init__(
        self,
        store: DocumentStore,
        *,
        persisted_only: bool = False,
        trusted: Mapping[str, str] | None = None,
    ) -> None:
        self.store = store
        self.persisted_only = persisted_only
        self._pending_trusted = dict(trusted or {})  # added to the store on first use

    def known_document(self, extensions: Mapping[str, Any] | None) -> str | None:
        """The document a by-hash request names, when this process holds it in memory (no
        Redis round trip, no registration, no refusal: `resolve` still decides)."""
        persisted = (extensions or {}).get("persistedQuery")
        sha = persisted.get("sha256Hash") if isinstance(persisted, dict) else None
        if not isinstance(sha, str) or self._pending_trusted:
            return None
        if isinstance(self.store, RedisDocumentStore):
            return self.store.known(sha, trusted_only=self.persisted_only)
        return None

    async def resolve(self, query: str | None, extensions: Mapping[str, Any] | None) -> str | None:
        """The document to run (None: the request has none). Raises a ClientError to refuse."""
        if self._pending_trusted:
            pending, self._pending_trusted = self._pending_trusted, {}
            await self.store.trust(pending)
        persisted = (extensions or {}).get("persistedQuery")
        if persisted is None:
            if (
                query is not None
                and self.persisted_only
                and await self.store.get(sha256_of(query), trusted_only=True) is None
            ):
                raise not_allowed()
            return query
        sha = _requested_hash(persisted)
        if query is None:
            document = await self.store.get(sha, trusted_only=self.persisted_only)
            if document is None:
                raise PersistedQueryNotFound()
            return document
        if sha256_of(query) != sha:
            raise BadUserInput(
                "`extensions.persistedQuery.sha256Hash` is not the SHA-256 of `query`.",
                argument="sha256Hash",
            )
        if self.persisted_only:
            if await self.store.get(sha, trusted_only=True) is None:
                raise not_allowed()
            return query
        await self.store.register(sha, query)
        return query


def create_persisted_queries(settings: Settings, redis: Redis | None) -> PersistedQueries:
    """The store for the settings, with BROADSHEET_PERSISTED_QUERIES_FILE's documents trusted.

    A manifest that cannot be read or holds an invalid document stops the start (ManifestError).
    """
    trusted = (
        read_manifest(Path(settings.broadsheet_persisted_queries_file))
        if settings.broadsheet_persisted_queries_file
        else None
    )
    return PersistedQueries(
        create_document_store(redis, settings.broadsheet_redis_prefix),
        persisted_only=settings.broadsheet_persisted_only,
        trusted=trusted,
    )


def _requested_hash(persisted: object) -> str:
    if not isinstance(persisted, dict):
        raise BadUserInput("`extensions.persistedQuery` must be an object.")
    if persisted.get("version") != 1:
        raise BadUserInput(
            "Unsupported persisted query version: only version 1 (sha256Hash) is supported.",
            argument="version",
        )
    sha = persisted.get("sha256Hash")
    if not isinstance(sha, str) or not SHA256.match(sha):
        raise BadUserInput(
            "`extensions.persistedQuery.sha256Hash` must be 64 lower-case hex digits.",
            argument="sha256Hash",
        )
    return sha


def not_allowed() -> Forbidden:
    return Forbidden(
        "This server runs only registered (persisted) documents; this one is not registered.",
        reason="PERSISTED_QUERY_REQUIRED",
    )


def read_manifest(path: Path) -> dict[str, str]:
    """Documents by sha256 from a manifest file; each hash verified, each document validated
    against the schema. Raises ManifestError naming the first problem."""
    schema = graphql_schema_of(broadsheet_schema)
    try:
        raw = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError) as error:
        raise ManifestError(f"{path}: cannot read a JSON manifest: {error}") from error
    if isinstance(raw, dict) and isinstance(raw.get("operations"), list):
        # Apollo's persisted query manifest.
        pairs = [(op.get("id"), op.get("body")) for op in raw["operations"] if isinstance(op, dict)]
    elif isinstance(raw, dict):
        pairs = list(raw.items())
    else:
        raise ManifestError(f"{path}: expected an object (hash -> document, or Apollo's format)")
    documents: dict[str, str] = {}
    for sha, document in pairs:
        if not isinstance(sha, str) or not isinstance(document, str):
            raise ManifestError(f"{path}: every entry needs a string id and a string document")
        if sha256_of(document) != sha:
            raise ManifestError(f"{path}: {sha} is not the SHA-256 of its document")
        try:
            errors = validate(schema, parse(document))
        except GraphQLError as error:
            raise ManifestError(f"{path}: {sha}: {error.message}") from error
        if errors:
            raise ManifestError(f"{path}: {sha}: {errors[0].message}")
        documents[sha] = document
    return documents
