"""Fan-out of live events (api/live.py) to this process's subscribers.

One `LiveHub` per process holds one dedicated connection to the primary that LISTENs on the
live channel (a hot standby cannot LISTEN, and a transaction-pooling proxy would drop it, so it
is a direct connection, outside the pool). Every notification is decoded and handed to each
subscriber's bounded queue; an event that becomes visible later (a scheduled story) is held by
a timer until then. The hub starts with the first subscriber, not with the process.

If the connection drops, the hub reconnects by itself (with backoff) and logs a warning;
events committed while it was away are not replayed (NOTIFY is not durable), so subscribers
miss them, as the README says. A subscriber that cannot keep up loses its oldest events rather
than holding memory or slowing the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Iterable
from datetime import UTC, datetime

from api.listening import ChannelListener
from api.live import CHANNEL, EventKind, LiveEvent

logger = logging.getLogger(__name__)

LISTENER_NAME = "broadsheet-live"  # application_name of the LISTEN connection
QUEUE_SIZE = 100
HEALTH_CHECK_S = 5.0  # a silent half-open connection is found within this
HEALTH_TIMEOUT_S = 3.0
# Fire a scheduled event just after its time, so the reader's clock has passed it.
SCHEDULE_MARGIN_S = 0.005


class Subscriber:
    """One subscription's inbox: the events of the kinds it asked for, oldest first."""

    def __init__(self, kinds: Iterable[EventKind]) -> None:
        self.kinds = frozenset(kinds)
        self.queue: asyncio.Queue[LiveEvent | None] = asyncio.Queue(QUEUE_SIZE)
        self.dropped = 0

    def offer(self, event: LiveEvent) -> None:
        if event.kind not in self.kinds:
            return
        if self.queue.full():
            self.queue.get_nowait()  # the oldest goes: a slow reader must not stall the rest
            self.dropped += 1
        self.queue.put_nowait(event)

    def close(self) -> None:
        with contextlib.suppress(asyncio.QueueFull):
            self.queue.put_nowait(None)

    async def events(self) -> AsyncIterator[LiveEvent]:
        while (event := await self.queue.get()) is not None:
            yield event


class LiveHub:
    """LISTENs on the primary and hands events to this process's subscribers."""

    def __init__(self, database_url: str, clock: Callable[[], datetime] | None = None) -> None:
        self._url = database_url
        self._clock = clock or (lambda: datetime.now(UTC))
        self._subscribers: set[Subscriber] = set()
        self._timers: set[asyncio.TimerHandle] = set()
        self._listener = ChannelListener(
            database_url,
            LISTENER_NAME,
            CHANNEL,
            self._on_notification,
            label="live events",
            health_check_s=HEALTH_CHECK_S,
            health_timeout_s=HEALTH_TIMEOUT_S,
        )
        self.received = 0  # notifications decoded (metrics)

    @property
    def listening(self) -> asyncio.Event:
        return self._listener.listening

    @property
    def subscriber_count(self) -> int:
        return len(self._subscribers)

    @contextlib.asynccontextmanager
    async def subscribe(self, kinds: Iterable[EventKind]) -> AsyncIterator[Subscriber]:
        """A subscriber for `kinds`, registered for the duration (the hub starts if needed)."""
        subscriber = Subscriber(kinds)
        self._subscribers.add(subscriber)
        self._ensure_started()
        try:
            yield subscriber
        finally:
            self._subscribers.discard(subscriber)

    def _ensure_started(self) -> None:
        self._listener.start()

    def _on_notification(self, payload: str) -> None:
        event = LiveEvent.decode(payload)
        if event is None:
            logger.warning("live events: ignored a malformed notification")
            return
        self.received += 1
        delay = (event.visible_at - self._clock()).total_seconds()
        if delay <= 0:
            self.dispatch(event)
            return
        loop = asyncio.get_running_loop()
        handle = loop.call_later(delay + SCHEDULE_MARGIN_S, self._fire, event)
        self._timers.add(handle)

    def _fire(self, event: LiveEvent) -> None:
        now = asyncio.get_running_loop().time()
        self._timers = {timer for timer in self._timers if timer.when() > now}
        self.dispatch(event)

    def dispatch(self, event: LiveEvent) -> None:
        """Hand `event` to every subscriber of its kind."""
        for subscriber in list(self._subscribers):
            subscriber.offer(event)

    async def stop(self) -> None:
        """End every subscription and the LISTEN connection (shutdown)."""
        for timer in self._timers:
            timer.cancel()
        self._timers.clear()
        for subscriber in list(self._subscribers):
            subscriber.close()
        await self._listener.stop()
