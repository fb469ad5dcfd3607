"""Recomputing every stored related list at once, after a bulk load (demo or synthetic seeding).

Ranking each story on its own reads, for every story, every story sharing one of its tags or
countries: with popular tags that is thousands of rows per story, hours at a million stories.
Stories with the same tags and countries (the same *signature*; a synthetic corpus of 100,000
has under a thousand) share the same candidates with the same shared weights, so this works by
signature, in set-based SQL on temporary tables:

1. every published story with its signature;
2. per signature, each published story sharing a tag or country with it and its shared weight,
   pruned: a candidate scores at least its weight and at most `MOST_ADDED` more (section,
   source, recency), so one whose weight plus that falls short of the (K+1)-th largest weight
   of the signature (K+1: the story itself is among them) can be in no list of that signature;
3. per story (a batch of stories per statement): its signature's candidates plus its nearest
   stories in its section, scored and ranked exactly as api/queries/related.py ranks them.

The result is the lists `ranked` gives, story by story (tests/test_related_lists.py checks it).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import BigInteger, bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from api.queries.related import (
    COUNTRY_WEIGHT,
    MOST_ADDED,
    RELATED_KEPT,
    RELATED_SECTION_NEIGHBOURS,
    SECTION_WEIGHT,
    SOURCE_WEIGHT,
    TAG_WEIGHT,
)

BULK_BATCH = 5_000  # stories per ranking statement

_PREPARE = (
    """
    CREATE TEMPORARY TABLE related_bulk_story AS
    SELECT a.id, a.section_id, a.source_id, a.published_at,
        coalesce((SELECT array_agg(t.tag_id ORDER BY t.tag_id) FROM article_tags t
                  WHERE t.article_id = a.id), '{}') AS tags,
        coalesce((SELECT array_agg(c.country::text ORDER BY c.country) FROM article_countries c
                  WHERE c.article_id = a.id), '{}') AS countries
    FROM articles a WHERE a.status = 'published'
    """,
    """
    CREATE TEMPORARY TABLE related_bulk_signature AS
    SELECT row_number() OVER (ORDER BY tags, countries) AS id, tags, countries
    FROM (SELECT DISTINCT tags, countries FROM related_bulk_story) s
    """,
    """
    CREATE TEMPORARY TABLE related_bulk_base AS
    SELECT st.id, st.section_id, st.source_id, st.published_at, sg.id AS signature
    FROM related_bulk_story st JOIN related_bulk_signature sg USING (tags, countries)
    """,
    "CREATE UNIQUE INDEX ON related_bulk_base (id)",
    "ANALYZE related_bulk_base",
    f"""
    CREATE TEMPORARY TABLE related_bulk_candidate AS
    WITH summed AS (
        SELECT sg.id AS signature, m.id, sum(m.weight) AS weight
        FROM related_bulk_signature sg CROSS JOIN LATERAL (
            SELECT t.article_id AS id, {TAG_WEIGHT}::float8 AS weight
            FROM article_tags t WHERE t.tag_id = ANY(sg.tags)
            UNION ALL
            SELECT c.article_id, {COUNTRY_WEIGHT}::float8
            FROM article_countries c WHERE c.country = ANY(sg.countries)
        ) m
        GROUP BY sg.id, m.id
    ),
    published AS (
        SELECT s.signature, s.id, s.weight, b.section_id, b.source_id, b.published_at,
            nth_value(s.weight, {RELATED_KEPT + 1}) OVER (
                PARTITION BY s.signature ORDER BY s.weight DESC
                ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
            ) AS floor
        FROM summed s JOIN related_bulk_base b ON b.id = s.id
    )
    SELECT signature, id, weight, section_id, source_id, published_at FROM published
    WHERE weight + {MOST_ADDED}::float8 >= coalesce(floor, 0.0)
    """,  # noqa: S608 -- only constants are formatted in
    *(
        f"CREATE INDEX ON related_bulk_candidate (signature, weight, {columns}published_at, id)"
        for columns in ("", "section_id, ", "source_id, ", "section_id, source_id, ")
    ),
    "ANALYZE related_bulk_candidate",
    """
    CREATE TEMPORARY TABLE related_bulk_level AS
    SELECT DISTINCT signature, weight FROM related_bulk_candidate
    """,
)


def _nearest_of_level() -> str:
    """A signature's candidates of one shared weight that can be among a story's best: of those
    with the same weight, the same section match and the same source match, a nearer story (or
    as near and newer, or as near, as new and of higher id) always ranks first, so the
    `RELATED_KEPT` + 1 nearest on either side in each of the four match classes suffice (+ 1:
    the story itself may be one)."""
    sides = (
        ("<=", "k.published_at DESC, k.id DESC"),
        (">", "k.published_at, k.id DESC"),
    )
    section, source = " AND k.section_id = b.section_id", " AND k.source_id = b.source_id"
    classes = ("", section, source, section + source)
    parts = [
        f"""(SELECT k.id, k.weight, k.section_id, k.source_id, k.published_at
             FROM related_bulk_candidate k
             WHERE k.signature = level.signature AND k.weight = level.weight{match}
               AND k.published_at {side} b.published_at
             ORDER BY {order} LIMIT {RELATED_KEPT + 1})"""  # noqa: S608 -- constants only
        for match in classes
        for side, order in sides
    ]
    return "\nUNION ALL\n".join(parts)


_NEAREST_OF_LEVEL = _nearest_of_level()
_NEAREST = f"""
    SELECT n.id, n.section_id, n.source_id, n.published_at FROM (
        (SELECT a.id, a.section_id, a.source_id, a.published_at,
             abs(extract(epoch FROM a.published_at - b.published_at)) AS distance
         FROM articles a
         WHERE a.section_id = b.section_id AND a.status = 'published'
           AND a.published_at <= b.published_at
         ORDER BY a.published_at DESC LIMIT {RELATED_SECTION_NEIGHBOURS})
        UNION ALL
        (SELECT a.id, a.section_id, a.source_id, a.published_at,
             abs(extract(epoch FROM a.published_at - b.published_at))
         FROM articles a
         WHERE a.section_id = b.section_id AND a.status = 'published'
           AND a.published_at > b.published_at
         ORDER BY a.published_at LIMIT {RELATED_SECTION_NEIGHBOURS})
    ) n ORDER BY n.distance LIMIT {RELATED_SECTION_NEIGHBOURS}
