"""Hearing key revocations from every process: LISTEN on the primary, drop the cached key.

A revoke sends `NOTIFY broadsheet_key_revoked, '<key hash>'` inside its own transaction
(api/services/keys.py), so PostgreSQL delivers it exactly when the revoke commits, to every
process listening, this one included. The listener holds one direct connection to the primary
(outside the pool, as the live-event hub does: a standby cannot LISTEN). While it is connected
the key cache is trusted; when the connection drops the cache is emptied and bypassed until it
is back (reconnecting with backoff), so a revocation is never missed, only the cache's savings.
A silent half-open connection is found by a ping every few seconds; until then, entries still
expire after their TTL.
"""

from __future__ import annotations

import asyncio

from api.access.key_cache import KeyCache
from api.listening import ChannelListener
from api.services.keys import KEY_REVOKED_CHANNEL

LISTENER_NAME = "broadsheet-key-revocations"  # application_name of the LISTEN connection
HEALTH_CHECK_S = 2.0
HEALTH_TIMEOUT_S = 2.0


class RevocationListener:
    """Keeps `cache` trusted while it hears every revocation (see the module's docstring)."""

    def __init__(self, database_url: str, cache: KeyCache) -> None:
        self._listener = ChannelListener(
            database_url,
            LISTENER_NAME,
            KEY_REVOKED_CHANNEL,
            cache.forget,
            label="key revocations",
            health_check_s=HEALTH_CHECK_S,
            health_timeout_s=HEALTH_TIMEOUT_S,
            on_up=cache.trust,
            on_down=cache.distrust,
        )

    @property
    def listening(self) -> asyncio.Event:
        return self._listener.listening

    def start(self) -> None:
        """Begin listening (the app's lifespan calls this; without it the cache stays unused)."""
        self._listener.start()

    async def stop(self) -> None:
        await self._listener.stop()
