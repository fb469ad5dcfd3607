"""Newsletters over the synthetic period: a weekday briefing and a Sunday review.

Issues are written in SQL after the articles are in, one per day (or week) that has synthetic
stories, each listing that day's (or week's) latest synthetic stories. A day that already has an
issue is left alone, so appended loads add issues only for days that had none; the items of an
issue follow from the stored articles alone, so the same data gives the same issues.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from api.demo.synthetic_rows import PREFIX
from api.demo.synthetic_shape import PERIOD_START
from api.models import Newsletter


@dataclass(frozen=True)
class Edition:
    slug: str
    name: str
    description: str
    isodows: tuple[int, ...]  # ISO weekdays it comes out on (1 = Monday)
    span_days: int  # it picks from the stories of this many days, ending on its date
    items: int


EDITIONS = (
    Edition(
        PREFIX + "daily-briefing",
        "The Daily Briefing (synthetic)",
        "The day's stories from the synthetic network, every weekday evening.",
        (1, 2, 3, 4, 5),
        1,
        8,
    ),
    Edition(
        PREFIX + "weekly-review",
        "The Weekly Review (synthetic)",
        "The week's stories from the synthetic network, every Sunday.",
        (7,),
        7,
        12,
    ),
)

# New issues for days with synthetic stories and no issue yet, and their items, newest first.
# An issue collects the stories of the `span` days ending on its date; days whose stories fall
# into no issue (weekends, for the weekday briefing) are skipped. One pass over the stories,
# no index needed: this runs right after a bulk load, before statistics are fresh.
# The synthetic stories' days, read from the (large) articles table once for every statement.
_STORIES = text(
    """
    CREATE TEMPORARY TABLE synthetic_story AS
    SELECT a.id, a.published_at, (a.published_at AT TIME ZONE 'UTC')::date AS day
    FROM articles a
    WHERE a.source_id IN (SELECT id FROM sources WHERE slug LIKE :prefix)
      AND a.status = 'published'
    """
)
_RANKED = """
    WITH story AS (SELECT id, published_at, day FROM synthetic_story), issue_day AS (
        SELECT d.day, (SELECT min(d.day + k) FROM generate_series(0, :span - 1) k
                       WHERE extract(isodow FROM d.day + k) = ANY(CAST(:isodows AS int[])))
               AS issue
        FROM (SELECT DISTINCT day FROM story) d
    ), ranked AS (
        SELECT s.id, i.issue, row_number() OVER (
                   PARTITION BY i.issue ORDER BY s.published_at DESC, s.id DESC) - 1 AS position
        FROM story s JOIN issue_day i ON i.day = s.day
        WHERE i.issue IS NOT NULL
    )
"""
_ISSUES = text(
    _RANKED  # noqa: S608 -- built from constants only
    + """
    INSERT INTO newsletter_issues
        (newsletter_id, date, title, intro, published_at, created_at, updated_at)
    SELECT :newsletter, issue, :name || ': ' || to_char(issue, 'FMDay FMDD FMMonth YYYY'),
           :description, (issue + time '22:00') AT TIME ZONE 'UTC',
           (issue + time '22:00') AT TIME ZONE 'UTC', (issue + time '22:00') AT TIME ZONE 'UTC'
    FROM (SELECT DISTINCT issue FROM ranked) days
    ORDER BY issue
    ON CONFLICT (newsletter_id, date) DO NOTHING
    RETURNING id
    """
)
_ITEMS = text(
    _RANKED  # noqa: S608 -- built from constants only
    + """
    INSERT INTO newsletter_items (issue_id, position, article_id, blurb)
    SELECT i.id, r.position, r.id, NULL
    FROM ranked r JOIN newsletter_issues i ON i.newsletter_id = :newsletter AND i.date = r.issue
    WHERE r.position < :items AND i.id = ANY(CAST(:new AS bigint[]))
    """
)


async def write_newsletters(connection: AsyncConnection) -> dict[str, int]:
    """Create the synthetic newsletters and their missing issues; rows added per table."""
    newsletters = 0
    issues = 0
    items = 0
    await connection.execute(text("DROP TABLE IF EXISTS pg_temp.synthetic_story"))
    await connection.execute(_STORIES, {"prefix": PREFIX + "%"})
    for edition in EDITIONS:
        inserted = await connection.execute(
            pg_insert(Newsletter)
            .values(
                slug=edition.slug,
                name=edition.name,
                description=edition.description,
                created_at=PERIOD_START,
                updated_at=PERIOD_START,
            )
            .on_conflict_do_nothing(index_elements=["slug"])
            .returning(Newsletter.id)
        )
        newsletters += len(inserted.all())
        newsletter_id = await connection.scalar(
            text("SELECT id FROM newsletters WHERE slug = :slug"), {"slug": edition.slug}
        )
        ranking = {
            "newsletter": newsletter_id,
            "name": edition.name.removesuffix(" (synthetic)"),
            "description": edition.description,
            "isodows": list(edition.isodows),
            "span": edition.span_days,
        }
        new = list((await connection.execute(_ISSUES, ranking)).scalars())
        if new:
            added = await connection.execute(
                _ITEMS, {**ranking, "new": new, "items": edition.items}
            )
            items += added.rowcount
        issues += len(new)
    await connection.execute(text("DROP TABLE pg_temp.synthetic_story"))
    return {"newsletters": newsletters, "newsletter_issues": issues, "newsletter_items": items}
