"""Newsletter issues: the desk composes a day's issue, then publishes it (announced as
`newsletter_issue.published`, api/events.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api import live
from api.events import EventType, emit
from api.models import Article, Newsletter, NewsletterIssue, NewsletterItem, max_length
from api.outbox import enqueue
from api.services import audit
from api.services.catalogue import ApiKeyId
from api.services.outcome import Outcome
from api.services.rows import save
from api.services.validation import NOT_FOUND, Problems, input_path

ISSUE_TITLE_MAX = max_length(NewsletterIssue.title)
INTRO_MAX = 10_000
BLURB_MAX = 2_000
MAX_ISSUE_ITEMS = 100
ISSUE_MAIL = "newsletter.issue"  # the job that mails an issue (api/mail/jobs.py)


@dataclass(frozen=True)
class IssueItemData:
    article_id: int | None  # None: the client's id did not name an article
    blurb: str | None = None


@dataclass(frozen=True)
class IssueData:
    newsletter: str  # slug
    date: date
    title: str
    items: Sequence[IssueItemData]
    intro: str | None = None


async def create_newsletter_issue(
    session: AsyncSession, api_key_id: ApiKeyId, data: IssueData
) -> Outcome[NewsletterIssue]:
    """An unpublished issue with its items in the order given (drafts may be included: readers
    see an item once its article is published)."""

    p = Problems()
    newsletter = await session.scalar(
        select(Newsletter).where(Newsletter.slug == data.newsletter.strip())
    )
    if newsletter is None:
        p.add(
            input_path("newsletter"),
            f"No newsletter with slug {data.newsletter.strip()!r}.",
            NOT_FOUND,
        )
    elif await session.scalar(
        select(NewsletterIssue.id).where(
            NewsletterIssue.newsletter_id == newsletter.id, NewsletterIssue.date == data.date
        )
    ):
        p.add(
            input_path("date"),
            f"{newsletter.name} already has an issue for {data.date.isoformat()}.",
        )
    title = p.text(input_path("title"), data.title, required=True, max_length=ISSUE_TITLE_MAX)
    intro = p.text(input_path("intro"), data.intro, max_length=INTRO_MAX)
    items = data.items
    if len(items) > MAX_ISSUE_ITEMS:
        p.add(input_path("items"), f"At most {MAX_ISSUE_ITEMS} items.")
        items = []
    known = set(
        (
            await session.scalars(
                select(Article.id).where(
                    Article.id.in_(
                        [item.article_id for item in items if item.article_id is not None]
                    )
                )
            )
        ).all()
    )
    seen: set[int] = set()
    blurbs: list[str | None] = []
    for index, item in enumerate(items):
        if item.article_id is None or item.article_id not in known:
            p.add(input_path("items", index, "article"), "No article with this id.", NOT_FOUND)
        elif item.article_id in seen:
            p.add(input_path("items", index, "article"), "This article is already in the issue.")
        else:
            seen.add(item.article_id)
        blurbs.append(p.text(input_path("items", index, "blurb"), item.blurb, max_length=BLURB_MAX))
    if p or newsletter is None:
        return Outcome.failed(p)

    issue = NewsletterIssue(newsletter_id=newsletter.id, date=data.date, title=title, intro=intro)
    await save(session, issue)
    session.add_all(
        NewsletterItem(
            issue_id=issue.id, position=position, article_id=item.article_id, blurb=blurb
        )
        for position, (item, blurb) in enumerate(zip(items, blurbs, strict=True), start=1)
    )
    await session.flush()
    await audit.record(
        session,
        api_key_id=api_key_id,
        action="newsletter_issue.create",
        entity=issue,
        before=None,
        after=audit.snapshot(
            issue,
            items=[
                {"article_id": item.article_id, "blurb": b}
                for item, b in zip(items, blurbs, strict=True)
            ],
        ),
    )
    return Outcome(issue)


async def publish_newsletter_issue(
    session: AsyncSession, api_key_id: ApiKeyId, issue_id: int | None
) -> Outcome[NewsletterIssue]:
    """Publish an issue now (publishing a published issue changes nothing)."""
    issue = None
    if issue_id is not None:
        issue = await session.scalar(
            select(NewsletterIssue)
            .where(NewsletterIssue.id == issue_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    if issue is None:
        return Outcome.not_found(("id",), "newsletter issue")
    now = datetime.now(UTC)
    if issue.published_at is not None and issue.published_at <= now:
        return Outcome(issue)
    before = audit.snapshot(issue)
    issue.published_at = now
    await save(session, issue)
    await enqueue(
        session, ISSUE_MAIL, {"issue_id": issue.id}, dedupe_key=f"{ISSUE_MAIL}:{issue.id}"
    )
    await audit.record(
        session,
        api_key_id=api_key_id,
        action="newsletter_issue.publish",
        entity=issue,
        before=before,
        after=audit.snapshot(issue),
    )
    await emit(session, EventType.NEWSLETTER_ISSUE_PUBLISHED, issue)
    await live.notify(session, live.EventKind.NEWSLETTER_ISSUE_PUBLISHED, issue.id, now)
    return Outcome(issue)
