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
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Table, func, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.orm import DeclarativeBase

from api.content import make_excerpt, paragraphs_to_html, reading_time_minutes, slugify
from api.demo.network import CDN, SECTIONS, TAGS
from api.demo.storylines import (
    COUNTRIES,
    NETWORK_COUNTRIES,
    TOPICS,
    Country,
    Topic,
    compose_story,
)
from api.models import Article, Author, Section, Source, Tag

__all__ = ["PREFIX", "seed_synthetic"]

PREFIX = "syn-"
BATCH_SIZE = 5_000  # articles per COPY round: bounded memory, regular progress, short statements
PERIOD_START = datetime(2015, 1, 1, tzinfo=UTC)
PERIOD_END = datetime(2018, 7, 31, 23, 59, tzinfo=UTC)  # the demo's own stories start after this
REPORTERS_PER_SOURCE = 3
IMAGE_SHARE = 0.5

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

ARTICLE_COLUMNS = (
    "id",
    "source_id",
    "section_id",
    "slug",
    "external_id",
    "status",
    "published_at",
    "headline",
    "dek",
    "body_html",
    "body_text",
    "excerpt",
    "language",
    "url",
    "image_id",
    "reading_time_minutes",
    "created_at",
    "updated_at",
)
IMAGE_COLUMNS = ("id", "url", "caption", "credit", "width", "height")


@dataclass(frozen=True)
class _Masthead:
    """A synthetic paper as loaded: its row id, home country and byline ids."""

    id: int
    slug: str
    name: str
    domain: str
    country: Country
    reporters: tuple[int, ...]
    staff: int  # the organisation byline


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
) -> list[_Masthead]:
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
        _Masthead(
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


@dataclass
class _Batch:
    """The rows one COPY round writes, table by table."""

    images: list[tuple[Any, ...]] = field(default_factory=list)
    articles: list[tuple[Any, ...]] = field(default_factory=list)
    article_authors: list[tuple[int, int, int]] = field(default_factory=list)
    article_tags: list[tuple[int, int]] = field(default_factory=list)
    article_countries: list[tuple[int, str]] = field(default_factory=list)

    async def copy(self, driver: Any) -> None:
        """Write the batch with COPY, parents before the rows that reference them."""
        await driver.copy_records_to_table("images", records=self.images, columns=IMAGE_COLUMNS)
        await driver.copy_records_to_table(
            "articles", records=self.articles, columns=ARTICLE_COLUMNS
        )
        await driver.copy_records_to_table(
            "article_authors",
            records=self.article_authors,
            columns=("article_id", "author_id", "position"),
        )
        await driver.copy_records_to_table(
            "article_tags", records=self.article_tags, columns=("article_id", "tag_id")
        )
        await driver.copy_records_to_table(
            "article_countries", records=self.article_countries, columns=("article_id", "country")
        )

    def sizes(self) -> dict[str, int]:
        return {
            "images": len(self.images),
            "articles": len(self.articles),
            "article_authors": len(self.article_authors),
            "article_tags": len(self.article_tags),
            "article_countries": len(self.article_countries),
        }


@dataclass
class _Writer:
    """Writes synthetic stories as rows; a pure function of its random state and inputs."""

    rng: random.Random
    mastheads: Sequence[_Masthead]
    section_ids: dict[str, int]
    tag_ids: dict[str, int]
    topics: dict[str, list[Topic]] = field(init=False)
    span_minutes: int = field(init=False)

    def __post_init__(self) -> None:
        # Topics tied to a news event (a window of dates) stay out of the years covered here.
        self.topics = {
            code: [
                t
                for t in TOPICS
                if t.window is None and (t.countries is None or code in t.countries)
            ]
            for code in NETWORK_COUNTRIES
        }
        self.span_minutes = int((PERIOD_END - PERIOD_START).total_seconds() // 60)

    def batch(
        self, first_number: int, article_ids: Sequence[int], image_ids: Sequence[int]
    ) -> _Batch:
        """Rows for len(article_ids) articles numbered from `first_number`."""
        rng = self.rng
        rows = _Batch()
        for offset, (article_id, spare_image_id) in enumerate(
            zip(article_ids, image_ids, strict=True)
        ):
            number = first_number + offset
            paper = self.mastheads[rng.randrange(len(self.mastheads))]
            published_at = PERIOD_START + timedelta(minutes=rng.randrange(self.span_minutes))
            topic = rng.choice(self.topics[paper.country.code])
            story = compose_story(rng, topic, paper.country, published_at.date())
            body_text = "\n\n".join(story.paragraphs)
            slug = f"{slugify(story.headline, max_length=180)}-{number}"
            image_id = None
            if rng.random() < IMAGE_SHARE:
                image_id = spare_image_id
                rows.images.append(
                    (
                        image_id,
                        f"{CDN}/synthetic/{paper.slug}/{number}.jpg",
                        story.image_caption,
                        paper.name,
                        1200,
                        rng.choice((675, 800)),
                    )
                )
            rows.articles.append(
                (
                    article_id,
                    paper.id,
                    self.section_ids[story.section],
                    slug,
                    f"{PREFIX}{number:08d}",
                    "published",
                    published_at,
                    story.headline,
                    story.dek,
                    # Template text is plain and trusted: escaping it is all the sanitizing needed.
                    paragraphs_to_html(list(story.paragraphs)),
                    body_text,
                    make_excerpt(body_text),
                    "en",
                    f"https://{paper.domain}/{story.section}/{published_at:%Y/%m/%d}/{slug}",
                    image_id,
                    reading_time_minutes(body_text),
                    published_at,
                    published_at,
                )
            )
            byline = [rng.choice(paper.reporters)] if rng.random() < 0.8 else [paper.staff]
            if rng.random() < 0.1:
                byline.append(next(r for r in paper.reporters if r != byline[0]))
            rows.article_authors.extend(
                (article_id, author, position) for position, author in enumerate(byline)
            )
            rows.article_tags.extend((article_id, self.tag_ids[PREFIX + t]) for t in story.tags)
            rows.article_countries.extend((article_id, code) for code in story.countries)
        return rows


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
    writer = _Writer(
        rng=random.Random(f"broadsheet-synthetic:{seed}:{start}"),  # noqa: S311 -- not security
        mastheads=mastheads,
        section_ids=section_ids,
        tag_ids=tag_ids,
    )

    driver = (await connection.get_raw_connection()).driver_connection
    # COPY goes straight to asyncpg; it must land in the same transaction as the rows above.
    if driver is None or not driver.is_in_transaction():
        raise RuntimeError("seed_synthetic needs a connection with an open transaction")

    async def prepare(done: int) -> asyncio.Future[_Batch] | None:
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
