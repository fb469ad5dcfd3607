"""Keeping the stored related lists (api/models_related.py) current, so reading them is free.

The ranking is api/queries/related.py's. Two ways a list is (re)written, neither of them by the
request that changes a story:

- The write services only mark, in the write's own transaction (`before_change` /
  `after_change`): the changed story itself (`merge`: it needs its own list and its place in its
  neighbours' lists), the lists that hold it, and the stories near it in time in its section,
  old and new, whose nearest-in-section candidates it joined or left. Marking is a few indexed
  inserts, whatever the archive's size, and takes no lock another writer waits for.
- The refresher (`Refresher`, started by every `broadsheet serve` and `broadsheet worker`
  process) drains the marks a batch at a time, every `REFRESH_SECONDS`: it takes a changed story
  out of the lists that held it, recomputes every marked list in full, and merges a changed
  story into the lists of the stories sharing a tag or a country with it where its score earns a
  place (a top list plus one newcomer is still the top list). A newly published story is in its
  neighbours' lists once the refresher reaches its mark: about a second at demo size (README
  gives the cost at 100,000 stories). Meanwhile lists may hold a few fewer stories, never a
  hidden one: visibility applies when they are read, so a story taken down leaves every list at
  once.
- In bulk (`refresh_all_related`, `broadsheet db refresh-related`) after loading content
  without the write services (demo and synthetic seeding): every list recomputed in set-based
  SQL by api/related_bulk.py.

Every writer of the lists (the refresher, the bulk refresh) takes one transaction-level advisory
lock (`_LOCK` / `_TRY_LOCK`), so two never rewrite one list at once; the lists have no foreign
keys, so writing them takes no lock on an article an editor holds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Sequence

from sqlalchemy import (
    BigInteger,
    Insert,
    Integer,
    Table,
    any_,
    bindparam,
    delete,
    insert,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from api.database import Database, open_session
from api.models import Article
from api.models_related import RelatedDirty, RelatedStory
from api.queries.related import (
    COUNTRY_WEIGHT,
    RELATED_KEPT,
    RELATED_SECTION_NEIGHBOURS,
    SECTION_WEIGHT,
    SOURCE_WEIGHT,
    TAG_WEIGHT,
    ranked,
)
from api.related_bulk import rank_everything
from api.visibility import EVERYTHING, unrestricted

logger = logging.getLogger("broadsheet.related")

REFRESH_SECONDS = 1.0  # how often each process looks for marked lists
REFRESH_BATCH = 20  # marked lists per refresher transaction
# A story is among another's nearest-in-section candidates only if fewer than that many lie
# between them in time; a margin covers stories published at the same instant.
_WINDOW = RELATED_SECTION_NEIGHBOURS + 10
_LOCK = text("SELECT pg_advisory_xact_lock(hashtext('broadsheet.related_lists'))")
_TRY_LOCK = text("SELECT pg_try_advisory_xact_lock(hashtext('broadsheet.related_lists'))")
_IDS = bindparam("ids", type_=ARRAY(BigInteger))


def _lists_table() -> Table:
    """The lists as a Core table: inserts with parameters, not ORM bulk saves."""
    table = RelatedStory.__table__
    assert isinstance(table, Table)
    return table


_LISTS = _lists_table()


def _recompute_statement() -> Insert:
    base = aliased(Article, name="base")
    best = ranked(base, bindparam("kept", type_=Integer), published_only=True)
    chosen = (
        select(base.id, best.c.rank, best.c.related_id, best.c.score)
        .select_from(base)
        .join(best, text("true"))
        .where(base.id == any_(_IDS), base.status == text("'published'"))
    )
    return insert(_LISTS).from_select(["article_id", "rank", "related_id", "score"], chosen)


_RECOMPUTE = _recompute_statement()


async def recompute(session: AsyncSession, article_ids: Sequence[int]) -> None:
    """Rewrite the lists of `article_ids` from scratch (a story not published gets none)."""
    ids = sorted(set(article_ids))
    if not ids:
        return
    await session.execute(
        delete(RelatedStory).where(RelatedStory.article_id == any_(_IDS)), {"ids": ids}
    )
    with unrestricted(session):
        await session.execute(_RECOMPUTE, {"ids": ids, "kept": RELATED_KEPT})


# The published stories near `:id` in time in its section: the ones whose nearest-in-section
# candidates it can be among.
_WINDOW_SQL = f"""
    SELECT n.id FROM articles a CROSS JOIN LATERAL (
        (SELECT n.id FROM articles n
         WHERE n.section_id = a.section_id AND n.status = 'published' AND n.id <> a.id
           AND n.published_at >= a.published_at
         ORDER BY n.published_at LIMIT {_WINDOW})
        UNION ALL
        (SELECT n.id FROM articles n
         WHERE n.section_id = a.section_id AND n.status = 'published' AND n.id <> a.id
           AND n.published_at <= a.published_at
         ORDER BY n.published_at DESC LIMIT {_WINDOW})
    ) n
    WHERE a.id = :id AND a.status = 'published'
    ORDER BY n.id
