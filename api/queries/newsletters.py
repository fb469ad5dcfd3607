"""Newsletter queries: newsletters, their issues (newest first) and each issue's items.

The session's visibility (api/visibility.py) keeps unpublished issues and stories out. What
pages read comes back as records (api/queries/records.py) from kept statements; the archive's
pages and the lookups by date and by live event still read entities.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Select, String, any_, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY, distinct_on
from sqlalchemy.ext.asyncio import AsyncSession

from api.models import Article, Newsletter, NewsletterIssue, NewsletterItem
from api.queries.cards import ArticleRefs, refs_of, with_refs
from api.queries.driver import rows
from api.queries.pagination import Page, SortKey, Window, fetch_page, page_statement
from api.queries.records import IssueRecord, ItemRecord, NewsletterRecord, build, columns

_IDS = bindparam("ids", type_=ARRAY(BigInteger))


_NEWSLETTERS = select(*columns(NewsletterRecord))
_ALL_NEWSLETTERS = _NEWSLETTERS.order_by(Newsletter.name)
_NEWSLETTERS_BY_IDS = _NEWSLETTERS.where(Newsletter.id == any_(_IDS))
_NEWSLETTER_BY_SLUG = _NEWSLETTERS.where(Newsletter.slug == bindparam("slug", type_=String))


async def all_newsletters(session: AsyncSession) -> list[NewsletterRecord]:
    return [_new_newsletter(row) for row in await rows(session, _ALL_NEWSLETTERS)]


async def newsletters_by_ids(
    session: AsyncSession, ids: Sequence[int]
) -> dict[int, NewsletterRecord]:
    found = await rows(session, _NEWSLETTERS_BY_IDS, {"ids": list(ids)})
    return {newsletter.id: newsletter for newsletter in map(_new_newsletter, found)}


async def newsletter_by_slug(session: AsyncSession, slug: str) -> NewsletterRecord | None:
    found = await rows(session, _NEWSLETTER_BY_SLUG, {"slug": slug})
    return _new_newsletter(found[0]) if found else None  # slugs are unique


def _new_newsletter(row: Sequence[Any]) -> NewsletterRecord:
    return build(NewsletterRecord, row)  # type: ignore[no-any-return]


def _new_issue(row: Sequence[Any]) -> IssueRecord:
    return build(IssueRecord, row)  # type: ignore[no-any-return]


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


_ISSUES = select(*columns(IssueRecord))
_LATEST_ISSUES = (
    _ISSUES.where(NewsletterIssue.newsletter_id == any_(_IDS))
    .order_by(NewsletterIssue.newsletter_id, NewsletterIssue.date.desc(), NewsletterIssue.id.desc())
    .ext(distinct_on(NewsletterIssue.newsletter_id))
)
_ISSUES_BY_IDS = _ISSUES.where(NewsletterIssue.id == any_(_IDS))


async def latest_issues(
    session: AsyncSession, newsletter_ids: Sequence[int]
) -> dict[int, IssueRecord]:
    found = await rows(session, _LATEST_ISSUES, {"ids": list(newsletter_ids)})
    return {issue.newsletter_id: issue for issue in map(_new_issue, found)}


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


async def issues_by_ids(session: AsyncSession, ids: Sequence[int]) -> dict[int, IssueRecord]:
    found = await rows(session, _ISSUES_BY_IDS, {"ids": list(ids)})
    return {issue.id: issue for issue in map(_new_issue, found)}


_ITEM_WIDTH = len(ItemRecord._fields)
_ITEMS = (
    with_refs(select(*columns(ItemRecord)).join(Article, Article.id == NewsletterItem.article_id))
    .where(NewsletterItem.issue_id == any_(_IDS))
    .order_by(NewsletterItem.issue_id, NewsletterItem.position)
)


async def items_by_issue(
    session: AsyncSession, issue_ids: Sequence[int]
) -> dict[int, list[tuple[ItemRecord, ArticleRefs]]]:
    """Each issue's items in editorial order with their articles (and the articles' sections,
    sources and pictures); invisible articles left out (the inner join meets the session's
    visibility criteria)."""
    result: dict[int, list[tuple[ItemRecord, ArticleRefs]]] = defaultdict(list)
    for row in await rows(session, _ITEMS, {"ids": list(issue_ids)}):
        item: ItemRecord = build(ItemRecord, row)
        result[item.issue_id].append((item, refs_of(row, _ITEM_WIDTH)))
    return result
