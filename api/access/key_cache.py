"""Verified API keys, remembered for a few seconds so a request with a key sends no query for it.

An entry is keyed by the SHA-256 of the presented key (the plaintext is never kept) and holds
only what verification produced: the `Principal`. It lives BROADSHEET_KEY_CACHE_SECONDS.

Revocation must not wait for that: every revoke sends a NOTIFY in its own transaction
(api/services/keys.py), and each process's `RevocationListener` (api/access/revocations.py)
drops the entry the moment the revoke commits. The cache is trusted only while that listener
is connected: before it listens, and from the moment it loses its connection, every key is
looked up in the database again, as without the cache.

A lookup that raced a revocation must not put a stale entry back: every revocation bumps a
generation, and an entry is stored only if no revocation was heard since its lookup began.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from api.access.principal import Principal

MAX_ENTRIES = 10_000  # keys remembered at once; the oldest entries go first


class KeyCache:
    """Principals by key hash, for `ttl_s` seconds, while revocations are being heard."""

    def __init__(self, ttl_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._ttl = ttl_s
        self._clock = clock
        self._entries: dict[str, tuple[Principal, float]] = {}
        self._generation = 0
        self.trusted = False  # set by the listener while it hears every revocation

    @property
    def enabled(self) -> bool:
        return self._ttl > 0

    @property
    def generation(self) -> int:
        """Take this before a lookup; pass it to `put` (see the module's docstring)."""
        return self._generation

    def get(self, key_hash: str) -> Principal | None:
        if not self.trusted:
            return None
        entry = self._entries.get(key_hash)
        if entry is None:
            return None
        if entry[1] <= self._clock():
            del self._entries[key_hash]
            return None
        return entry[0]

    def put(self, key_hash: str, principal: Principal, generation: int) -> None:
        """Remember a key verified by a lookup that began at `generation`."""
        if not self.trusted or self._ttl <= 0 or generation != self._generation:
            return
        self._entries.pop(key_hash, None)
        self._entries[key_hash] = (principal, self._clock() + self._ttl)
        while len(self._entries) > MAX_ENTRIES:
            del self._entries[next(iter(self._entries))]

    def forget(self, key_hash: str) -> None:
        """The key was revoked: never answer it from memory again."""
        self._generation += 1
        self._entries.pop(key_hash, None)

    def distrust(self) -> None:
        """Revocations may go unheard (the listener is down): forget everything, store nothing."""
        self.trusted = False
        self._generation += 1
        self._entries.clear()

    def trust(self) -> None:
        """The listener hears every revocation from now on."""
        self._generation += 1
        self._entries.clear()
        self.trusted = True
