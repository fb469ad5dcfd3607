"""Authentication: from a request's headers to a `Principal` (the API key making the call).

Keys arrive as ``Authorization: Bearer <key>`` or ``X-API-Key: <key>``. A request without
either is anonymous; a request with a key that is malformed, unknown or revoked is refused
(`InvalidCredentials`), never downgraded to anonymous.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime

from api.access.key_cache import KeyCache
from api.access.principal import Principal
from api.database import Database, open_session
from api.services.keys import effective_scopes, find_active_key, hash_key, record_use
from api.transactions import transaction
from api.visibility import EVERYTHING

logger = logging.getLogger(__name__)

# `last_used_at` is written at most this often per key (per process), not on every request.
LAST_USED_RESOLUTION_S = 60.0


class InvalidCredentials(Exception):
    """The request carried credentials that do not name an active key."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def presented_key(headers: Mapping[str, str]) -> str | None:
    """The key a request carries, None when it carries none.

    Raises `InvalidCredentials` for an Authorization header that is not a Bearer token, or
    two headers naming different keys (ambiguous: refuse rather than guess).
    """
    authorization = headers.get("authorization")
    bearer = None
    if authorization is not None:
        scheme, _, token = authorization.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise InvalidCredentials("The Authorization header must be `Bearer <API key>`.")
        bearer = token.strip()
    header_key = headers.get("x-api-key")
    header_key = header_key.strip() if header_key is not None else None
    if header_key == "":
        raise InvalidCredentials("The X-API-Key header is empty.")
    if bearer is not None and header_key is not None and bearer != header_key:
        raise InvalidCredentials("Authorization and X-API-Key name different keys.")
    return bearer or header_key


class LastUsedRecorder:
    """Decides when a key's `last_used_at` is worth writing: at most once a minute per key."""

    def __init__(
        self,
        resolution_s: float = LAST_USED_RESOLUTION_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._resolution = resolution_s
        self._clock = clock
        self._written: dict[int, float] = {}

    def due(self, key_id: int) -> bool:
        now = self._clock()
        last = self._written.get(key_id)
        if last is not None and now - last < self._resolution:
            return False
        self._written[key_id] = now
        return True


class Authenticator:
    """Finds the active key behind a request's credentials: from the key cache
    (api/access/key_cache.py) when it holds the key, else with a lookup that fills it."""

    def __init__(
        self,
        database: Database,
        recorder: LastUsedRecorder | None = None,
        cache: KeyCache | None = None,
    ) -> None:
        self._database = database
        self._recorder = recorder or LastUsedRecorder()
        self.cache = cache or KeyCache(0)  # TTL 0: never stores, every request looks up

    async def authenticate(self, headers: Mapping[str, str]) -> Principal | None:
        """The caller's principal; None when anonymous; `InvalidCredentials` when refused."""
        presented = presented_key(headers)
        if presented is None:
            return None
        key_hash = hash_key(presented)
        principal = self.cache.get(key_hash)
        if principal is None:
            generation = self.cache.generation
            principal = await self._look_up(presented)
            self.cache.put(key_hash, principal, generation)
        if self._recorder.due(principal.key_id):
            await self._record_use(principal.key_id)
        return principal

    def forget(self, presented_hash: str) -> None:
        """This process revoked the key: drop it now, not when the notification comes back."""
        self.cache.forget(presented_hash)

    async def _look_up(self, presented: str) -> Principal:
        # Keys are not content: no visibility rule applies to them. A key about to be cached is
        # read on the primary: a lagging replica could still show a revoked key as active.
        if self.cache.enabled:
            async with open_session(self._database.primary_reads, EVERYTHING) as session:
                row = await find_active_key(session, presented)
        else:
            async with await self._database.read_session(EVERYTHING) as session:
                row = await find_active_key(session, presented)
        if row is None and self._database.replica is not None and not self.cache.enabled:
            # A key created a moment ago may not have reached the replica yet.
            async with open_session(self._database.primary_reads, EVERYTHING) as session:
                row = await find_active_key(session, presented)
        if row is None:
            raise InvalidCredentials("The API key is not valid (unknown, malformed or revoked).")
        return Principal(
            key_id=row.id,
            name=row.name,
            scopes=effective_scopes(row.scopes),
            granted_scopes=tuple(row.scopes),
            rate_limit_per_minute=row.rate_limit_per_minute,
        )

    async def _record_use(self, key_id: int) -> None:
        try:
            async with open_session(self._database.sessions, EVERYTHING) as session:
                await transaction(session, record_use, key_id, datetime.now(UTC))
        except Exception as error:
            logger.warning("could not record use of API key %s: %s", key_id, error)
