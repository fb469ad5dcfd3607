"""Newsletter queries: newsletters, their issues (newest first) and each issue's items.

The session's visibility (api/visibility.py) keeps unpublished issues and stories out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import Select, func, select
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.ext.asyncio import AsyncSession

from api.models import Article, Newsletter, NewsletterIssue, NewsletterItem
from api.queries.pagination import Page, SortKey, Window, fetch_page


async def all_newsletters(session: AsyncSession) -> list[Newsletter]:
    return list((await session.scalars(select(Newsletter).order_by(Newsletter.name))).all())


async def newsletters_by_ids(session: AsyncSession, ids: Sequence[int]) -> dict[int, Newsletter]:
    rows = (await session.scalars(select(Newsletter).where(Newsletter.id.in_(ids)))).all()
    return {row.id: row for row in rows}


async def newsletter_by_slug(session: AsyncSession, slug: str) -> Newsletter | None:
    return (await session.scalars(select(Newsletter).where(Newsletter.slug == slug))).one_or_none()


def _issues(newsletter_id: int) -> Select[NewsletterIssue]:
    return select(NewsletterIssue).where(NewsletterIssue.newsletter_id == newsletter_id)


async def issue_page(
    session: AsyncSession, newsletter_id: int, window: Window
) -> Page[NewsletterIssue]:
    keys: list[SortKey] = [NewsletterIssue.date, NewsletterIssue.id]
    return await fetch_page(session, _issues(newsletter_id), keys, window, descending=True)


async def count_issues(session: AsyncSession, newsletter_id: int) -> int:
    statement = select(func.count()).select_from(_issues(newsletter_id).subquery())
    return int((await session.execute(statement)).scalar_one())


async def latest_issues(
    session: AsyncSession, newsletter_ids: Sequence[int]
) -> dict[int, NewsletterIssue]:
    statement = (
        select(NewsletterIssue)
        .where(NewsletterIssue.newsletter_id.in_(newsletter_ids))
        .order_by(
            NewsletterIssue.newsletter_id, NewsletterIssue.date.desc(), NewsletterIssue.id.desc()
        )
        .ext(distinct_on(NewsletterIssue.newsletter_id))
    )
    return {issue.newsletter_id: issue for issue in (await session.scalars(statement)).all()}


async def issue_by_date(
    session: AsyncSession, newsletter_slug: str, day: date
) -> NewsletterIssue | None:
    statement = (
        select(NewsletterIssue)
        .join(Newsletter, Newsletter.id == NewsletterIssue.newsletter_id)
        .where(Newsletter.slug == newsletter_slug, NewsletterIssue.date == day)
    )
    return (await session.scalars(statement)).one_or_none()


async def published_issue(
    session: AsyncSession, newsletter_id: int, issue_id: int, published_at: datetime
) -> NewsletterIssue | None:
    """The issue if it belongs to the newsletter and was published at `published_at` (as a live
    event announced); None otherwise, or when the session may not see it."""
    statement = select(NewsletterIssue).where(
        NewsletterIssue.id == issue_id,
        NewsletterIssue.newsletter_id == newsletter_id,
        NewsletterIssue.published_at == published_at,
    )
    return (await session.scalars(statement)).one_or_none()


async def issues_by_ids(session: AsyncSession, ids: Sequence[int]) -> dict[int, NewsletterIssue]:
    statement = select(NewsletterIssue).where(NewsletterIssue.id.in_(ids))
    return {issue.id: issue for issue in (await session.scalars(statement)).all()}


async def items_by_issue(
    session: AsyncSession, issue_ids: Sequence[int]
) -> dict[int, list[tuple[NewsletterItem, Article]]]:
    """Each issue's items in editorial order with their articles; invisible articles left out
    (the inner join meets the session's visibility criteria)."""
    statement = (
        select(NewsletterItem, Article)
        .join(Article, Article.id == NewsletterItem.article_id)
        .where(NewsletterItem.issue_id.in_(issue_ids))
        .order_by(NewsletterItem.issue_id, NewsletterItem.position)
    )
    result: dict[int, list[tuple[NewsletterItem, Article]]] = defaultdict(list)
    for item, article in (await session.execute(statement)).all():
        result[item.issue_id].append((item, article))
    return result
