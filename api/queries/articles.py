"""Article feeds: keyset pages of cards and their counts, for any criteria.

None of them states who may see what: the session's visibility is applied to every statement
(api/visibility.py). What a feed contains is in api/queries/criteria.py, related stories in
api/queries/related.py, the pieces of search (tsquery, ranking, highlights, the candidate
bound) in api/queries/search.py.

A feed with a search query holds the `SEARCH_CANDIDATES` most recent matches only, ordered as
asked (by relevance for `search`): its pages, cursors and totalCount are all of that set, so
each costs the same whatever the word and wherever the page.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    Integer,
    Select,
    String,
    Subquery,
    bindparam,
    func,
    select,
    true,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from api.models import (
    Article,
    ArticleStatus,
    Section,
)
from api.plans import value_sensitive
from api.queries.cards import CARD_BUILDERS, ArticleRefs, CardParts, with_card
from api.queries.criteria import (
    ArticleCriteria,
    CriteriaShape,
    conditions,
    criteria_parameters,
    criteria_shape,
    needs_own_plans,
    placeholders,
    section_subtree,
    sections_only,
)
from api.queries.driver import rows
from api.queries.pagination import (
    Page,
    SortKey,
    Window,
    WindowShape,
    fetch_page,
    page_order,
    page_statement,
    shape_of,
    window_of,
)
from api.queries.search import relevance, search_candidates
from api.visibility import Visibility, visibility_of


class ArticleOrder(enum.Enum):
    PUBLISHED_AT_DESC = "PUBLISHED_AT_DESC"
    PUBLISHED_AT_ASC = "PUBLISHED_AT_ASC"
    RELEVANCE = "RELEVANCE"


@dataclass(frozen=True)
class ArticleFeed:
    criteria: ArticleCriteria = field(default_factory=ArticleCriteria)
    order: ArticleOrder = ArticleOrder.PUBLISHED_AT_DESC


def matching_articles(criteria: ArticleCriteria) -> Select[Article]:
    """The articles that match `criteria` (the session's visibility narrows them further);
    run with `criteria_parameters(criteria)`."""
    return select(Article).where(*conditions(criteria))


async def published_article(
    session: AsyncSession, criteria: ArticleCriteria, article_id: int, published_at: datetime
) -> Article | None:
    """The article if it matches `criteria` and is published as of `published_at` (the moment
    a live event announced); None if it is not, or no longer, or not visible to the session."""
    statement = matching_articles(criteria).where(
        Article.id == article_id,
        Article.status == ArticleStatus.PUBLISHED,
        Article.published_at == published_at,
    )
    result = await session.scalars(statement, criteria_parameters(criteria))
    return result.one_or_none()


def _feed_keys(feed: ArticleFeed, visibility: Visibility) -> tuple[list[SortKey], bool]:
    descending = feed.order is ArticleOrder.PUBLISHED_AT_DESC
    return [visibility.article_sort_key(), Article.id], descending


_CANDIDATES = bindparam("candidates", type_=Integer)


def _searchable(criteria: ArticleCriteria) -> Select[Any]:
    """The matches of a search, with their section joined as cards join it, so a story the
    reader cannot see with its section never takes a candidate's place."""
    return select().join(Section, Section.id == Article.section_id).where(*conditions(criteria))


def _candidates(criteria: ArticleCriteria, visibility: Visibility) -> Subquery:
    """The `SEARCH_CANDIDATES` most recent matches of a search (`candidates` binds the bound):
    id, feed date (`moment`) and search vector, for ranking. Found newest first, so PostgreSQL
    can walk the feed index and stop at the bound, or sort the few matches a GIN scan finds."""
    moment = visibility.article_sort_key()
    return (
        _searchable(criteria)
        .add_columns(Article.id, moment.label("moment"), Article.search_vector.label("vector"))
        .order_by(moment.desc(), Article.id.desc())
        .limit(_CANDIDATES)
        .subquery("candidates")
    )


def _search_page(
    feed: ArticleFeed, visibility: Visibility, window: Window, parts: CardParts
) -> tuple[Select[Any], int]:
    """One page of a search: the candidates ordered (by relevance or date) and cut to the page
    in a subquery, then joined to what a card shows, so the joins read one page of rows."""
    candidates = _candidates(feed.criteria, visibility)
    keys: list[SortKey]
    if feed.order is ArticleOrder.RELEVANCE:
        vector, moment = candidates.c.vector, candidates.c.moment
        rank = relevance(vector, moment, bindparam("query", type_=String)).label("rank")
        ordered = select(candidates.c.id, rank).subquery("scored")
        keys, descending = [ordered.c.rank, ordered.c.id], True
    else:
        ordered = candidates
        keys = [candidates.c.moment, candidates.c.id]
        descending = feed.order is ArticleOrder.PUBLISHED_AT_DESC
    page = page_statement(select().select_from(ordered), keys, window, descending=descending)
    rows = page.subquery("page")
    page_keys = [rows.c[key.name] for key in keys]
    statement = with_card(
        select().select_from(Article).join(rows, rows.c.id == Article.id), parts=parts
    )
    statement = statement.add_columns(*page_keys)
    return statement.order_by(*page_order(page_keys, window, descending=descending)), len(keys)


@lru_cache(maxsize=1024)
def _page_statement(
    shape: CriteriaShape,
    order: ArticleOrder,
    editorial: bool,
    window: WindowShape,
    parts: CardParts,
) -> tuple[Select[Any], int]:
    """The statement of one page of a feed of this shape, and the number of sort keys (kept:
    criteria, order and page size vary little, so the same few statements serve every request)."""
    criteria = ArticleCriteria(**placeholders(shape))
    feed = ArticleFeed(criteria, order)
    visibility = Visibility.editorial() if editorial else Visibility.public()
    if criteria.query is not None:
        page, width = _search_page(feed, visibility, window_of(window), parts)
    else:
        keys, descending = _feed_keys(feed, visibility)
        if sections_only(criteria):
            newest = _newest_in_each(criteria, visibility, window_of(window), descending)
            statement = with_card(select().where(Article.id.in_(newest)), parts=parts)
        else:
            statement = with_card(select().where(*conditions(criteria)), parts=parts)
        page = page_statement(statement, keys, window_of(window), descending=descending)
        width = len(keys)
    return (value_sensitive(page) if needs_own_plans(criteria) else page), width


# Criteria whose values decide how a feed is best read (api/plans.py): how common a word, a tag,
# an author or a country is, how wide a range of dates. A section's, a source's or the whole
# feed is read from its index the same way whichever it is.
def _newest_in_each(
    criteria: ArticleCriteria, visibility: Visibility, window: Window, descending: bool
) -> Select[Any]:
    """The ids of a page's worth of stories from each section of the feed (the section and its
    descendants), in the window, each read from its own section's feed index. The page is among
    them. Without this, PostgreSQL walks the whole archive's feed index for the section's
    stories: cheap for a big section, but every story of the archive for a small one (a section
    with 4 of 100,000 stories took 32-42 ms; bench/RESULTS.md, fifth part)."""
    tree = section_subtree(by_slug=bool(criteria.sections)).subquery("tree")
    story = aliased(Article, name="story")
    keys: list[SortKey] = [visibility.article_sort_key(story), story.id]
    in_section = select(story.id).where(story.section_id == tree.c.id)
    newest = page_statement(in_section, keys, window, descending=descending).lateral("newest")
    return select(newest.c.id).select_from(tree).join(newest, true())


async def article_page(
    session: AsyncSession, feed: ArticleFeed, window: Window, parts: CardParts = CardParts.ALL
) -> Page[ArticleRefs]:
    """One page of a feed, as one statement, its cards with `parts`."""
    visibility = visibility_of(session)
    statement, width = _page_statement(
        criteria_shape(feed.criteria),
        feed.order,
        visibility.include_unpublished,
        shape_of(window),
        parts,
    )
    parameters = _parameters(feed.criteria)
    build = CARD_BUILDERS[parts]
    return await fetch_page(session, statement, window, width, build, parameters)


def _parameters(criteria: ArticleCriteria) -> dict[str, Any]:
    """What a feed or count statement binds: the criteria, and a search's candidate bound."""
    parameters = criteria_parameters(criteria)
    if criteria.query is not None:
        parameters["candidates"] = search_candidates()
    return parameters


@lru_cache(maxsize=256)
def _count_statement(shape: CriteriaShape) -> Select[int]:
    """Counts the feed; a search's count stops at the candidate bound, as its pages do."""
    criteria = ArticleCriteria(**placeholders(shape))
    if criteria.query is not None:
        matched = _searchable(criteria).add_columns(Article.id).limit(_CANDIDATES).subquery()
        statement = select(func.count()).select_from(matched)
    else:
        statement = select(func.count()).select_from(Article).where(*conditions(criteria))
    return value_sensitive(statement) if needs_own_plans(criteria) else statement


async def count_articles(session: AsyncSession, criteria: ArticleCriteria) -> int:
    statement = _count_statement(criteria_shape(criteria))
    ((counted,),) = await rows(session, statement, _parameters(criteria))
    return int(counted)
