"""An issue as the mail shows it, read as a reader sees it: only published stories appear, so a
draft in an issue never reaches an inbox (the session's visibility decides, api/visibility.py)."""

from __future__ import annotations

from datetime import UTC

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.content import format_byline
from api.mail.compose import IssueContent, IssueStory
from api.mail.links import SiteLinks
from api.models import Newsletter, NewsletterIssue
from api.queries.cards import authors_by_article
from api.queries.newsletters import items_by_issue


async def issue_content(
    session: AsyncSession, issue_id: int, links: SiteLinks
) -> IssueContent | None:
    """The issue with its visible stories; None while the issue is not published."""
    issue = await session.scalar(select(NewsletterIssue).where(NewsletterIssue.id == issue_id))
    if issue is None:
        return None
    newsletter = await session.get_one(Newsletter, issue.newsletter_id)
    items = (await items_by_issue(session, [issue.id])).get(issue.id, [])
    authors = await authors_by_article(session, [refs.article.id for _, refs in items])
    stories = []
    for item, refs in items:
        article, section, source = refs.article, refs.section, refs.source
        names = [author.name for author in authors.get(article.id, [])] or [source.name]
        published = (article.published_at or article.created_at).astimezone(UTC).date()
        stories.append(
            IssueStory(
                headline=article.headline,
                blurb=item.blurb if item.blurb is not None else article.excerpt,
                section=section.name,
                byline=format_byline(names),
                source=source.name,
                published=published,
                url=links.story(source.slug, article.slug),
            )
        )
    return IssueContent(
        issue_id=issue.id,
        newsletter_slug=newsletter.slug,
        newsletter_name=newsletter.name,
        newsletter_description=newsletter.description,
        day=issue.date,
        title=issue.title,
        intro=issue.intro,
        stories=tuple(stories),
    )
