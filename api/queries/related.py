"""Related stories: what a reader should see next, ranked, for every story on a page at once.

Candidates are the visible stories that share a tag or a country with the story, or sit in its
section close to it in time (visibility applies to every alias through the session's criteria,
api/visibility.py). Each is scored

    3 x shared tags + 2 x shared countries + 1.5 (same section) + 1 (same source)
    + 1 / (1 + days between the two stories / 30)          (recency: closeness in time)

and ties go to the newer story, then the higher id. Shared tags and countries are counted by
summing one weighted row per match (no per-candidate subqueries). One statement per page.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Integer, cast, func, literal, select, true, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from api.models import Article, ArticleCountry, ArticleTag
from api.queries.cards import ArticleRefs, refs_of, with_refs
from api.visibility import visibility_of

RELATED_SECTION_NEIGHBOURS = 50
TAG_WEIGHT, COUNTRY_WEIGHT, SECTION_WEIGHT, SOURCE_WEIGHT = 3.0, 2.0, 1.5, 1.0


async def related_articles(
    session: AsyncSession, article_ids: Sequence[int], first: int
) -> dict[int, list[ArticleRefs]]:
    """Up to `first` related stories for each of `article_ids`, best first, in one statement."""
    visibility = visibility_of(session)
    base = aliased(Article, name="base")
    candidate = aliased(Article, name="candidate")
    neighbour = aliased(Article, name="neighbour")
    my_tag, their_tag = aliased(ArticleTag), aliased(ArticleTag)
    my_country, their_country = aliased(ArticleCountry), aliased(ArticleCountry)

    def distance(other: Any) -> ColumnElement[float]:
        seconds = func.extract(
            "epoch", visibility.article_sort_key(other) - visibility.article_sort_key(base)
        )
        return func.abs(seconds)

    # Everything below sits inside a LATERAL subquery and refers to the outer `base` row.
    tag_matches = (
        select(their_tag.article_id.label("id"), literal(TAG_WEIGHT).label("weight"))
        .join(my_tag, my_tag.tag_id == their_tag.tag_id)
        .where(my_tag.article_id == base.id)
        .correlate(base)
    )
    country_matches = (
        select(their_country.article_id, literal(COUNTRY_WEIGHT))
        .join(my_country, my_country.country == their_country.country)
        .where(my_country.article_id == base.id)
        .correlate(base)
    )
    nearby = (
        select(neighbour.id.label("id"))
        .where(neighbour.section_id == base.section_id)
        .order_by(distance(neighbour))
        .limit(RELATED_SECTION_NEIGHBOURS)
        .correlate(base)
        .subquery("nearby")
    )
    matches = union_all(tag_matches, country_matches, select(nearby.c.id, literal(0.0))).subquery(
        "matches"
    )
    shared = (
        select(matches.c.id, func.sum(matches.c.weight).label("weight"))
        .group_by(matches.c.id)
        .subquery("shared")
    )
    score = (
        shared.c.weight
        + cast(candidate.section_id == base.section_id, Integer) * SECTION_WEIGHT
        + cast(candidate.source_id == base.source_id, Integer) * SOURCE_WEIGHT
        + 1.0 / (1.0 + distance(candidate) / 86400.0 / 30.0)
    )
    order = (score.desc(), visibility.article_sort_key(candidate).desc(), candidate.id.desc())
    ranked = (
        select(
            candidate.id.label("related_id"),
            func.row_number().over(order_by=order).label("rank"),
        )
        .join(shared, shared.c.id == candidate.id)
        .where(candidate.id != base.id)
        .order_by(*order)
        .limit(first)
        .lateral("ranked")
    )
    statement = (
        with_refs(
            select(base.id)
            .select_from(base)
            .join(ranked, true())
            .join(Article, Article.id == ranked.c.related_id)
        )
        .where(base.id.in_(article_ids))
        .order_by(base.id, ranked.c.rank)
    )
    result: dict[int, list[ArticleRefs]] = defaultdict(list)
    for row in (await session.execute(statement)).all():
        result[row[0]].append(refs_of(row, 1))
    return result
