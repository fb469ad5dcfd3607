"""Bulk synthetic content for benchmarks: many published articles, loaded with PostgreSQL COPY.

`seed_synthetic` adds N published articles (with bylines, tags, countries and lead images)
written from the same story templates as the demo newsroom, spread over 2015 to mid-2018 so
they sit behind the demo's own stories in every feed. Everything it creates is namespaced with
a `syn-` slug prefix (sources, sections, authors, tags), so it never collides with, or shows up
in the taxonomies of, the demo data. The same seed on the same database gives the same data;
running it again appends another N articles rather than failing on duplicates.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Table, func, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.orm import DeclarativeBase

from api.content import slugify
from api.demo.network import SECTIONS, TAGS
from api.demo.storylines import COUNTRIES, NETWORK_COUNTRIES, TOPICS, Country
from api.demo.synthetic_rows import PERIOD_START, PREFIX, Batch, Masthead, Writer
from api.models import Article, Author, Section, Source, Tag

__all__ = ["PREFIX", "seed_synthetic"]

BATCH_SIZE = 5_000  # articles per COPY round: bounded memory, regular progress, short statements
REPORTERS_PER_SOURCE = 3

_MASTHEADS = (
    "Herald",
    "Times",
    "Post",
    "Courier",
    "Tribune",
    "Gazette",
    "Observer",
    "Chronicle",
    "Star",
    "Mail",
    "Express",
    "Daily",
)


def _table(model: type[DeclarativeBase]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


async def _ensure(
    connection: AsyncConnection, table: Table, rows: Sequence[dict[str, Any]]
) -> tuple[dict[str, int], int]:
    """Insert rows whose slug is new; return ({slug: id} for all rows, number inserted)."""
    inserted = 0
    ids: dict[str, int] = {}
    # Stay well under asyncpg's limit of 32767 bind parameters per statement.
    size = max(1, 30_000 // max(1, len(rows[0]))) if rows else 1
    for start in range(0, len(rows), size):
        chunk = list(rows[start : start + size])
        result = await connection.execute(
            pg_insert(table)
            .values(chunk)
            .on_conflict_do_nothing(index_elements=["slug"])
            .returning(table.c.id)
        )
        inserted += len(result.all())
        found = await connection.execute(
            select(table.c.slug, table.c.id).where(table.c.slug.in_([r["slug"] for r in chunk]))
        )
        ids |= {row.slug: row.id for row in found}
    return ids, inserted


def _topic_tags() -> list[str]:
    """The tags generated stories use, in first-use order."""
    return list(dict.fromkeys(tag for topic in TOPICS for tag in topic.tags))


def _reporter_names(rng: random.Random, country: Country, count: int) -> list[str]:
    given = country.given_names or ("Alex", "Sam", "Jordan", "Kim")
    family = country.family_names or ("Lee", "Tan", "Khan", "Sato")
    pairs = rng.sample([(g, f) for g in given for f in family], count)
    return [f"{f} {g}" if country.family_first else f"{g} {f}" for g, f in pairs]


def _paper_rng(slug: str) -> random.Random:
    # Papers and their reporters depend only on the paper's slug: every run and every seed
    # agrees on who works where.
    return random.Random(f"broadsheet-synthetic-paper:{slug}")  # noqa: S311 -- not security


async def _mastheads(
    connection: AsyncConnection, count: int, counts: dict[str, int]
) -> list[Masthead]:
    """Create (or find) `count` synthetic papers with reporters and a staff byline."""
    homes = [COUNTRIES[code] for code in NETWORK_COUNTRIES]
    planned = []
    for index in range(1, count + 1):
        country = homes[(index - 1) % len(homes)]
        slug = f"{PREFIX}source-{index:04d}"
        name = f"The {country.city or country.capital} {_paper_rng(slug).choice(_MASTHEADS)}"
        planned.append((slug, name, country))
    stamp = {"created_at": PERIOD_START, "updated_at": PERIOD_START}
    source_ids, counts["sources"] = await _ensure(
        connection,
        _table(Source),
        [
            {
                "slug": slug,
                "name": name,
                "description": f"A synthetic {country.adjective} newspaper for benchmarks.",
                "url": f"https://{slug}.example",
                "country": country.code,
                "language": "en",
                **stamp,
            }
            for slug, name, country in planned
        ],
    )
    # Papers created by an earlier run keep their stored name and country.
    stored = await connection.execute(
        select(Source.slug, Source.name, Source.country).where(
            Source.slug.in_([slug for slug, _, _ in planned])
        )
    )
    actual = {row.slug: (row.name, row.country) for row in stored}

    author_rows = []
    byline_slugs: dict[str, tuple[list[str], str]] = {}
    for slug, _, _ in planned:
        name, code = actual[slug]
        country = COUNTRIES.get(code or "", COUNTRIES["SG"])
        reporters = []
        for person in _reporter_names(_paper_rng(slug), country, REPORTERS_PER_SOURCE):
            author_slug = f"{slug}-{slugify(person)}"
            reporters.append(author_slug)
            author_rows.append(
                {
                    "slug": author_slug,
                    "name": person,
                    "bio": f"{person} is a reporter at {name}.",
                    "is_organization": False,
                    "source_id": source_ids[slug],
                    **stamp,
                }
            )
        staff_slug = f"{slug}-staff"
        author_rows.append(
            {
                "slug": staff_slug,
                "name": name,
                "bio": f"Staff reporting from {name}.",
                "is_organization": True,
                "source_id": source_ids[slug],
                **stamp,
            }
        )
        byline_slugs[slug] = (reporters, staff_slug)
    author_ids, counts["authors"] = await _ensure(connection, _table(Author), author_rows)
    return [
        Masthead(
            id=source_ids[slug],
            slug=slug,
            name=actual[slug][0],
            domain=f"{slug}.example",
            country=COUNTRIES.get(actual[slug][1] or "", COUNTRIES["SG"]),
            reporters=tuple(author_ids[a] for a in byline_slugs[slug][0]),
            staff=author_ids[byline_slugs[slug][1]],
        )
        for slug, _, _ in planned
    ]


async def _sections(connection: AsyncConnection, counts: dict[str, int]) -> dict[str, int]:
    """Synthetic twins of the demo sections, parents first: {demo section slug: id}."""
    ids: dict[str, int] = {}
    counts["sections"] = 0
    for children in (False, True):
        rows = [
            {
                "slug": PREFIX + s.slug,
                "name": f"{s.name} (synthetic)",
                "description": s.description,
                "parent_id": ids[s.parent] if s.parent else None,
                "position": position,
                "created_at": PERIOD_START,
                "updated_at": PERIOD_START,
            }
            for position, s in enumerate(SECTIONS)
            if (s.parent is not None) == children
        ]
        found, inserted = await _ensure(connection, _table(Section), rows)
        counts["sections"] += inserted
        ids |= {slug.removeprefix(PREFIX): pk for slug, pk in found.items()}
    return ids


async def _reserve_ids(connection: AsyncConnection, table: str, count: int) -> list[int]:
    """Take `count` values from the table's identity sequence (safe alongside other writers)."""
    if count == 0:
        return []
    result = await connection.execute(
        text(
            "SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :count)"
        ),
        {"table": table, "count": count},
    )
    return list(result.scalars())


