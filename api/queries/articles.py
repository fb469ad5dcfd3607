"""Article queries: filtered keyset feeds, counts, lookups, and what a card renders with.

None of them states who may see what: the session's visibility is applied to every statement
(api/visibility.py). Related stories live in api/queries/related.py, search in
api/queries/search.py.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, fields
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
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
from api.queries.cards import ArticleRefs, refs_of, with_refs
from api.queries.pagination import (
    Page,
    SortKey,
    Window,
    WindowShape,
    fetch_page,
    page_statement,
    shape_of,
    window_of,
)
from api.queries.search import matches, relevance
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
    if feed.order is ArticleOrder.RELEVANCE:
        assert feed.criteria.query is not None
        return [relevance(bindparam("query", type_=String), visibility), Article.id], True
    descending = feed.order is ArticleOrder.PUBLISHED_AT_DESC
    return [visibility.article_sort_key(), Article.id], descending


@lru_cache(maxsize=1024)
def _page_statement(
    shape: CriteriaShape,
    order: ArticleOrder,
    editorial: bool,
    window: WindowShape,
) -> tuple[Select[Any], int]:
    """The statement of one page of a feed of this shape, and the number of sort keys (kept:
    criteria, order and page size vary little, so the same few statements serve every request)."""
    criteria = ArticleCriteria(**_placeholders(shape))
    feed = ArticleFeed(criteria, order)
    visibility = Visibility.editorial() if editorial else Visibility.public()
    keys, descending = _feed_keys(feed, visibility)
    statement = with_refs(select().where(*_conditions(criteria)))
    page = page_statement(statement, keys, window_of(window), descending=descending)
    return page, len(keys)


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
    session: AsyncSession, feed: ArticleFeed, window: Window
) -> Page[ArticleRefs]:
    """One page of a feed, as one statement."""
    visibility = visibility_of(session)
    statement, width = _page_statement(
        criteria_shape(feed.criteria), feed.order, visibility.include_unpublished, shape_of(window)
    )
    parameters = criteria_parameters(feed.criteria)
    return await fetch_page(session, statement, window, width, refs_of, parameters)


@lru_cache(maxsize=256)
def _count_statement(shape: CriteriaShape) -> Select[int]:
    criteria = ArticleCriteria(**_placeholders(shape))
    return select(func.count()).select_from(Article).where(*_conditions(criteria))


async def count_articles(session: AsyncSession, criteria: ArticleCriteria) -> int:
    statement = _count_statement(criteria_shape(criteria))
    counted = await session.scalar(statement, criteria_parameters(criteria))
    return int(counted or 0)