"""  # noqa: S608 -- only constants are formatted in
_RANK = text(
    f"""
    INSERT INTO related_stories (article_id, rank, related_id, score)
    SELECT b.id, r.rank, r.related_id, r.score
    FROM related_bulk_base b CROSS JOIN LATERAL (
        SELECT c.id AS related_id, c.score,
            row_number() OVER (ORDER BY c.score DESC, c.published_at DESC, c.id DESC) AS rank
        FROM (
            SELECT m.id, m.published_at,
                sum(m.weight)
                + (m.section_id = b.section_id)::int * {SECTION_WEIGHT}::float8
                + (m.source_id = b.source_id)::int * {SOURCE_WEIGHT}::float8
                + 1.0::float8 / (1.0::float8
                    + abs(extract(epoch FROM m.published_at - b.published_at))
                    / 86400.0::float8 / 30.0::float8) AS score
            FROM (
                SELECT DISTINCT pick.* FROM related_bulk_level level CROSS JOIN LATERAL (
                    {_NEAREST_OF_LEVEL}
                ) pick
                WHERE level.signature = b.signature
                UNION ALL
                SELECT near.id, 0.0::float8, near.section_id, near.source_id, near.published_at
                FROM ({_NEAREST}) near
            ) m
            WHERE m.id <> b.id
            GROUP BY m.id, m.section_id, m.source_id, m.published_at
        ) c
        ORDER BY c.score DESC, c.published_at DESC, c.id DESC
        LIMIT {RELATED_KEPT}
    ) r
    WHERE b.id = ANY(:ids)
    """  # noqa: S608 -- only constants are formatted in
).bindparams(bindparam("ids", type_=ARRAY(BigInteger)))
_DROP = (
    "DROP TABLE related_bulk_level, related_bulk_candidate, related_bulk_base, "
    "related_bulk_signature, related_bulk_story"
)


async def rank_everything(session: AsyncSession, batch: int = BULK_BATCH) -> int:
    """Insert every published story's list into the (emptied) `related_stories`; how many
    stories. The caller holds the lists' lock and commits."""
    for statement in _PREPARE:
        await session.execute(text(statement))
    ids: Sequence[int] = (
        (await session.execute(text("SELECT id FROM related_bulk_base ORDER BY id")))
        .scalars()
        .all()
    )
    for start in range(0, len(ids), batch):
        await session.execute(_RANK, {"ids": list(ids[start : start + batch])})
    await session.execute(text(_DROP))
    return len(ids)
