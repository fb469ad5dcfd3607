"""Article queries: filtered keyset feeds, counts, lookups, and what a card renders with.

None of them states who may see what: the session's visibility is applied to every statement
(api/visibility.py). Related stories live in api/queries/related.py, search in
api/queries/search.py.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import (
    ColumnElement,
    Select,
    exists,
    func,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from api.models import (
    Article,
    ArticleAuthor,
    ArticleCountry,
    ArticleStatus,
    ArticleTag,
    Author,
    Image,
    Section,
    Source,
    Tag,
)
from api.queries.pagination import Page, SortKey, Window, fetch_page
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


def _section_subtree(slugs: Sequence[str] | None, root_id: int | None) -> Select[int]:
    """Ids of the named sections and all their descendants (a section page shows its children)."""
    start = select(Section.id)
    start = start.where(Section.slug.in_(slugs)) if slugs else start.where(Section.id == root_id)
    tree = start.cte("section_tree", recursive=True)
    child = aliased(Section)
    tree = tree.union_all(select(child.id).where(child.parent_id == tree.c.id))
    return select(tree.c.id)


def _conditions(criteria: ArticleCriteria) -> list[ColumnElement[bool]]:
    c: list[ColumnElement[bool]] = []
    if criteria.section_id is not None:
        c.append(Article.section_id.in_(_section_subtree(None, criteria.section_id)))
    if criteria.sections:
        c.append(Article.section_id.in_(_section_subtree(criteria.sections, None)))
    if criteria.source_id is not None:
        c.append(Article.source_id == criteria.source_id)
    if criteria.sources:
        c.append(Article.source_id.in_(select(Source.id).where(Source.slug.in_(criteria.sources))))
    if criteria.author_id is not None:
        c.append(
            exists().where(
                ArticleAuthor.article_id == Article.id,
                ArticleAuthor.author_id == criteria.author_id,
            )
        )
    if criteria.authors:
        c.append(
            exists()
            .where(ArticleAuthor.article_id == Article.id)
            .where(
                ArticleAuthor.author_id.in_(
                    select(Author.id).where(Author.slug.in_(criteria.authors))
                )
            )
        )
    if criteria.tag_id is not None:
        c.append(
            exists().where(
                ArticleTag.article_id == Article.id, ArticleTag.tag_id == criteria.tag_id
            )
        )
    for tag_slug in criteria.tags:
        c.append(
            exists()
            .where(ArticleTag.article_id == Article.id)
            .where(ArticleTag.tag_id.in_(select(Tag.id).where(Tag.slug == tag_slug)))
        )
    if criteria.countries:
        codes = [code.upper() for code in criteria.countries]
        c.append(
            exists().where(
                ArticleCountry.article_id == Article.id, ArticleCountry.country.in_(codes)
            )
        )
    if criteria.published_after is not None:
        c.append(Article.published_at >= criteria.published_after)
    if criteria.published_before is not None:
        c.append(Article.published_at < criteria.published_before)
    if criteria.query is not None:
        c.append(matches(criteria.query))
    return c


def matching_articles(criteria: ArticleCriteria) -> Select[Article]:
    """The articles that match `criteria` (the session's visibility narrows them further)."""
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
    return (await session.scalars(statement)).one_or_none()


class ArticleRefs(NamedTuple):
    """An article with the rows nearly every client renders with it, fetched in one join."""

    article: Article
    section: Section
    source: Source
    image: Image | None


def with_refs(statement: Select[*tuple[Any, ...]], article: Any = Article) -> Select[Any]:
    """Add the article's section, source and image to `statement` (cheap primary-key joins)."""
    return (
        statement.add_columns(Section, Source, Image)
        .join(Section, Section.id == article.section_id)
        .join(Source, Source.id == article.source_id)
        .outerjoin(Image, Image.id == article.image_id)
    )


def _feed_keys(feed: ArticleFeed, visibility: Visibility) -> tuple[list[SortKey], bool]:
    if feed.order is ArticleOrder.RELEVANCE:
        assert feed.criteria.query is not None
        return [relevance(feed.criteria.query, visibility), Article.id], True
    descending = feed.order is ArticleOrder.PUBLISHED_AT_DESC
    return [visibility.article_sort_key(), Article.id], descending


async def article_page(session: AsyncSession, feed: ArticleFeed, window: Window) -> Page[Article]:
    """One page of a feed, as one statement."""
    keys, descending = _feed_keys(feed, visibility_of(session))
    statement = with_refs(matching_articles(feed.criteria))
    return await fetch_page(session, statement, keys, window, descending=descending)


async def count_articles(session: AsyncSession, criteria: ArticleCriteria) -> int:
    statement = select(func.count()).select_from(Article).where(*_conditions(criteria))
    return int((await session.execute(statement)).scalar_one())


async def articles_by_ids(session: AsyncSession, ids: Sequence[int]) -> dict[int, Article]:
    statement = select(Article).where(Article.id.in_(ids))
    return {article.id: article for article in (await session.scalars(statement)).all()}


async def article_by_slug(
    session: AsyncSession, slug: str, source_slug: str | None
) -> list[Article]:
    """Visible articles with this slug (several when the slug is used by several sources)."""
    statement = select(Article).where(Article.slug == slug)
    if source_slug is not None:
        statement = statement.where(
            Article.source_id
            == select(Source.id).where(Source.slug == source_slug).scalar_subquery()
        )
    return list((await session.scalars(statement.order_by(Article.id).limit(2))).all())


async def authors_by_article(
    session: AsyncSession, article_ids: Sequence[int]
) -> dict[int, list[Author]]:
    statement = (
        select(ArticleAuthor.article_id, Author)
        .join(Author, Author.id == ArticleAuthor.author_id)
        .where(ArticleAuthor.article_id.in_(article_ids))
        .order_by(ArticleAuthor.article_id, ArticleAuthor.position)
    )
    result: dict[int, list[Author]] = defaultdict(list)
    for article_id, author in (await session.execute(statement)).all():
        result[article_id].append(author)
    return result


async def tags_by_article(
    session: AsyncSession, article_ids: Sequence[int]
) -> dict[int, list[Tag]]:
    statement = (
        select(ArticleTag.article_id, Tag)
        .join(Tag, Tag.id == ArticleTag.tag_id)
        .where(ArticleTag.article_id.in_(article_ids))
        .order_by(ArticleTag.article_id, Tag.name)
    )
    result: dict[int, list[Tag]] = defaultdict(list)
    for article_id, tag in (await session.execute(statement)).all():
        result[article_id].append(tag)
    return result


async def countries_by_article(
    session: AsyncSession, article_ids: Sequence[int]
) -> dict[int, list[str]]:
    statement = (
        select(ArticleCountry.article_id, ArticleCountry.country)
        .where(ArticleCountry.article_id.in_(article_ids))
        .order_by(ArticleCountry.article_id, ArticleCountry.country)
    )
    result: dict[int, list[str]] = defaultdict(list)
    for article_id, country in (await session.execute(statement)).all():
        result[article_id].append(country)
    return result
