"""Idempotent writes for the demo newsroom: upserts on natural keys, image and link syncing.

Every helper writes only what differs from the stored rows, so loading the same plan twice
leaves every row (and its row version) as it was.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import (
    BigInteger,
    String,
    Table,
    column,
    delete,
    func,
    insert,
    select,
    tuple_,
    update,
    values,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase

from api.demo.articles import PlannedImage
from api.models import Article, Image


def table_of(model: type[DeclarativeBase]) -> Table:
    """The Core table behind an ORM model."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


# asyncpg accepts at most 32767 parameters per statement.
_MAX_PARAMETERS = 30_000


def _chunks(rows: Sequence[dict[str, Any]]) -> Iterable[Sequence[dict[str, Any]]]:
    if not rows:
        return
    size = max(1, _MAX_PARAMETERS // max(1, len(rows[0])))
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


async def upsert(
    session: AsyncSession, table: Table, rows: Sequence[dict[str, Any]], key: Sequence[str]
) -> dict[tuple[Any, ...], int]:
    """Insert or update rows by their natural key; return {key values: id}.

    Rows whose values are already current are left untouched (no new row version), so a
    repeated load is a true no-op.
    """
    for chunk in _chunks(rows):
        statement = pg_insert(table).values(list(chunk))
        columns = [name for name in chunk[0] if name not in key]
        statement = statement.on_conflict_do_update(
            index_elements=list(key),
            set_={name: statement.excluded[name] for name in columns},
            where=tuple_(*(table.c[name] for name in columns)).is_distinct_from(
                tuple_(*(statement.excluded[name] for name in columns))
            ),
        )
        await session.execute(statement)
    wanted = sorted({tuple(row[name] for name in key) for row in rows})
    key_columns = [table.c[name] for name in key]
    matches = (
        key_columns[0].in_([values[0] for values in wanted])
        if len(key_columns) == 1
        else tuple_(*key_columns).in_(wanted)
    )
    result = await session.execute(select(table.c.id, *key_columns).where(matches))
    return {tuple(row[1:]): row[0] for row in result}


async def sync_images(session: AsyncSession, images: Sequence[PlannedImage]) -> dict[str, int]:
    """Images have no natural key in the model; the demo identifies its images by URL."""
    table = table_of(Image)
    wanted = {image.url: image for image in images}
    existing: dict[str, tuple[int, Any, Any, Any, Any]] = {}
    result = await session.execute(
        select(
            table.c.id, table.c.url, table.c.caption, table.c.credit, table.c.width, table.c.height
        )
        .where(table.c.url.in_(list(wanted)))
        .order_by(table.c.id)
    )
    for row in result:
        existing.setdefault(row.url, (row.id, row.caption, row.credit, row.width, row.height))
    missing = [
        {
            "url": i.url,
            "caption": i.caption,
            "credit": i.credit,
            "width": i.width,
            "height": i.height,
        }
        for url, i in wanted.items()
        if url not in existing
    ]
    for chunk in _chunks(missing):
        inserted = await session.execute(
            insert(table).values(list(chunk)).returning(table.c.id, table.c.url)
        )
        for row in inserted:
            image = wanted[row.url]
            existing[row.url] = (row.id, image.caption, image.credit, image.width, image.height)
    changed = [
        {
            "id": existing[url][0],
            "caption": i.caption,
            "credit": i.credit,
            "width": i.width,
            "height": i.height,
        }
        for url, i in wanted.items()
        if existing[url][1:] != (i.caption, i.credit, i.width, i.height)
    ]
    if changed:
        await session.execute(update(Image), changed)
    return {url: values[0] for url, values in existing.items()}


async def sync_links(
    session: AsyncSession,
    table: Table,
    owner_column: str,
    desired: dict[int, set[tuple[Any, ...]]],
    columns: Sequence[str],
) -> None:
    """Make each owner's link rows exactly `desired`, touching only owners whose links differ."""
    owner = table.c[owner_column]
    existing: dict[int, set[tuple[Any, ...]]] = defaultdict(set)
    result = await session.execute(
        select(owner, *(table.c[name] for name in columns)).where(owner.in_(list(desired)))
    )
    for row in result:
        existing[row[0]].add(tuple(row[1:]))
    stale = [owner_id for owner_id, links in desired.items() if existing.get(owner_id) != links]
    if not stale:
        return
    await session.execute(delete(table).where(owner.in_(stale)))
    rows = [
        {owner_column: owner_id, **dict(zip(columns, link, strict=True))}
        for owner_id in stale
        for link in sorted(desired[owner_id])
    ]
    for chunk in _chunks(rows):
        await session.execute(insert(table).values(list(chunk)))


async def park_moved_slugs(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Give demo articles whose slug is about to change a temporary, unique one.

    After the generator changes, a reload can hand a slug from one stored article to another;
    the unique (source, slug) constraint is checked row by row, so the rows that move are
    parked first. On an ordinary reload no slug changes and this updates nothing.
    """
    articles = table_of(Article)
    planned = values(
        column("source_id", BigInteger),
        column("external_id", String),
        column("slug", String),
        name="planned",
    ).data([(row["source_id"], row["external_id"], row["slug"]) for row in rows])
    await session.execute(
        update(articles)
        .where(
            articles.c.source_id == planned.c.source_id,
            articles.c.external_id == planned.c.external_id,
            articles.c.slug != planned.c.slug,
        )
        .values(slug=func.concat("reseeding-", articles.c.id))
    )
