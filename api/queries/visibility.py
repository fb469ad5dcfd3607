"""Who sees what. The single place that decides whether an article or an issue is visible.

Readers (no `content:write`) see articles that are published and whose `published_at` has
passed, so a scheduled story appears at its time with no job running. The editorial desk sees
everything. `now` is fixed once per request, so every query of one request agrees.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, and_, func, literal_column, true

from api.models import Article, ArticleStatus, NewsletterIssue


@dataclass(frozen=True)
class Visibility:
    now: datetime
    include_unpublished: bool = False

    @classmethod
    def public(cls, now: datetime | None = None) -> Visibility:
        return cls(now=now or datetime.now(UTC))

    @classmethod
    def editorial(cls, now: datetime | None = None) -> Visibility:
        return cls(now=now or datetime.now(UTC), include_unpublished=True)

    def articles(self, article: type[Article] = Article) -> ColumnElement[bool]:
        """The predicate every article query carries."""
        if self.include_unpublished:
            return true()
        # A literal status (not a bind parameter) lets PostgreSQL match the partial feed indexes.
        return and_(
            article.status == literal_column(f"'{ArticleStatus.PUBLISHED.value}'"),
            article.published_at <= self.now,
        )

    def article_sort_key(self, article: type[Article] = Article) -> ColumnElement[datetime]:
        """The timestamp feeds are ordered by; the desk's drafts (no date yet) sort by creation."""
        if self.include_unpublished:
            return func.coalesce(article.published_at, article.created_at)
        return article.published_at  # type: ignore[return-value]

    def issues(self) -> ColumnElement[bool]:
        if self.include_unpublished:
            return true()
        return and_(
            NewsletterIssue.published_at.is_not(None), NewsletterIssue.published_at <= self.now
        )
