"""Models of the background machinery: the job outbox, domain events and the change log.

- `Job`: one unit of background work (a webhook delivery, a feed poll, a scheduled event),
  written in the transaction of the change that calls for it and drained by `broadsheet worker`
  (api/jobs). A rolled-back change leaves no job; a committed one is never lost.
- `Event`: something partners may hear about (`article.published`, ...), written by the write
  services in the same transaction as the change (api/events.py).
- `ChangeRecord`: one row per change to an article or newsletter issue, written by database
  triggers (migration 0003) with the id of the writing transaction, so delta sync
  (api/sync) can tell exactly which changes a snapshot has seen, whatever order transactions
  commit in.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Identity,
    Index,
    Integer,
    String,
    Text,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from api.models import Base

JOB_STATES = ("pending", "running", "done", "dead")


def _pk() -> Mapped[int]:
    return mapped_column(BigInteger, Identity(always=False), primary_key=True)


class Job(Base):
    """A unit of background work: due at `run_at`, claimed by one worker at a time (a lease)."""

    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint("state IN ('pending', 'running', 'done', 'dead')", name="state_known"),
        # Claiming: the due pending jobs, oldest first; and running jobs whose lease ran out.
        Index("ix_jobs_due", "run_at", "id", postgresql_where=text("state = 'pending'")),
        Index("ix_jobs_leased", "locked_until", postgresql_where=text("state = 'running'")),
        # At most one live job per dedupe key (finished ones do not count).
        Index(
            "uq_jobs_live_dedupe_key",
            "dedupe_key",
            unique=True,
            postgresql_where=text("state IN ('pending', 'running')"),
        ),
        Index(
            "ix_jobs_finished_at", "finished_at", postgresql_where=text("finished_at IS NOT NULL")
        ),
    )

    id: Mapped[int] = _pk()
    kind: Mapped[str] = mapped_column(String(80))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    state: Mapped[str] = mapped_column(String(10), server_default="pending")
    run_at: Mapped[datetime] = mapped_column(server_default=func.now())
    attempts: Mapped[int] = mapped_column(Integer, server_default="0")
    dedupe_key: Mapped[str | None] = mapped_column(String(200))
    locked_by: Mapped[str | None] = mapped_column(String(120))
    locked_until: Mapped[datetime | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    finished_at: Mapped[datetime | None] = mapped_column()


class Event(Base):
    """A domain event: what changed, in the transaction that changed it."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_entity", "entity_type", "entity_id"),)

    id: Mapped[int] = _pk()
    uid: Mapped[uuid.UUID] = mapped_column(
        Uuid, server_default=text("gen_random_uuid()"), unique=True
    )
    type: Mapped[str] = mapped_column(String(60))
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int] = mapped_column(BigInteger)
    data: Mapped[dict[str, Any]] = mapped_column(JSONB)
    occurred_at: Mapped[datetime] = mapped_column(server_default=func.now())


class ChangeRecord(Base):
    """A change to a synced entity, with the writing transaction's id (`pg_current_xact_id`).

    `public`: the entity was or is published, so readers may need to hear about the change
    (the clock is left out on purpose: see migration 0003); `deleted`: the row is gone.
    """

    __tablename__ = "change_log"
    __table_args__ = (
        Index("ix_change_log_xid_id", "xid", "id"),
        Index("ix_change_log_changed_at", "changed_at"),
    )

    id: Mapped[int] = _pk()
    xid: Mapped[int] = mapped_column(BigInteger)
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int] = mapped_column(BigInteger)
    public: Mapped[bool] = mapped_column(Boolean)
    deleted: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    changed_at: Mapped[datetime] = mapped_column(server_default=func.now())
