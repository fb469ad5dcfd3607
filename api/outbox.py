"""Enqueueing background work in the caller's transaction (the transactional outbox).

`enqueue` adds a row to `jobs` and flushes; it never commits. The job exists exactly when the
caller's transaction commits: a rolled-back write leaves no job, a committed one is never lost.
A NOTIFY on `JOBS_CHANNEL`, delivered by PostgreSQL at commit, wakes idle workers at once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from api.models_outbox import Job

JOBS_CHANNEL = "broadsheet_jobs"
MAX_KIND_LENGTH = 80
MAX_DEDUPE_KEY_LENGTH = 200


async def enqueue(
    session: AsyncSession,
    kind: str,
    payload: dict[str, Any] | None = None,
    *,
    run_at: datetime | None = None,
    dedupe_key: str | None = None,
) -> int | None:
    """Schedule `kind` with `payload` (JSON) at `run_at` (default: now), in `session`'s
    transaction. With a `dedupe_key`, nothing is added while a pending or running job has the
    same key; the new job's id, or None when deduplicated."""
    if not kind or len(kind) > MAX_KIND_LENGTH:
        raise ValueError(f"a job kind is 1-{MAX_KIND_LENGTH} characters: {kind!r}")
    if dedupe_key is not None and len(dedupe_key) > MAX_DEDUPE_KEY_LENGTH:
        raise ValueError(f"a dedupe key is at most {MAX_DEDUPE_KEY_LENGTH} characters")
    values: dict[str, Any] = {"kind": kind, "payload": payload or {}, "dedupe_key": dedupe_key}
    if run_at is not None:
        if run_at.tzinfo is None:
            raise ValueError("run_at needs a time zone")
        values["run_at"] = run_at
    statement = insert(Job).values(**values)
    if dedupe_key is not None:
        statement = statement.on_conflict_do_nothing(
            index_elements=[Job.dedupe_key], index_where=text("state IN ('pending', 'running')")
        )
    job_id = (await session.execute(statement.returning(Job.id))).scalar_one_or_none()
    if job_id is not None:
        await session.execute(select(func.pg_notify(JOBS_CHANNEL, kind)))
    return job_id
