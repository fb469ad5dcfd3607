"""One process's LISTEN on a PostgreSQL channel, kept up for as long as the process wants it.

The connection is a direct one to the primary, outside the pool (a hot standby cannot LISTEN,
and a transaction-pooling proxy would drop it). When it drops, the listener says so
(`on_down`), reconnects with backoff and says when it is back (`on_up`); a silent half-open
connection is found by a ping every `health_check_s`. NOTIFY is not durable: whatever was sent
while the connection was down is not replayed, which is what `on_down` is for. Used by the
live-event hub (api/fanout.py) and the key-revocation listener (api/access/revocations.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from api.database import short_lived_engine

logger = logging.getLogger(__name__)

RECONNECT_MIN_S = 0.2
RECONNECT_MAX_S = 5.0


def _nothing() -> None:
    pass


class ChannelListener:
    """LISTENs on `channel` and hands each notification's payload to `handle`."""

    def __init__(
        self,
        database_url: str,
        application_name: str,
        channel: str,
        handle: Callable[[str], None],
        *,
        label: str,  # who listens, for the log ("live events")
        health_check_s: float,
        health_timeout_s: float,
        on_up: Callable[[], None] = _nothing,
        on_down: Callable[[], None] = _nothing,
    ) -> None:
        self._url = database_url
        self._application_name = application_name
        self._channel = channel
        self._handle = handle
        self._label = label
        self._health_check_s = health_check_s
        self._health_timeout_s = health_timeout_s
        self._on_up = on_up
        self._on_down = on_down
        self._task: asyncio.Task[None] | None = None
        self.listening = asyncio.Event()

    def start(self) -> None:
        """Begin listening, unless already listening or trying to."""
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._listen_forever())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        self._down()

    def _down(self) -> None:
        self.listening.clear()
        self._on_down()

    async def _listen_forever(self) -> None:
        delay = RECONNECT_MIN_S
        while True:
            try:
                async with short_lived_engine(self._url, self._application_name) as engine:
                    await self._listen(engine)
            except asyncio.CancelledError:
                raise
            except Exception as error:
                if self.listening.is_set():
                    logger.warning("%s: lost the LISTEN connection (%s)", self._label, error)
                else:
                    logger.warning("%s: cannot LISTEN (%s); retrying", self._label, error)
            finally:
                self._down()
            await asyncio.sleep(delay)
            delay = min(delay * 2, RECONNECT_MAX_S)

    async def _listen(self, engine: AsyncEngine) -> None:
        async with engine.connect() as connection:
            raw = await connection.get_raw_connection()
            driver: Any = raw.driver_connection
            lost = asyncio.Event()
            driver.add_termination_listener(lambda _connection: lost.set())
            await driver.add_listener(self._channel, self._notified)
            logger.info("%s: listening on %s", self._label, self._channel)
            self._on_up()
            self.listening.set()
            try:
                while not lost.is_set():
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(lost.wait(), self._health_check_s)
                    if not lost.is_set():
                        await driver.fetchval("SELECT 1", timeout=self._health_timeout_s)
            finally:
                self._on_down()  # at once; `listening` tells the log below it was up
                with contextlib.suppress(Exception):
                    await driver.remove_listener(self._channel, self._notified)
            raise ConnectionError("the LISTEN connection was closed")

    def _notified(self, connection: object, pid: int, channel: str, payload: str) -> None:
        self._handle(payload)
