"""The read replica (DATABASE_READ_URL): where a read goes, and how far behind the replica is.

A read goes to the replica unless:

- the replica is down: a connection to it failed within DATABASE_READ_RETRY_SECONDS. Reads go
  to the primary, with one warning when it goes down and one note when it is back; nobody gets
  an error. The monitor (every second) or the next read after the retry delay finds it back;
- the caller wrote lately (api/read_your_writes.py) and the replica has not replayed that write:
  the read waits for it up to DATABASE_READ_WAIT_MS, then goes to the primary.

The monitor also samples the replica's lag for /metrics: WAL bytes it has still to replay, and
replay lag in seconds (0 when it has replayed everything: an idle primary is not lag).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from api.database import Database, SessionFactory, open_session
from api.read_your_writes import WriteMarks, parse_lsn
from api.settings import Settings
from api.telemetry import connect
from api.visibility import Visibility

logger = logging.getLogger(__name__)

MONITOR_INTERVAL_S = 1.0
POLL_INTERVAL_S = 0.005


@dataclass
class ReplicaStats:
    """What /metrics shows about the replica."""

    up: bool = True
    lag_bytes: int = 0
    replay_lag_seconds: float = 0.0
    reads: Counter[str] = field(default_factory=Counter)  # by where they went and why


class Replica:
    """Routes reads between the replica and the primary (see the module's docstring)."""

    def __init__(
        self,
        database: Database,
        marks: WriteMarks,
        wait_s: float,
        retry_s: float,
    ) -> None:
        self._database = database
        self._replica_sessions: SessionFactory = database.read_sessions
        self._marks = marks
        self._wait_s = wait_s
        self._retry_s = retry_s
        self._down_until = 0.0
        self.stats = ReplicaStats()
        # Told how long each read-your-writes wait took (/metrics sets it).
        self.observe_wait: Callable[[float], None] = lambda seconds: None

    @classmethod
    def from_settings(cls, database: Database, marks: WriteMarks, settings: Settings) -> Replica:
        return cls(
            database,
            marks,
            settings.database_read_wait_ms / 1000,
            settings.database_read_retry_seconds,
        )

    async def open_session(self, visibility: Visibility, reader: str | None) -> AsyncSession:
        """A session for `reader`'s reads: on the replica when it can serve them, else the
        primary. Connected already, so a replica that just went away is noticed here."""
        if time.monotonic() < self._down_until:
            return self._on_primary(visibility, "down")
        mark = await self._marks.last(reader) if reader is not None else None
        session = open_session(self._replica_sessions, visibility)
        try:
            connection = await connect(session)
            if mark is not None and not await self._replayed(connection, mark):
                await session.close()
                return self._on_primary(visibility, "behind")
        except Exception as error:  # any failure to reach it: the primary serves, no error
            with contextlib.suppress(Exception):
                await session.close()
            self._went_down(error)
            return self._on_primary(visibility, "down")
        self._came_back()
        self.stats.reads["replica"] += 1
        return session

    def _on_primary(self, visibility: Visibility, reason: str) -> AsyncSession:
        self.stats.reads[f"primary:{reason}"] += 1
        return open_session(self._database.primary_reads, visibility)

    async def _replayed(self, connection: AsyncConnection, mark: int) -> bool:
        """Wait (boundedly) until the replica has replayed the WAL up to `mark`."""
        started = time.monotonic()
        deadline = started + self._wait_s
        while True:
            replayed = await connection.scalar(text("SELECT pg_last_wal_replay_lsn()::text"))
            if replayed is not None and parse_lsn(replayed) >= mark:
                self.observe_wait(time.monotonic() - started)
                return True
            if time.monotonic() >= deadline:
                self.observe_wait(time.monotonic() - started)
                return False
            await asyncio.sleep(POLL_INTERVAL_S)

    async def remember_write(self, reader: str) -> None:
        """`reader` just committed on the primary: its next reads must see that."""
        async with self._database.engine.connect() as connection:
            position = await connection.scalar(text("SELECT pg_current_wal_lsn()::text"))
        if position is not None:
            await self._marks.remember(reader, parse_lsn(position))

    def _went_down(self, error: BaseException) -> None:
        self._down_until = time.monotonic() + self._retry_s
        if self.stats.up:
            logger.warning("read replica unreachable, reading from the primary: %s", error)
        self.stats.up = False

    def _came_back(self) -> None:
        self._down_until = 0.0
        if not self.stats.up:
            logger.warning("read replica is back: reads go to it again")
        self.stats.up = True

    async def sample(self) -> None:
        """Measure the replica's lag (and whether it answers) for /metrics."""
        try:
            async with self._database.read_engine.connect() as connection:
                row = (
                    await connection.execute(
                        text(
                            "SELECT pg_last_wal_replay_lsn()::text, "
                            "extract(epoch FROM now() - pg_last_xact_replay_timestamp())"
                        )
                    )
                ).one()
        except Exception as error:
            self._went_down(error)
            return
        self._came_back()
        async with self._database.engine.connect() as connection:
            current = await connection.scalar(text("SELECT pg_current_wal_lsn()::text"))
        replayed = parse_lsn(row[0]) if row[0] else 0
        behind = max(0, parse_lsn(current) - replayed) if current else 0
        self.stats.lag_bytes = behind
        self.stats.replay_lag_seconds = float(row[1] or 0.0) if behind else 0.0

    async def monitor(self) -> None:
        """Sample every second until cancelled (the app's lifespan runs it)."""
        while True:
            try:
                await self.sample()
            except Exception as error:  # the primary failing is the outage handling's business
                logger.debug("replica lag sample failed: %s", error)
            await asyncio.sleep(MONITOR_INTERVAL_S)
