"""Newsletter queries: newsletters, their issues (newest first) and each issue's items.

The session's visibility (api/visibility.py) keeps unpublished issues and stories out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import BigInteger, Select, any_, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY, distinct_on
from sqlalchemy.ext.asyncio import AsyncSession

from api.models import Article, Newsletter, NewsletterIssue, NewsletterItem
from api.queries.cards import ArticleRefs, refs_of, with_refs
from api.queries.pagination import Page, SortKey, Window, fetch_page, page_statement

_IDS = bindparam("ids", type_=ARRAY(BigInteger))


async def all_newsletters(session: AsyncSession) -> list[Newsletter]:
    return list((await session.scalars(select(Newsletter).order_by(Newsletter.name))).all())


async def newsletters_by_ids(session: AsyncSession, ids: Sequence[int]) -> dict[int, Newsletter]:
    statement = select(Newsletter).where(Newsletter.id == any_(_IDS))
    rows = (await session.scalars(statement, {"ids": list(ids)})).all()
    return {row.id: row for row in rows}


async def newsletter_by_slug(session: AsyncSession, slug: str) -> Newsletter | None:
    return (await session.scalars(select(Newsletter).where(Newsletter.slug == slug))).one_or_none()


def _issues(newsletter_id: int) -> Select[NewsletterIssue]:
    return select(NewsletterIssue).where(NewsletterIssue.newsletter_id == newsletter_id)


async def issue_page(
    session: AsyncSession, newsletter_id: int, window: Window
) -> Page[NewsletterIssue]:
    keys: list[SortKey] = [NewsletterIssue.date, NewsletterIssue.id]
    statement = page_statement(_issues(newsletter_id), keys, window, descending=True)
    return await fetch_page(session, statement, window, len(keys))


async def count_issues(session: AsyncSession, newsletter_id: int) -> int:
    statement = select(func.count()).select_from(_issues(newsletter_id).subquery())
    return int((await session.execute(statement)).scalar_one())


async def latest_issues(
    session: AsyncSession, newsletter_ids: Sequence[int]
) -> dict[int, NewsletterIssue]:
    statement = (
        select(NewsletterIssue)
        .where(NewsletterIssue.newsletter_id == any_(_IDS))
        .order_by(
            NewsletterIssue.newsletter_id, NewsletterIssue.date.desc(), NewsletterIssue.id.desc()
        )
        .ext(distinct_on(NewsletterIssue.newsletter_id))
    )
    issues = (await session.scalars(statement, {"ids": list(newsletter_ids)})).all()
    return {issue.newsletter_id: issue for issue in issues}


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
    statement = select(NewsletterIssue).where(NewsletterIssue.id == any_(_IDS))
    return {issue.id: issue for issue in (await session.scalars(statement, {"ids": list(ids)}))}


_ITEMS = (
    with_refs(select(NewsletterItem).join(Article, Article.id == NewsletterItem.article_id))
    .where(NewsletterItem.issue_id == any_(_IDS))
    .order_by(NewsletterItem.issue_id, NewsletterItem.position)
)


async def items_by_issue(
    session: AsyncSession, issue_ids: Sequence[int]
) -> dict[int, list[tuple[NewsletterItem, ArticleRefs]]]:
    """Each issue's items in editorial order with their articles (and the articles' sections,
    sources and pictures); invisible articles left out (the inner join meets the session's
    visibility criteria)."""
    result: dict[int, list[tuple[NewsletterItem, ArticleRefs]]] = defaultdict(list)
    for row in (await session.execute(_ITEMS, {"ids": list(issue_ids)})).all():
        item = row[0]
        result[item.issue_id].append((item, refs_of(row, 1)))
    return result