"""  # noqa: S608 -- only constants are formatted in
# Marks are inserted in id order (the window's ORDER BY), so two writers marking overlapping
# sets never deadlock.
_MARK_WINDOW = text(
    f"INSERT INTO related_dirty (article_id) {_WINDOW_SQL} ON CONFLICT (article_id) DO NOTHING"
)
# The lists that hold the story: it may have to leave them, or move within them.
_MARK_HOLDERS = text(
    """
    INSERT INTO related_dirty (article_id)
    SELECT DISTINCT article_id FROM related_stories WHERE related_id = :id ORDER BY article_id
    ON CONFLICT (article_id) DO NOTHING
    """
)
# The story itself: its own list, and its place in its neighbours' lists.
_MARK_CHANGED = text(
    """
    INSERT INTO related_dirty (article_id, merge) VALUES (:id, true)
    ON CONFLICT (article_id) DO UPDATE SET merge = true
    """
)
# Take a changed story out of every list that holds it (the refresher, before merging it back
# where it earns a place); those lists are recomputed in full later.
_TAKE_OUT = text(
    """
    WITH gone AS (DELETE FROM related_stories WHERE related_id = :id RETURNING article_id)
    INSERT INTO related_dirty (article_id) SELECT DISTINCT article_id FROM gone ORDER BY 1
    ON CONFLICT (article_id) DO NOTHING
    """
)
# The stories sharing a tag or country with :id whose list it now earns a place in, with its
# score there (the same sum as api/queries/related.py), and their current entries.
_MERGE_POOL = text(
    f"""
    WITH me AS (SELECT * FROM articles WHERE id = :id AND status = 'published'),
    matches AS (
        SELECT t2.article_id AS id, {TAG_WEIGHT}::float8 AS weight
        FROM me JOIN article_tags t1 ON t1.article_id = me.id
        JOIN article_tags t2 ON t2.tag_id = t1.tag_id
        UNION ALL
        SELECT c2.article_id, {COUNTRY_WEIGHT}::float8
        FROM me JOIN article_countries c1 ON c1.article_id = me.id
        JOIN article_countries c2 ON c2.country = c1.country
    ),
    shared AS (SELECT id, sum(weight) AS weight FROM matches WHERE id <> :id GROUP BY id),
    entrant AS (
        SELECT other.id AS article_id, me.id AS related_id,
            shared.weight
            + (me.section_id = other.section_id)::int * {SECTION_WEIGHT}::float8
            + (me.source_id = other.source_id)::int * {SOURCE_WEIGHT}::float8
            + 1.0::float8 / (1.0::float8
                + abs(extract(epoch FROM me.published_at - other.published_at))
                / 86400.0::float8 / 30.0::float8) AS score
        FROM shared JOIN articles other ON other.id = shared.id AND other.status = 'published'
        CROSS JOIN me
    ),
    admitted AS (
        SELECT entrant.* FROM entrant
        LEFT JOIN related_stories last
            ON last.article_id = entrant.article_id AND last.rank = {RELATED_KEPT}
        WHERE (last.score IS NULL OR entrant.score >= last.score)
          -- a list recomputed in the same pass already ranks the story
          AND NOT EXISTS (
              SELECT 1 FROM related_stories held
              WHERE held.article_id = entrant.article_id AND held.related_id = entrant.related_id
          )
    ),
    pool AS (
        SELECT article_id, related_id, score FROM admitted
        UNION ALL
        SELECT s.article_id, s.related_id, s.score FROM related_stories s
        WHERE s.article_id IN (SELECT article_id FROM admitted)
    )
    SELECT pool.article_id,
        row_number() OVER (
            PARTITION BY pool.article_id
            ORDER BY pool.score DESC, a.published_at DESC, a.id DESC
        ) AS rank,
        pool.related_id, pool.score
    FROM pool JOIN articles a ON a.id = pool.related_id
    """  # noqa: S608 -- only constants are formatted in
)


async def _merge(session: AsyncSession, article_id: int) -> None:
    """Put the story into the lists of the stories sharing a tag or a country with it where its
    score earns a place, in one read and one rewrite of those lists."""
    rows = (await session.execute(_MERGE_POOL, {"id": article_id})).all()
    lists = sorted({row.article_id for row in rows})
    if not lists:
        return
    await session.execute(
        delete(RelatedStory).where(RelatedStory.article_id == any_(_IDS)), {"ids": lists}
    )
    kept = [
        {"article_id": r.article_id, "rank": r.rank, "related_id": r.related_id, "score": r.score}
        for r in rows
        if r.rank <= RELATED_KEPT
    ]
    await session.execute(insert(_LISTS), kept)


async def before_change(session: AsyncSession, article_id: int) -> None:
    """Before a story changes or is deleted (in the write's transaction): mark the stories near
    it in its section (it leaves their candidates), the lists holding it, and the story."""
    await session.execute(_MARK_WINDOW, {"id": article_id})
    await session.execute(_MARK_HOLDERS, {"id": article_id})
    await session.execute(_MARK_CHANGED, {"id": article_id})


async def after_change(session: AsyncSession, article_id: int) -> None:
    """After a story was written (in the write's transaction): mark the stories near it in its
    section now (it joins their candidates), and the story itself."""
    await session.flush()
    await session.execute(_MARK_WINDOW, {"id": article_id})
    await session.execute(_MARK_CHANGED, {"id": article_id})


_CLAIM = text(
    """
    DELETE FROM related_dirty WHERE article_id IN (
        SELECT article_id FROM related_dirty ORDER BY marked_at, article_id
        LIMIT :limit FOR UPDATE SKIP LOCKED
    ) RETURNING article_id, merge
    """
)


async def refresh_marked(session: AsyncSession, limit: int = REFRESH_BATCH) -> int | None:
    """Recompute up to `limit` marked lists; how many, or None when another process holds the
    lists (it will get to them). The caller commits."""
    if not (await session.execute(_TRY_LOCK)).scalar_one():
        return None
    claimed = (await session.execute(_CLAIM, {"limit": limit})).all()
    changed = [row.article_id for row in claimed if row.merge]
    for article_id in changed:
        await session.execute(_TAKE_OUT, {"id": article_id})
    await recompute(session, [row.article_id for row in claimed])
    for article_id in changed:
        await _merge(session, article_id)
    return len(claimed)


async def refresh_all_related(session: AsyncSession) -> int:
    """Recompute every published story's list (after a bulk load) in set-based statements
    (api/related_bulk.py); the number of stories. The caller commits: readers keep the old
    lists until then."""
    await session.execute(_LOCK)
    await session.execute(text("DELETE FROM related_dirty"))
    # DELETE, not TRUNCATE: readers keep reading the old lists until the caller commits.
    await session.execute(text("DELETE FROM related_stories"))
    return await rank_everything(session)


async def _pending(session: AsyncSession) -> bool:
    return (await session.execute(select(RelatedDirty.article_id).limit(1))).first() is not None


class Refresher:
    """The loop every serve and worker process runs: recompute marked lists until none are
    left, then look again every `interval` seconds. Processes share the work safely (one holds
    the lists at a time; the others find nothing to do or try again)."""

    def __init__(self, database: Database, interval: float = REFRESH_SECONDS) -> None:
        self.database = database
        self.interval = interval

    async def run_once(self) -> int:
        """Drain the marks (as far as this process may now); the number of lists recomputed."""
        done = 0
        while True:
            async with open_session(self.database.sessions, EVERYTHING) as session:
                if not await _pending(session):
                    return done
                count = await refresh_marked(session)
                await session.commit()
            if not count:
                return done
            done += count

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            started = time.monotonic()
            try:
                await self.run_once()
            except Exception:  # a database hiccup: log it and look again next time
                logger.exception("related lists: refresh failed")
            remaining = max(0.0, self.interval - (time.monotonic() - started))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), remaining)


@contextlib.asynccontextmanager
async def refreshing(database: Database, interval: float = REFRESH_SECONDS) -> AsyncIterator[None]:
    """Run a `Refresher` for the duration."""
    stop = asyncio.Event()
    task = asyncio.create_task(Refresher(database, interval).run(stop), name="related-refresher")
    try:
        yield
    finally:
        stop.set()
        await task
