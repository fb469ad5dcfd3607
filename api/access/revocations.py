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
import contextlib
import logging
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from api.access.key_cache import KeyCache
from api.database import short_lived_engine
from api.services.keys import KEY_REVOKED_CHANNEL

logger = logging.getLogger(__name__)

LISTENER_NAME = "broadsheet-key-revocations"  # application_name of the LISTEN connection
RECONNECT_MIN_S = 0.2
RECONNECT_MAX_S = 5.0
HEALTH_CHECK_S = 2.0
HEALTH_TIMEOUT_S = 2.0


class RevocationListener:
    """Keeps `cache` trusted while it hears every revocation (see the module's docstring)."""

    def __init__(self, database_url: str, cache: KeyCache) -> None:
        self._url = database_url
        self._cache = cache
        self._task: asyncio.Task[None] | None = None
        self.listening = asyncio.Event()

    def start(self) -> None:
        """Begin listening (the app's lifespan calls this; without it the cache stays unused)."""
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._listen_forever())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        self._cache.distrust()
        self.listening.clear()

    async def _listen_forever(self) -> None:
        delay = RECONNECT_MIN_S
        while True:
            try:
                async with short_lived_engine(self._url, LISTENER_NAME) as engine:
                    await self._listen(engine)
            except asyncio.CancelledError:
                raise
            except Exception as error:
                logger.warning("key revocations: not listening (%s); keys are looked up", error)
            finally:
                self._cache.distrust()
                self.listening.clear()
            await asyncio.sleep(delay)
            delay = min(delay * 2, RECONNECT_MAX_S)

    async def _listen(self, engine: AsyncEngine) -> None:
        async with engine.connect() as connection:
            raw = await connection.get_raw_connection()
            driver: Any = raw.driver_connection
            lost = asyncio.Event()
            driver.add_termination_listener(lambda _connection: lost.set())
            await driver.add_listener(KEY_REVOKED_CHANNEL, self._on_notification)
            self._cache.trust()
            self.listening.set()
            try:
                while not lost.is_set():
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(lost.wait(), HEALTH_CHECK_S)
                    if not lost.is_set():
                        await driver.fetchval("SELECT 1", timeout=HEALTH_TIMEOUT_S)
            finally:
                self._cache.distrust()
                with contextlib.suppress(Exception):
                    await driver.remove_listener(KEY_REVOKED_CHANNEL, self._on_notification)
            raise ConnectionError("the LISTEN connection was closed")

    def _on_notification(self, connection: object, pid: int, channel: str, payload: str) -> None:
        self._cache.forget(payload)
