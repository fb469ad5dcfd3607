"""Related stories: what a reader should see next, ranked, for every story on a page at once.

Candidates are the stories that share a tag or a country with the story, or sit in its section
close to it in time (its `RELATED_SECTION_NEIGHBOURS` nearest). Each is scored

    3 x shared tags + 2 x shared countries + 1.5 (same section) + 1 (same source)
    + 1 / (1 + days between the two stories / 30)          (recency: closeness in time)

and ties go to the newer story, then the higher id. Shared tags and countries are counted by
summing one weighted row per match (no per-candidate subqueries).

Readers read stored lists: each published story's best `RELATED_KEPT` (api/models_related.py),
ranked among the published stories (scheduled ones included) and kept current by
api/related_lists.py. Reading them is one indexed statement per page, and visibility still
applies when they are read (the session criteria cover every alias, api/visibility.py), so a
story taken down or not yet due is skipped at once. `related(first:)` gives at most
`RELATED_KEPT` stories. The desk, which also sees drafts, has its lists ranked live (`ranked`
over every story), as rare, uncached reads.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Integer,
    Select,
    any_,
    bindparam,
    cast,
    func,
    literal,
    literal_column,
    select,
    true,
    union_all,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.sql.selectable import LateralFromClause

from api.models import Article, ArticleCountry, ArticleTag, Section, Source
from api.models_related import RelatedStory
from api.queries.cards import ArticleRefs, refs_of, with_refs
from api.queries.driver import rows
from api.queries.records import ArticleRecord, build, columns
from api.visibility import visibility_of

RELATED_SECTION_NEIGHBOURS = 50
RELATED_KEPT = 24  # stored per story: `first` stays reachable after a few become invisible
TAG_WEIGHT, COUNTRY_WEIGHT, SECTION_WEIGHT, SOURCE_WEIGHT = 3.0, 2.0, 1.5, 1.0
_PUBLISHED: ColumnElement[str] = literal_column("'published'")
# The most section, source and recency add to a candidate's shared weight (recency is at most 1),
# with a hair of margin for rounding: api/related_bulk.py prunes with it.
MOST_ADDED = SECTION_WEIGHT + SOURCE_WEIGHT + 1.0 + 1e-9


def ranked(base: Any, first: Any, published_only: bool) -> LateralFromClause:
    """A LATERAL subquery: the best `first` candidates of the outer `base` row, with
    `related_id`, `rank` (1 = best) and `score`. `published_only`: rank among published stories
    (any date) by their publication time (the stored lists); otherwise among every story, drafts
    by their creation time (the desk)."""
    candidate = aliased(Article, name="candidate")
    neighbour = aliased(Article, name="neighbour")
    my_tag, their_tag = aliased(ArticleTag), aliased(ArticleTag)
    my_country, their_country = aliased(ArticleCountry), aliased(ArticleCountry)

    def when(article: Any) -> ColumnElement[Any]:
        if published_only:
            return article.published_at  # type: ignore[no-any-return]
        return func.coalesce(article.published_at, article.created_at)

    def distance(other: Any) -> ColumnElement[float]:
        return func.abs(func.extract("epoch", when(other) - when(base)))

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
    # The nearest in time are among the nearest before and the nearest after: two short index
    # scans (published stories: the section feed index) instead of sorting the whole section.
    in_section = select(neighbour.id.label("id"), distance(neighbour).label("distance")).where(
        neighbour.section_id == base.section_id
    )
    if published_only:
        in_section = in_section.where(neighbour.status == _PUBLISHED)
    before = (
        in_section.where(when(neighbour) <= when(base))
        .order_by(when(neighbour).desc())
        .limit(RELATED_SECTION_NEIGHBOURS)
        .correlate(base)
    )
    after = (
        in_section.where(when(neighbour) > when(base))
        .order_by(when(neighbour))
        .limit(RELATED_SECTION_NEIGHBOURS)
        .correlate(base)
    )
    either = union_all(before, after).subquery("either")
    nearby = (
        select(either.c.id)
        .order_by(either.c.distance)
        .limit(RELATED_SECTION_NEIGHBOURS)
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
    order = (score.desc(), when(candidate).desc(), candidate.id.desc())
    statement = (
        select(
            candidate.id.label("related_id"),
            func.row_number().over(order_by=order).label("rank"),
            score.label("score"),
        )
        .join(shared, shared.c.id == candidate.id)
        .where(candidate.id != base.id)
    )
    if published_only:
        statement = statement.where(candidate.status == _PUBLISHED)
    return statement.order_by(*order).limit(first).lateral("ranked")


_IDS = bindparam("ids", type_=ARRAY(BigInteger))
_FIRST = bindparam("first", type_=Integer)


def _stored(refs: bool = True) -> Select[Any]:
    """Each base's first `first` visible entries of its stored list, by rank, with the cards
    (`refs`), or with the stories alone: their sections and sources joined all the same, so
    that both show exactly the stories a reader may see."""
    base = func.unnest(_IDS).table_valued("id").render_derived("base")
    entry = aliased(RelatedStory, name="entry")
    shown = aliased(Article, name="shown")
    picked = (
        select(entry.related_id, entry.rank)
        .join(shown, shown.id == entry.related_id)  # visibility applies to `shown`
        .where(entry.article_id == base.c.id)
        .order_by(entry.rank)
        .limit(_FIRST)
        .lateral("picked")
    )
    listed = (
        select(base.c.id)
        .select_from(base)
        .join(picked, true())
        .join(Article, Article.id == picked.c.related_id)
    )
    if refs:
        listed = with_refs(listed)
    else:
        listed = (
            listed.add_columns(*columns(ArticleRecord))
            .join(Section, Section.id == Article.section_id)
            .join(Source, Source.id == Article.source_id)
        )
    return listed.order_by(base.c.id, picked.c.rank)


_STORED = _stored()
_STORED_STORIES = _stored(refs=False)


def _live() -> Select[Any]:
    base = aliased(Article, name="base")
    best = ranked(base, _FIRST, published_only=False)
    return (
        with_refs(
            select(base.id)
            .select_from(base)
            .join(best, true())
            .join(Article, Article.id == best.c.related_id)
        )
        .where(base.id == any_(_IDS))
        .order_by(base.id, best.c.rank)
    )


_LIVE = _live()


async def related_stories(
    session: AsyncSession, article_ids: Sequence[int], first: int
) -> dict[int, list[ArticleRecord]]:
    """`related_articles`, the stories alone (for lists that show nothing of their section,
    source, picture, bylines or tags)."""
    if visibility_of(session).include_unpublished:  # the desk's live lists
        found = await related_articles(session, article_ids, first)
        return {key: [refs.article for refs in listed] for key, listed in found.items()}
    parameters = {"ids": list(article_ids), "first": min(first, RELATED_KEPT)}
    result: dict[int, list[ArticleRecord]] = defaultdict(list)
    for row in await rows(session, _STORED_STORIES, parameters):
        result[row[0]].append(build(ArticleRecord, row, 1))
    return result


async def related_articles(
    session: AsyncSession, article_ids: Sequence[int], first: int
) -> dict[int, list[ArticleRefs]]:
    """Up to `first` related stories for each of `article_ids`, best first, in one statement
    (readers: at most `RELATED_KEPT`)."""
    live = visibility_of(session).include_unpublished
    statement = _LIVE if live else _STORED
    parameters = {"ids": list(article_ids), "first": first if live else min(first, RELATED_KEPT)}
    result: dict[int, list[ArticleRefs]] = defaultdict(list)
    for row in await rows(session, statement, parameters):
        result[row[0]].append(refs_of(row, 1))
    return result
