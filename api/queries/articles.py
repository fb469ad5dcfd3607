"""Article queries: filtered keyset feeds, counts, lookups, related stories and full-text search.

Every statement here starts from `visible_articles`, so visibility cannot be forgotten.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NamedTuple

from sqlalchemy import (
    ColumnElement,
    Float,
    Integer,
    Select,
    cast,
    exists,
    func,
    literal,
    literal_column,
    select,
    true,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from api.models import (
    Article,
    ArticleAuthor,
    ArticleCountry,
    ArticleTag,
    Author,
    Image,
    Section,
    Source,
    Tag,
)
from api.queries.pagination import Page, SortKey, Window, fetch_page
from api.queries.visibility import Visibility

SEARCH_CONFIG: ColumnElement[Any] = literal_column("'english'::regconfig")
MAX_SEARCH_QUERY_LENGTH = 500


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


def search_query(text: str) -> ColumnElement[Any]:
    """A tsquery from what a user typed: quotes, -word and OR work; nothing raises."""
    return func.websearch_to_tsquery(SEARCH_CONFIG, literal(text))


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
        c.append(Article.search_vector.op("@@")(search_query(criteria.query)))
    return c


def visible_articles(visibility: Visibility, criteria: ArticleCriteria) -> Select[Article]:
    """The articles a caller may see that match `criteria`: the root of every article query."""
    return select(Article).where(visibility.articles(), *_conditions(criteria))


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


RECENCY_REFERENCE = datetime(2020, 1, 1, tzinfo=UTC)
RECENCY_SCALE_SECONDS = 365 * 86400.0


def relevance(query: str, visibility: Visibility) -> ColumnElement[float]:
    """ts_rank_cd (length-normalised) plus a small bonus for newer stories, in (0, 0.1).

    The bonus depends on the story alone (a logistic curve over its date), not on the time of
    the request, so a story's rank is the same on page 1 and page 2 and cursors stay valid.
    """
    seconds = func.extract("epoch", visibility.article_sort_key()) - RECENCY_REFERENCE.timestamp()
    recency = 0.1 / (1.0 + func.exp(-seconds / RECENCY_SCALE_SECONDS))
    return cast(func.ts_rank_cd(Article.search_vector, search_query(query), 1), Float) + recency


def _feed_keys(feed: ArticleFeed, visibility: Visibility) -> tuple[list[SortKey], bool]:
    if feed.order is ArticleOrder.RELEVANCE:
        assert feed.criteria.query is not None
        return [relevance(feed.criteria.query, visibility), Article.id], True
    descending = feed.order is ArticleOrder.PUBLISHED_AT_DESC
    return [visibility.article_sort_key(), Article.id], descending


async def article_page(
    session: AsyncSession, visibility: Visibility, feed: ArticleFeed, window: Window
) -> Page[Article]:
    """One page of a feed, as one statement."""
    keys, descending = _feed_keys(feed, visibility)
    statement = with_refs(visible_articles(visibility, feed.criteria))
    return await fetch_page(session, statement, keys, window, descending=descending)


async def count_articles(
    session: AsyncSession, visibility: Visibility, criteria: ArticleCriteria
) -> int:
    statement = (
        select(func.count())
        .select_from(Article)
        .where(visibility.articles(), *_conditions(criteria))
    )
    return int((await session.execute(statement)).scalar_one())


async def has_search_terms(session: AsyncSession, query: str) -> bool:
    """False when a query has nothing to search for (only stop words or punctuation)."""
    statement = select(func.numnode(search_query(query)))
    return int((await session.execute(statement)).scalar_one()) > 0


async def articles_by_ids(
    session: AsyncSession, visibility: Visibility, ids: Sequence[int]
) -> dict[int, Article]:
    statement = select(Article).where(visibility.articles(), Article.id.in_(ids))
    return {article.id: article for article in (await session.scalars(statement)).all()}


async def article_by_slug(
    session: AsyncSession, visibility: Visibility, slug: str, source_slug: str | None
) -> list[Article]:
    """Visible articles with this slug (several when the slug is used by several sources)."""
    statement = select(Article).where(visibility.articles(), Article.slug == slug)
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


# Related stories. Candidates are the visible stories that share a tag or a country with the
# story, or sit in its section close to it in time. Each is scored
#   3 x shared tags + 2 x shared countries + 1.5 (same section) + 1 (same source)
#   + 1 / (1 + days between the two stories / 30)          (recency: closeness in time)
# and ties go to the newer story, then the higher id. Shared tags and countries are counted by
# summing one weighted row per match (no per-candidate subqueries). One statement per page.
RELATED_SECTION_NEIGHBOURS = 50
TAG_WEIGHT, COUNTRY_WEIGHT, SECTION_WEIGHT, SOURCE_WEIGHT = 3.0, 2.0, 1.5, 1.0


async def related_articles(
    session: AsyncSession, visibility: Visibility, article_ids: Sequence[int], first: int
) -> dict[int, list[ArticleRefs]]:
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
        .where(neighbour.section_id == base.section_id, visibility.articles(neighbour))
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
        .where(candidate.id != base.id, visibility.articles(candidate))
        .order_by(*order)
        .limit(first)
        .lateral("ranked")
    )
    statement = with_refs(
        select(base.id, Article)
        .select_from(base)
        .join(ranked, true())
        .join(Article, Article.id == ranked.c.related_id)
        .where(base.id.in_(article_ids))
        .order_by(base.id, ranked.c.rank)
    )
    result: dict[int, list[ArticleRefs]] = defaultdict(list)
    for base_id, *refs in (await session.execute(statement)).all():
        result[base_id].append(ArticleRefs(*refs))
    return result


HIGHLIGHT_START, HIGHLIGHT_STOP = "\x02", "\x03"


async def highlights(
    session: AsyncSession, query: str, article_ids: Sequence[int]
) -> dict[int, str]:
    """The best matching passage of each article, terms wrapped in control characters.

    Callers escape the text and turn the markers into <mark> tags, so nothing in an article's
    text can inject markup into a highlight.
    """
    options = (
        f"StartSel={HIGHLIGHT_START}, StopSel={HIGHLIGHT_STOP}, "
        'MaxWords=35, MinWords=15, MaxFragments=2, FragmentDelimiter=" … "'
    )
    document = func.concat_ws(" \n", Article.headline, Article.dek, Article.body_text)
    statement = select(
        Article.id, func.ts_headline(SEARCH_CONFIG, document, search_query(query), options)
    ).where(Article.id.in_(article_ids))
    return {row[0]: row[1] for row in (await session.execute(statement)).all()}