async def seed_synthetic(
    target: AsyncEngine | AsyncConnection,
    articles: int,
    sources: int = 20,
    seed: int = 1,
    progress: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Add `articles` published synthetic articles using COPY; return the rows added per table.

    `target` is an engine (the load runs in its own transaction and commits) or a connection
    (the load joins the connection's transaction and commits nothing, e.g. inside a test's
    rolled-back transaction). `sources` synthetic papers are created on first use, each with
    reporters and a staff byline, plus synthetic twins of the demo's sections and tags.
    `progress`, when given, is called after each batch with the number of articles written so
    far. The same `seed` on the same database state always produces the same articles.
    """
    if articles < 0 or sources < 1:
        raise ValueError("articles must be >= 0 and sources >= 1")
    if isinstance(target, AsyncEngine):
        async with target.begin() as connection:
            return await _load(connection, articles, sources, seed, progress)
    return await _load(target, articles, sources, seed, progress)


async def _load(
    connection: AsyncConnection,
    articles: int,
    sources: int,
    seed: int,
    progress: Callable[[int], None] | None,
) -> dict[str, int]:
    counts: dict[str, int] = {}
    # Numbering continues after earlier synthetic loads, so reruns append instead of clashing.
    start = await connection.scalar(
        select(func.count())
        .select_from(Article)
        .join(Source, Source.id == Article.source_id)
        .where(Source.slug.startswith(PREFIX))
    )
    start = int(start or 0)
    mastheads = await _mastheads(connection, sources, counts)
    section_ids = await _sections(connection, counts)
    tag_ids, counts["tags"] = await _ensure(
        connection,
        _table(Tag),
        [{"slug": PREFIX + slug, "name": TAGS[slug]} for slug in _topic_tags()],
    )
    writer = Writer(
        rng=random.Random(f"broadsheet-synthetic:{seed}:{start}"),  # noqa: S311 -- not security
        mastheads=mastheads,
        section_ids=section_ids,
        tag_ids=tag_ids,
    )

    driver = (await connection.get_raw_connection()).driver_connection
    # COPY goes straight to asyncpg; it must land in the same transaction as the rows above.
    if driver is None or not driver.is_in_transaction():
        raise RuntimeError("seed_synthetic needs a connection with an open transaction")

    async def prepare(done: int) -> asyncio.Future[Batch] | None:
        """Reserve ids for the next batch and start writing its rows in a worker thread."""
        size = min(BATCH_SIZE, articles - done)
        if size <= 0:
            return None
        article_ids = await _reserve_ids(connection, "articles", size)
        # One image id per article is reserved; ids of articles without a picture stay unused
        # (sequences have gaps anyway), so the row writer never needs the connection.
        image_ids = await _reserve_ids(connection, "images", size)
        return asyncio.ensure_future(
            asyncio.to_thread(writer.batch, start + done + 1, article_ids, image_ids)
        )

    totals: dict[str, int] = {}
    done = 0
    pending = await prepare(done)
    while pending is not None:
        batch = await pending
        size = len(batch.articles)
        # The next batch is generated while the server is busy with this one's COPY.
        pending = await prepare(done + size)
        await batch.copy(driver)
        for table, rows in batch.sizes().items():
            totals[table] = totals.get(table, 0) + rows
        done += size
        if progress is not None:
            progress(done)
    return counts | totals
