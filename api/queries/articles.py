"""Article queries: filtered keyset feeds, counts, lookups, and what a card renders with.

None of them states who may see what: the session's visibility is applied to every statement
(api/visibility.py). Related stories live in api/queries/related.py, the pieces of search
(tsquery, ranking, highlights, the candidate bound) in api/queries/search.py.

A feed with a search query holds the `SEARCH_CANDIDATES` most recent matches only, ordered as
asked (by relevance for `search`): its pages, cursors and totalCount are all of that set, so
each costs the same whatever the word and wherever the page.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, fields
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    String,
    Subquery,
    any_,
    bindparam,
    exists,
    func,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from api.models import (
    Article,
    ArticleAuthor,
    ArticleCountry,
    ArticleStatus,
    ArticleTag,
    Author,
    Section,
    Source,
    Tag,
)
from api.plans import value_sensitive
from api.queries.cards import CARD_BUILDERS, ArticleRefs, CardParts, with_card
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
from api.queries.search import matches, relevance, search_candidates
from api.visibility import Visibility, visibility_of


class ArticleOrder(enum.Enum):
    PUBLISHED_AT_DESC = "PUBLISHED_AT_DESC"
    PUBLISHED_AT_ASC = "PUBLISHED_AT_ASC"
    RELEVANCE = "RELEVANCE"


@dataclass(frozen=True)
class ArticleCriteria:
    """What a feed contains: the contract's ArticleFilter plus the page it is nested in.

    Within a list the values are OR-ed (tags are AND-ed); across fields everything is AND-ed.
    `section_id` / `source_id` / `author_id` / `tag_id` pin the feed of a section, source,
    author or tag page, and a client filter narrows it further.
    """

    sections: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    published_after: datetime | None = None
    published_before: datetime | None = None
    query: str | None = None
    section_id: int | None = None
    source_id: int | None = None
    author_id: int | None = None
    tag_id: int | None = None


@dataclass(frozen=True)
class ArticleFeed:
    criteria: ArticleCriteria = field(default_factory=ArticleCriteria)
    order: ArticleOrder = ArticleOrder.PUBLISHED_AT_DESC


def _section_subtree(by_slug: bool) -> Select[int]:
    """Ids of the named sections (`sections`) or of one (`section_id`) and all their
    descendants: a section page shows its children's stories too."""
    start = select(Section.id)
    if by_slug:
        start = start.where(Section.slug == any_(bindparam("sections", type_=_SLUGS)))
    else:
        start = start.where(Section.id == bindparam("section_id"))
    tree = start.cte("section_tree", recursive=True)
    child = aliased(Section)
    tree = tree.union_all(select(child.id).where(child.parent_id == tree.c.id))
    return select(tree.c.id)


_SLUGS = ARRAY(String)
_CRITERIA_FIELDS = tuple(each.name for each in fields(ArticleCriteria))
# What about a criteria changes its statement: which fields are set (and how many tags).
CriteriaShape = tuple[int, ...]


def criteria_shape(criteria: ArticleCriteria) -> CriteriaShape:
    values = (getattr(criteria, name) for name in _CRITERIA_FIELDS)
    return tuple(
        len(value) if isinstance(value, tuple) else int(value is not None) for value in values
    )


def criteria_parameters(criteria: ArticleCriteria) -> dict[str, Any]:
    """The values `_conditions` binds for `criteria`."""
    values: dict[str, Any] = {
        "sections": list(criteria.sections),
        "sources": list(criteria.sources),
        "authors": list(criteria.authors),
        "countries": [code.upper() for code in criteria.countries],
        "published_after": criteria.published_after,
        "published_before": criteria.published_before,
        "query": criteria.query,
        "section_id": criteria.section_id,
        "source_id": criteria.source_id,
        "author_id": criteria.author_id,
        "tag_id": criteria.tag_id,
    }
    values.update({f"tag_{i}": slug for i, slug in enumerate(criteria.tags)})
    return values


