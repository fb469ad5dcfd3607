"""Live updates across processes: a story published through one `broadsheet serve` reaches
subscribers connected to another (PostgreSQL LISTEN/NOTIFY), and only those who may see it and
asked for it; scheduled stories arrive at their time; issues of a newsletter too."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.live_client import live_socket
from tests.servers import ServerProcess, create_key

ARTICLE_PUBLISHED = """
subscription($filter: ArticleFilter) {
  articlePublished(filter: $filter) { id headline publishedAt section { slug } byline }
}
"""
ISSUE_PUBLISHED = """
subscription($newsletter: String!) {
  newsletterIssuePublished(newsletter: $newsletter) { id title newsletter { slug } items { article { headline } } }
}
"""
CREATE_ARTICLE = """
mutation($input: ArticleInput!) { createArticle(input: $input) { article { id } userErrors { message } } }
"""
PUBLISH = """
mutation($id: ID!, $at: DateTime) { publishArticle(id: $id, at: $at) { article { id publishedAt } userErrors { message } } }
"""
UNPUBLISH = (
    "mutation($id: ID!) { unpublishArticle(id: $id) { article { id } userErrors { message } } }"
)
CREATE_ISSUE = """
mutation($input: NewsletterIssueInput!) { createNewsletterIssue(input: $input) { issue { id } userErrors { message } } }
"""
PUBLISH_ISSUE = (
    "mutation($id: ID!) { publishNewsletterIssue(id: $id) { issue { id } userErrors { message } } }"
)


async def graphql(server: ServerProcess, key: str, query: str, **variables: Any) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
        response = await client.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {key}"},
        )
    body: dict[str, Any] = response.json()
    assert response.status_code == 200, body
    assert "errors" not in body, body
    return body["data"]


async def new_article(server: ServerProcess, key: str, headline: str, section: str) -> str:
    data = await graphql(
        server,
        key,
        CREATE_ARTICLE,
        input={
            "source": "the-korea-herald",
            "section": section,
            "headline": headline,
            "body": "<p>Filed from the live desk.</p>",
        },
    )
    assert data["createArticle"]["userErrors"] == []
    article_id: str = data["createArticle"]["article"]["id"]
    return article_id


async def publish(server: ServerProcess, key: str, article_id: str, at: str | None = None) -> str:
    data = await graphql(server, key, PUBLISH, id=article_id, at=at)
    assert data["publishArticle"]["userErrors"] == []
    published_at: str = data["publishArticle"]["article"]["publishedAt"]
    return published_at


@pytest.fixture
async def desk(served_database_url: str) -> str:
    return await create_key(served_database_url, "content:write")


@pytest.fixture
async def reader(served_database_url: str) -> str:
    return await create_key(served_database_url, "content:read")


async def test_a_story_published_on_one_process_reaches_a_subscriber_on_another(
    server_pair: tuple[ServerProcess, ServerProcess], desk: str, reader: str
) -> None:
    writer, other = server_pair
    async with live_socket(other.ws_url, reader) as socket:
        await socket.subscribe("1", ARTICLE_PUBLISHED, {"filter": {"sections": ["diplomacy"]}})
        await asyncio.sleep(0.3)  # the subscription is registered before the first publish
        outside = await new_article(writer, desk, "Markets rally on rate cut", "economy")
        draft = await new_article(writer, desk, "Unfinished diplomacy draft", "diplomacy")
        wanted = await new_article(writer, desk, "Envoys meet in Jakarta", "diplomacy")
        await publish(writer, desk, outside)
        published_at = await publish(writer, desk, wanted)
        received = (await socket.next_data())["articlePublished"]
        latency = datetime.now(UTC) - datetime.fromisoformat(published_at)
        assert received["id"] == wanted
        assert received["headline"] == "Envoys meet in Jakarta"
        assert received["section"] == {"slug": "diplomacy"}
        assert received["byline"] == "By The Korea Herald"
        assert latency < timedelta(seconds=2), latency
        print(f"event latency, commit to subscriber on another process: {latency}")
        # The next event is the next matching story: neither the draft nor the economy story.
        later = await new_article(writer, desk, "Summit communique agreed", "diplomacy")
        await publish(writer, desk, later)
        assert (await socket.next_data())["articlePublished"]["id"] == later
        assert await socket.nothing_within(0.5)
        assert draft  # created, never published, never delivered


async def test_a_scheduled_story_arrives_at_its_time_and_a_cancelled_one_never(
    server_pair: tuple[ServerProcess, ServerProcess], desk: str
) -> None:
    writer, other = server_pair
    async with live_socket(other.ws_url) as anonymous:  # a reader without a key
        await anonymous.subscribe("s", ARTICLE_PUBLISHED, {"filter": {"sections": ["politics"]}})
        await asyncio.sleep(0.3)
        cancelled = await new_article(writer, desk, "Embargoed budget leak", "politics")
        scheduled = await new_article(writer, desk, "Cabinet reshuffle announced", "politics")
        # Far enough ahead that the cancellation lands before the first one's time, even on a
        # busy machine.
        soon = datetime.now(UTC) + timedelta(seconds=3)
        await publish(writer, desk, cancelled, (soon - timedelta(seconds=0.5)).isoformat())
        await publish(writer, desk, scheduled, soon.isoformat())
        await graphql(writer, desk, UNPUBLISH, id=cancelled)
        started = time.monotonic()
        received = (await anonymous.next_data(within=10))["articlePublished"]
        assert received["id"] == scheduled
        assert datetime.now(UTC) >= soon  # not before its time
        assert time.monotonic() - started < 8
        assert await anonymous.nothing_within(0.5)


async def test_newsletter_issues_reach_that_newsletters_subscribers(
    server_pair: tuple[ServerProcess, ServerProcess], desk: str, reader: str
) -> None:
    writer, other = server_pair
    article = await new_article(writer, desk, "Briefing lead story", "diplomacy")
    await publish(writer, desk, article)
    async with live_socket(other.ws_url, reader) as socket:
        await socket.subscribe("n", ISSUE_PUBLISHED, {"newsletter": "eastern-briefings"})
        await socket.subscribe("missing", ISSUE_PUBLISHED, {"newsletter": "no-such-letter"})
        refused = await socket.receive()
        assert refused["id"] == "missing"
        assert refused["type"] == "next"
        assert refused["payload"]["errors"][0]["extensions"]["code"] == "NOT_FOUND"
        assert (await socket.receive())["type"] == "complete"
        await asyncio.sleep(0.3)
        created = await graphql(
            writer,
            desk,
            CREATE_ISSUE,
            input={
                "newsletter": "eastern-briefings",
                "date": "2031-01-02",
                "title": "Eastern Briefings: live",
                "items": [{"article": article}],
            },
        )
        issue_id = created["createNewsletterIssue"]["issue"]["id"]
        assert await socket.nothing_within(0.5)  # created is not published
        await graphql(writer, desk, PUBLISH_ISSUE, id=issue_id)
        issue = (await socket.next_data())["newsletterIssuePublished"]
        assert issue["id"] == issue_id
        assert issue["newsletter"] == {"slug": "eastern-briefings"}
        assert issue["items"] == [{"article": {"headline": "Briefing lead story"}}]
