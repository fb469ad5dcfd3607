"""Drafts and scheduled stories never reach readers, through any path; scheduled ones appear
at their time with no job running."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from api.models import (
    Article,
    ArticleStatus,
    ArticleTag,
    NewsletterIssue,
    NewsletterItem,
    Source,
    Tag,
)
from schema.relay import to_global_id
from tests.api_clients import data

EVERY_PATH = """
query($id: ID!, $ids: [ID!]!, $slug: String!, $source: String!, $q: String!, $tag: String!) {
  node(id: $id) { id }
  nodes(ids: $ids) { id }
  article(slug: $slug, source: $source) { id }
  byId: article(id: $id) { id }
  articles(first: 100, filter: {sources: [$source]}) { totalCount nodes { id related(first: 100) { id } } }
  search(query: $q, first: 100) { totalCount nodes { id } }
  tag(slug: $tag) { articles(first: 100) { totalCount nodes { id } } }
  source(slug: $source) { articles(first: 100) { totalCount nodes { id } } }
  newsletter(slug: "eastern-briefings") {
    latestIssue { items { article { id } } }
    issues(first: 100) { nodes { items { article { id } } } }
  }
}
"""


def every_id(result: dict[str, object]) -> set[str]:
    found: set[str] = set()

    def walk(value: object) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                if key == "id" and isinstance(inner, str):
                    found.add(inner)
                walk(inner)
        elif isinstance(value, list):
            for inner in value:
                walk(inner)

    walk(result)
    return found


async def hidden_articles(session: AsyncSession) -> list[Article]:
    now = datetime.now(UTC)
    statement = select(Article).where(
        (Article.status == ArticleStatus.DRAFT) | (Article.published_at > now)
    )
    return list((await session.scalars(statement)).all())


async def test_demo_has_drafts_and_scheduled_stories(db_session: AsyncSession) -> None:
    hidden = await hidden_articles(db_session)
    assert any(a.status is ArticleStatus.DRAFT for a in hidden)
    assert any(a.status is ArticleStatus.PUBLISHED for a in hidden), "scheduled stories"


async def put_in_newsletter(session: AsyncSession, article: Article) -> None:
    issue = (
        await session.scalars(
            select(NewsletterIssue).order_by(NewsletterIssue.date.desc()).limit(1)
        )
    ).one()
    position = await session.scalar(
        select(func.coalesce(func.max(NewsletterItem.position), 0) + 1).where(
            NewsletterItem.issue_id == issue.id
        )
    )
    session.add(NewsletterItem(issue_id=issue.id, position=position, article_id=article.id))
    await session.flush()


async def readers_see(
    client: httpx.AsyncClient, session: AsyncSession, article: Article
) -> tuple[bool, dict[str, object]]:
    """Whether `article` shows up anywhere a reader could look, and the raw result."""
    tag_id = await session.scalar(
        select(ArticleTag.tag_id).where(ArticleTag.article_id == article.id)
    )
    tag_slug = await session.scalar(select(Tag.slug).where(Tag.id == tag_id))
    source_slug = await session.scalar(select(Source.slug).where(Source.id == article.source_id))
    global_id = to_global_id("Article", article.id)
    result = await data(
        client,
        EVERY_PATH,
        id=global_id,
        ids=[global_id],
        slug=article.slug,
        source=source_slug,
        q=article.headline,
        tag=tag_slug or "north-korea",
    )
    return global_id in every_id(result), result


@pytest.mark.parametrize("kind", ["draft", "scheduled"])
async def test_hidden_stories_leak_through_no_path(
    client: httpx.AsyncClient, db_session: AsyncSession, kind: str
) -> None:
    hidden = [
        a
        for a in await hidden_articles(db_session)
        if (a.status is ArticleStatus.DRAFT) == (kind == "draft")
    ]
    assert hidden
    for article in hidden:
        await put_in_newsletter(db_session, article)
    for article in hidden:
        seen, result = await readers_see(client, db_session, article)
        assert not seen, f"{kind} {article.headline!r} leaked"
        assert result["node"] is None
        assert result["article"] is None
        assert result["byId"] is None
        assert result["nodes"] == [None]


async def test_counts_exclude_hidden_stories(
    client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    now = datetime.now(UTC)
    visible = await db_session.scalar(
        select(func.count())
        .select_from(Article)
        .where(Article.status == ArticleStatus.PUBLISHED, Article.published_at <= now)
    )
    result = await data(client, "{ articles { totalCount } }")
    assert result["articles"]["totalCount"] == visible
    assert visible < await db_session.scalar(select(func.count()).select_from(Article))


async def test_scheduled_story_appears_at_its_time(
    client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    scheduled = next(
        a for a in await hidden_articles(db_session) if a.status is ArticleStatus.PUBLISHED
    )
    seen, _ = await readers_see(client, db_session, scheduled)
    assert not seen
    # Its time comes (no job runs: the clock alone makes it visible).
    await db_session.execute(
        update(Article)
        .where(Article.id == scheduled.id)
        .values(published_at=datetime.now(UTC) - timedelta(seconds=1))
    )
    await db_session.flush()
    seen, result = await readers_see(client, db_session, scheduled)
    assert seen
    assert result["node"] == {"id": to_global_id("Article", scheduled.id)}