def _conditions(criteria: ArticleCriteria) -> list[ColumnElement[bool]]:
    """The conditions of `criteria`, its values as bound parameters (`criteria_parameters`), so
    criteria of one shape make one statement."""
    c: list[ColumnElement[bool]] = []
    if criteria.section_id is not None:
        c.append(Article.section_id.in_(_section_subtree(by_slug=False)))
    if criteria.sections:
        c.append(Article.section_id.in_(_section_subtree(by_slug=True)))
    if criteria.source_id is not None:
        c.append(Article.source_id == bindparam("source_id"))
    if criteria.sources:
        sources = select(Source.id).where(Source.slug == any_(bindparam("sources", type_=_SLUGS)))
        c.append(Article.source_id.in_(sources))
    if criteria.author_id is not None:
        c.append(
            exists().where(
                ArticleAuthor.article_id == Article.id,
                ArticleAuthor.author_id == bindparam("author_id"),
            )
        )
    if criteria.authors:
        slugs = Author.slug == any_(bindparam("authors", type_=_SLUGS))
        c.append(
            exists()
            .where(ArticleAuthor.article_id == Article.id)
            .where(ArticleAuthor.author_id.in_(select(Author.id).where(slugs)))
        )
    if criteria.tag_id is not None:
        c.append(
            exists().where(
                ArticleTag.article_id == Article.id, ArticleTag.tag_id == bindparam("tag_id")
            )
        )
    for i in range(len(criteria.tags)):
        tag = select(Tag.id).where(Tag.slug == bindparam(f"tag_{i}", type_=String))
        c.append(
            exists().where(ArticleTag.article_id == Article.id).where(ArticleTag.tag_id.in_(tag))
        )
    if criteria.countries:
        c.append(
            exists().where(
                ArticleCountry.article_id == Article.id,
                ArticleCountry.country == any_(bindparam("countries", type_=_SLUGS)),
            )
        )
    if criteria.published_after is not None:
        c.append(
            Article.published_at >= bindparam("published_after", type_=Article.published_at.type)
        )
    if criteria.published_before is not None:
        c.append(
            Article.published_at < bindparam("published_before", type_=Article.published_at.type)
        )
    if criteria.query is not None:
        c.append(matches(bindparam("query", type_=String)))
    return c


def matching_articles(criteria: ArticleCriteria) -> Select[Article]:
    """The articles that match `criteria` (the session's visibility narrows them further);
    run with `criteria_parameters(criteria)`."""
    return select(Article).where(*_conditions(criteria))


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
    return select().join(Section, Section.id == Article.section_id).where(*_conditions(criteria))


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
    criteria = ArticleCriteria(**_placeholders(shape))
    feed = ArticleFeed(criteria, order)
    visibility = Visibility.editorial() if editorial else Visibility.public()
    if criteria.query is not None:
        page, width = _search_page(feed, visibility, window_of(window), parts)
    else:
        keys, descending = _feed_keys(feed, visibility)
        statement = with_card(select().where(*_conditions(criteria)), parts=parts)
        page = page_statement(statement, keys, window_of(window), descending=descending)
        width = len(keys)
    return (value_sensitive(page) if _value_sensitive(criteria) else page), width


# Criteria whose values decide how a feed is best read (api/plans.py): how common a word, a tag,
# an author or a country is, how wide a range of dates. A section's, a source's or the whole
# feed is read from its index the same way whichever it is.
_SENSITIVE = (
    *("query", "tags", "tag_id", "authors", "author_id", "countries"),
    *("published_after", "published_before"),
)


def _value_sensitive(criteria: ArticleCriteria) -> bool:
    return any(getattr(criteria, name) not in (None, ()) for name in _SENSITIVE)


def _placeholders(shape: CriteriaShape) -> dict[str, Any]:
    """Criteria with this shape (stand-in values: the statement binds the real ones)."""
    values: dict[str, Any] = {}
    for spec, size in zip(fields(ArticleCriteria), shape, strict=True):
        if spec.name in _LISTS:
            values[spec.name] = ("",) * size
        elif size:
            values[spec.name] = _STAND_INS.get(spec.name, 0)
    return values


_LISTS = {"sections", "sources", "authors", "tags", "countries"}
_STAND_INS: dict[str, Any] = {
    "published_after": datetime.min,
    "published_before": datetime.min,
    "query": "",
}


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
    criteria = ArticleCriteria(**_placeholders(shape))
    if criteria.query is not None:
        matched = _searchable(criteria).add_columns(Article.id).limit(_CANDIDATES).subquery()
        statement = select(func.count()).select_from(matched)
    else:
        statement = select(func.count()).select_from(Article).where(*_conditions(criteria))
    return value_sensitive(statement) if _value_sensitive(criteria) else statement


async def count_articles(session: AsyncSession, criteria: ArticleCriteria) -> int:
    statement = _count_statement(criteria_shape(criteria))
    ((counted,),) = await rows(session, statement, _parameters(criteria))
    return int(counted)
