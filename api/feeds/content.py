"""What feeds and sitemaps hold: read through the read-side queries, so the session's
visibility keeps drafts and scheduled stories out as everywhere else (feeds are always read
with the public's visibility)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.models import Article, Author, Section, Source, Tag
from api.queries.articles import ArticleFeed, article_page
from api.queries.cards import article_texts
from api.queries.catalogue import row_by_slug
from api.queries.criteria import ArticleCriteria
from api.queries.pagination import Window
from api.queries.records import (
    ArticleRecord,
    AuthorRecord,
    ImageRecord,
    SectionRecord,
    SourceRecord,
    TagRecord,
)

FEED_SIZE = 50
NEWS_SITEMAP_HOURS = 48
NEWS_SITEMAP_MAX = 1000  # Google News reads at most 1,000 URLs per news sitemap
SITEMAP_MAX = 50_000  # the sitemaps.org limit per file


class Scope(enum.Enum):
    """Whose feed: the front page's, or a section's, source's, tag's or author's."""

    FRONT = "front"
    SECTION = "sections"
    SOURCE = "sources"
    TAG = "tags"
    AUTHOR = "authors"


_MODELS: dict[Scope, Any] = {
    Scope.SECTION: Section,
    Scope.SOURCE: Source,
    Scope.TAG: Tag,
    Scope.AUTHOR: Author,
}


@dataclass(frozen=True)
class FeedItem:
    article: ArticleRecord
    section: SectionRecord
    source: SourceRecord
    image: ImageRecord | None
    authors: list[AuthorRecord]
    tags: list[TagRecord]
    body_html: str


@dataclass(frozen=True)
class FeedContent:
    scope: Scope
    subject: SectionRecord | SourceRecord | TagRecord | AuthorRecord | None  # None: front page
    items: list[FeedItem]

    @property
    def title(self) -> str:
        if self.subject is None:
            return "Broadsheet: latest stories"
        return f"Broadsheet: {self.subject.name}"

    @property
    def updated(self) -> datetime | None:
        return max((item.article.updated_at for item in self.items), default=None)


def _criteria(scope: Scope, subject: Any) -> ArticleCriteria:
    if scope is Scope.SECTION:
        return ArticleCriteria(section_id=subject.id)
    if scope is Scope.SOURCE:
        return ArticleCriteria(source_id=subject.id)
    if scope is Scope.TAG:
        return ArticleCriteria(tag_id=subject.id)
    if scope is Scope.AUTHOR:
        return ArticleCriteria(author_id=subject.id)
    return ArticleCriteria()


async def feed_content(session: AsyncSession, scope: Scope, slug: str | None) -> FeedContent | None:
    """The latest visible stories of a scope (None: no such section, source, tag or author)."""
    subject = None
    if scope is not Scope.FRONT:
        assert slug is not None
        subject = await row_by_slug(session, _MODELS[scope], slug)
        if subject is None:
            return None
    page = await article_page(
        session, ArticleFeed(criteria=_criteria(scope, subject)), Window(first=FEED_SIZE)
    )
    texts = await article_texts(session, [card.article.id for card in page.items])
    items = [
        FeedItem(
            card.article,
            card.section,
            card.source,
            card.image,
            card.authors or [],
            card.tags or [],
            texts[card.article.id].body_html,
        )
        for card in page.items
    ]
    return FeedContent(scope, subject, items)


@dataclass(frozen=True)
class NewsEntry:
    article: Article
    source: Source


async def news_entries(session: AsyncSession, now: datetime) -> list[NewsEntry]:
    """Stories published in the last 48 hours, newest first (at most 1,000)."""
    statement = (
        select(Article, Source)
        .join(Source, Source.id == Article.source_id)
        .where(Article.published_at >= now - timedelta(hours=NEWS_SITEMAP_HOURS))
        .order_by(Article.published_at.desc(), Article.id.desc())
        .limit(NEWS_SITEMAP_MAX)
    )
    return [
        NewsEntry(article, source) for article, source in (await session.execute(statement)).all()
    ]


@dataclass(frozen=True)
class MonthSummary:
    year: int
    month: int
    stories: int
    last_modified: datetime


async def months(session: AsyncSession) -> list[MonthSummary]:
    """Every month with visible stories, oldest first, with its count and last change."""
    month = func.date_trunc("month", func.timezone("UTC", Article.published_at))
    statement = (
        select(month.label("month"), func.count().label("stories"), func.max(Article.updated_at))
        .select_from(Article)
        .group_by(month)
        .order_by(month)
    )
    return [
        MonthSummary(row[0].year, row[0].month, row[1], row[2])
        for row in (await session.execute(statement)).all()
    ]


async def month_urls(
    session: AsyncSession, start: datetime, end: datetime, page: int
) -> list[tuple[str, datetime]]:
    """(URL, last change) of the stories published in [start, end), one sitemap page."""
    statement = (
        select(Article.url, Article.updated_at)
        .where(Article.published_at >= start, Article.published_at < end)
        .order_by(Article.published_at, Article.id)
        .offset((page - 1) * SITEMAP_MAX)
        .limit(SITEMAP_MAX)
    )
    return [(url, updated) for url, updated in (await session.execute(statement)).all()]
