"""Sync pages: everything a caller may see, then only what changed, never skipping a change.

A position (opaque and signed by the schema layer) is in one of two phases:

- initial: a snapshot S0 (`pg_current_snapshot()`) is taken first, then every entity the caller
  sees is listed by id, page by page (articles, then newsletter issues). Rows are read after
  S0, so they reflect at least every change S0 saw.
- delta: a window between two snapshots. A page holds the change-log rows whose transaction is
  visible in the window's end snapshot and was not visible in its start snapshot (still running
  or not yet begun when that was taken), by (transaction id, row id). A transaction that started
  early but committed late is therefore in the window where it became visible, whatever the
  order of commits: no timestamp is compared. The next window starts where this one ended.

For each changed entity the page holds its current state, when the caller can see it, or a
tombstone (id, kind, time) when it cannot: deleted, unpublished, or otherwise out of view.
Readers only read change rows of published (or once published) entities; an entity can come up
twice (at least once delivery), and a tombstone may name something never sent (ignore it).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from api.models import Article, NewsletterIssue

KINDS: tuple[tuple[str, Any], ...] = (("article", Article), ("newsletter_issue", NewsletterIssue))
PUBLIC, EDITORIAL = "public", "editorial"
INITIAL, DELTA = "initial", "delta"

CHANGES = text(
    """
    SELECT id, xid, entity_type, entity_id, changed_at
    FROM change_log
    WHERE xid >= pg_snapshot_xmin(CAST(CAST(:since AS text) AS pg_snapshot))::text::bigint
      AND NOT pg_visible_in_snapshot(xid::text::xid8, CAST(CAST(:since AS text) AS pg_snapshot))
      AND pg_visible_in_snapshot(xid::text::xid8, CAST(CAST(:until AS text) AS pg_snapshot))
      AND (xid, id) > (:after_xid, :after_id)
      AND (public OR NOT :public_only)
    ORDER BY xid, id
    LIMIT :limit
    """
)


class SyncExpired(Exception):
    """The position is older than the change log's retention: sync again from the start."""


@dataclass(frozen=True)
class SyncPosition:
    audience: str  # PUBLIC or EDITORIAL: what the caller saw when the position was made
    phase: str  # INITIAL or DELTA
    snapshot: str  # initial: S0; delta: the window's start
    taken_at: float  # when `snapshot` was taken (Unix time)
    until: str | None = None  # delta: the window's end, fixed while paging through it
    until_taken_at: float | None = None
    after: tuple[int, int] = (0, 0)  # initial: (kind index, id); delta: (xid, change id)


@dataclass(frozen=True)
class Tombstone:
    kind: str  # "article" or "newsletter_issue"
    id: int
    at: datetime


@dataclass(frozen=True)
class SyncPage:
    changed: list[Article | NewsletterIssue]
    tombstones: list[Tombstone]
    next: SyncPosition
    has_more: bool


async def current_snapshot(session: AsyncSession) -> str:
    return str(await session.scalar(select(text("pg_current_snapshot()::text"))))


async def start(session: AsyncSession, audience: str) -> SyncPosition:
    """The position of a first sync: everything the caller sees, as of now."""
    return SyncPosition(audience, INITIAL, await current_snapshot(session), time.time())


async def sync_page(
    session: AsyncSession, position: SyncPosition, size: int, retention_seconds: float
) -> SyncPage:
    """The page at `position` (the session's visibility decides what is seen)."""
    oldest = position.taken_at if position.phase == DELTA else time.time()
    if time.time() - oldest > retention_seconds:
        raise SyncExpired()
    if position.phase == INITIAL:
        return await _initial_page(session, position, size)
    return await _delta_page(session, position, size)


async def _initial_page(session: AsyncSession, position: SyncPosition, size: int) -> SyncPage:
    kind_index, after_id = position.after
    rows: list[Article | NewsletterIssue] = []
    last = position.after
    for index in range(kind_index, len(KINDS)):
        model = KINDS[index][1]
        start_id = after_id if index == kind_index else 0
        wanted = size - len(rows) + 1
        found = (
            await session.scalars(
                select(model).where(model.id > start_id).order_by(model.id).limit(wanted)
            )
        ).all()
        rows.extend(found)
        if len(rows) > size:
            rows = rows[:size]
            last = (index, rows[-1].id)
            return SyncPage(rows, [], _moved(position, after=last), has_more=True)
        if rows:
            last = (index, rows[-1].id)
    finished = SyncPosition(position.audience, DELTA, position.snapshot, position.taken_at)
    return SyncPage(rows, [], finished, has_more=False)


def _moved(position: SyncPosition, **changes: Any) -> SyncPosition:
    return SyncPosition(**{**position.__dict__, **changes})


async def _delta_page(session: AsyncSession, position: SyncPosition, size: int) -> SyncPage:
    until, until_taken_at = position.until, position.until_taken_at
    if until is None:
        until, until_taken_at = await current_snapshot(session), time.time()
    rows = (
        await session.execute(
            CHANGES,
            {
                "since": position.snapshot,
                "until": until,
                "after_xid": position.after[0],
                "after_id": position.after[1],
                "public_only": position.audience == PUBLIC,
                "limit": size + 1,
            },
        )
    ).all()
    more = len(rows) > size
    rows = rows[:size]
    changed, tombstones = await _entities(session, rows)
    if more:
        last = rows[-1]
        following = _moved(
            position, until=until, until_taken_at=until_taken_at, after=(last.xid, last.id)
        )
        return SyncPage(changed, tombstones, following, has_more=True)
    assert until_taken_at is not None
    following = SyncPosition(position.audience, DELTA, until, until_taken_at)
    return SyncPage(changed, tombstones, following, has_more=False)


async def _entities(
    session: AsyncSession, rows: Sequence[Any]
) -> tuple[list[Article | NewsletterIssue], list[Tombstone]]:
    """The current state of each changed entity the caller sees; tombstones for the rest."""
    latest: dict[tuple[str, int], datetime] = {}
    for row in rows:
        latest[(row.entity_type, row.entity_id)] = row.changed_at
    changed: list[Article | NewsletterIssue] = []
    tombstones: list[Tombstone] = []
    for kind, model in KINDS:
        ids = [entity_id for entity_type, entity_id in latest if entity_type == kind]
        if not ids:
            continue
        found = {
            row.id: row
            for row in (await session.scalars(select(model).where(model.id.in_(ids)))).all()
        }
        for entity_id in ids:
            if entity_id in found:
                changed.append(found[entity_id])
            else:
                tombstones.append(Tombstone(kind, entity_id, latest[(kind, entity_id)]))
    return changed, tombstones
