"""The synthetic newsroom's reference rows: papers with their reporters, sections and tags.

Everything is namespaced with the `syn-` slug prefix, so it never collides with, or shows up in
the taxonomies of, the demo data; rows an earlier run created are found and reused (inserts skip
slugs that exist), so loads can be repeated and appended to.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.orm import DeclarativeBase

from api.content import slugify
from api.demo.network import SECTIONS, TAGS
from api.demo.storylines import COUNTRIES, NETWORK_COUNTRIES, Country
from api.demo.synthetic_rows import PREFIX, Masthead, undated_topics
from api.demo.synthetic_shape import PERIOD_START, zipf_order
from api.models import Author, Section, Source, Tag

REPORTERS_PER_SOURCE = 3  # the smallest papers' staff; the biggest have up to a dozen
# Subjects of the long tail of tags, one tag per country adjective and subject.
TAIL_SUBJECTS = (
    "agriculture", "airlines", "banking", "border security", "budget", "coal", "coffee",
    "construction", "courts", "cricket", "currency", "dams", "defence", "diaspora", "education",
    "exports", "film", "fisheries", "football", "forestry", "gas", "healthcare", "housing",
    "imports", "labour", "mining", "monsoon", "nickel", "palm oil", "ports", "railways", "rice",
    "rubber", "shipbuilding", "shipping", "startups", "steel", "telecoms", "textiles",
    "tourism", "universities", "water",
)  # fmt: skip

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


@dataclass(frozen=True)
class Catalogue:
    """What the row writer needs to know of the reference rows."""

    mastheads: list[Masthead]  # Zipf order
    section_ids: dict[str, int]  # demo section slug -> synthetic twin's id
    tag_ids: dict[str, int]  # syn- slug -> id, topic tags
    tail_tag_ids: list[int]  # Zipf order


async def catalogue(connection: AsyncConnection, sources: int, counts: dict[str, int]) -> Catalogue:
    """Create (or find) the reference rows; count what was inserted into `counts`."""
    mastheads = await _mastheads(connection, sources, counts)
    section_ids = await _sections(connection, counts)
    tags = [(PREFIX + slug, TAGS[slug]) for slug in _topic_tags()] + _tail_tags()
    tag_ids, counts["tags"] = await _ensure(
        connection, _table(Tag), [{"slug": slug, "name": name} for slug, name in tags]
    )
    return Catalogue(
        mastheads,
        section_ids,
        {PREFIX + slug: tag_ids[PREFIX + slug] for slug in _topic_tags()},
        [tag_ids[slug] for slug, _ in _tail_tags()],
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
    return list(dict.fromkeys(tag for topic in undated_topics() for tag in topic.tags))


def _tail_tags() -> list[tuple[str, str]]:
    """(slug, name) of the long tail of tags ("Thai rice", "Korean shipbuilding"), Zipf order."""
    names = [f"{c.adjective} {subject}" for c in COUNTRIES.values() for subject in TAIL_SUBJECTS]
    return [(PREFIX + slugify(name), name) for name in zipf_order(names, "tail-tags")]


def _reporter_names(rng: random.Random, country: Country, count: int) -> list[str]:
    given = country.given_names or ("Alex", "Sam", "Jordan", "Kim")
    family = country.family_names or ("Lee", "Tan", "Khan", "Sato")
    everyone = [(g, f) for g in given for f in family]
    pairs = rng.sample(everyone, min(count, len(everyone)))
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
    for index in range(1, count + 1):  # source-0001 publishes the most (Zipf rank order)
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
        staff_size = REPORTERS_PER_SOURCE + 9 // (len(byline_slugs) + 1)  # big papers, big staff
        for person in _reporter_names(_paper_rng(slug), country, staff_size):
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
