"""Live events: what a write announces to subscribers, sent with PostgreSQL NOTIFY.

A write service calls `notify` inside its transaction. PostgreSQL delivers a NOTIFY only when
the transaction commits (never for a rollback), to every process LISTENing on the channel, so a
publish handled by one API process reaches the subscribers of all of them (api/fanout.py).

An event names what changed (kind and id) and when it becomes visible to readers: a scheduled
story announces its future `published_at`, and the fan-out holds it until then. It never carries
content: each subscriber renders the row afresh through a session with its own visibility
(schema/live.py), so what a reader cannot see is never delivered.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, datetime

import orjson
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

CHANNEL = "broadsheet_live"


class EventKind(enum.StrEnum):
    ARTICLE_PUBLISHED = "article.published"
    NEWSLETTER_ISSUE_PUBLISHED = "newsletter_issue.published"


@dataclass(frozen=True)
class LiveEvent:
    """`kind` happened to the row `id`; readers may see it from `visible_at` on."""

    kind: EventKind
    id: int
    visible_at: datetime

    def encode(self) -> str:
        return orjson.dumps(
            {"kind": self.kind.value, "id": self.id, "visibleAt": self.visible_at.isoformat()}
        ).decode()

    @classmethod
    def decode(cls, payload: str) -> LiveEvent | None:
        """The event in a NOTIFY payload; None for anything else (logged by the caller)."""
        try:
            data = orjson.loads(payload)
            visible_at = datetime.fromisoformat(data["visibleAt"])
            if visible_at.tzinfo is None:
                return None
            return cls(EventKind(data["kind"]), int(data["id"]), visible_at)
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
            return None


async def notify(
    session: AsyncSession, kind: EventKind, id: int, visible_at: datetime | None = None
) -> None:
    """Announce `kind` for row `id` to every process, when (and only if) `session` commits."""
    event = LiveEvent(kind, id, visible_at or datetime.now(UTC))
    # pg_notify inside the writer's transaction: queued now, delivered at COMMIT.
    await session.execute(select(func.pg_notify(CHANNEL, event.encode())))
