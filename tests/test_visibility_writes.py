"""A draft written by the desk leaks through no path to readers (anonymous or content:read):
node, nodes, article, feeds, search, related, newsletter items, counts. It appears when
published, disappears when unpublished, and a scheduled story appears at its time."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from api.database import Database
from api.settings import Settings
from tests.api_clients import app_client, data, issue_key, post
from tests.test_related_lists import drain

CREATE_ARTICLE = """
mutation($input: ArticleInput!) {
  createArticle(input: $input) { article { id slug } userErrors { field message } }
}
"""
PUBLISH_ARTICLE = """
mutation($id: ID!, $at: DateTime) {
  publishArticle(id: $id, at: $at) { article { publishedAt } userErrors { message } }
}
"""
UNPUBLISH_ARTICLE = """
mutation($id: ID!) { unpublishArticle(id: $id) { article { id } userErrors { message } } }
"""
CREATE_ISSUE = """
mutation($input: NewsletterIssueInput!) {
  createNewsletterIssue(input: $input) { issue { id date } userErrors { field message } }
}
"""
PUBLISH_ISSUE = """
mutation($id: ID!) { publishNewsletterIssue(id: $id) { issue { id } userErrors { message } } }
"""
SEARCH_COUNT = "query($word: String!) { search(query: $word) { totalCount } }"
# Every path to an article a reader has, in one document.
EVERY_PATH = """
query($id: ID!, $slug: String!, $word: String!, $tag: String!, $companion: ID!, $date: Date!) {
  node(id: $id) { id }
  nodes(ids: [$id]) { id }
  article(id: $id) { id }
  bySlug: article(slug: $slug, source: "the-korea-herald") { id }
  articles(filter: {tags: [$tag]}, first: 100) { totalCount nodes { id } }
  matching: articles(filter: {query: $word}) { totalCount nodes { id } }
  search(query: $word) { totalCount nodes { id } }
  tag(slug: $tag) { articles { totalCount nodes { id } } }
  section(slug: "diplomacy") { articles(first: 100) { totalCount nodes { id } } }
  source(slug: "the-korea-herald") { articles(first: 100) { totalCount nodes { id } } }
  companion: article(id: $companion) { related(first: 100) { id } }
  newsletterIssue(newsletter: "eastern-briefings", date: $date) {
    items { position article { id } }
  }
}
"""


@dataclass
class Story:
    """The desk's draft and a published companion sharing its tag, section and source."""

    draft_id: str
    draft_slug: str
    companion_id: str
    word: str
    tag: str
    issue_date: str


def ids(nodes: list[dict[str, Any]] | None) -> set[str]:
    return {node["id"] for node in nodes or [] if node}


def sightings(result: dict[str, Any], story: Story) -> dict[str, bool]:
    """Where the draft shows up in an EVERY_PATH result."""
    issue = result["newsletterIssue"]
    return {
        "node": result["node"] is not None,
        "nodes": ids(result["nodes"]) == {story.draft_id},
        "article": result["article"] is not None,
        "article by slug": result["bySlug"] is not None,
        "articles feed": story.draft_id in ids(result["articles"]["nodes"]),
        "feed count": result["articles"]["totalCount"] == 2,
        "full-text feed": story.draft_id in ids(result["matching"]["nodes"]),
        "full-text count": result["matching"]["totalCount"] == 1,
        "search": story.draft_id in ids(result["search"]["nodes"]),
        "search count": result["search"]["totalCount"] == 1,
        "tag page": story.draft_id in ids(result["tag"]["articles"]["nodes"]),
        "tag count": result["tag"]["articles"]["totalCount"] == 2,
        "section page": story.draft_id in ids(result["section"]["articles"]["nodes"]),
        "source page": story.draft_id in ids(result["source"]["articles"]["nodes"]),
        "related": story.draft_id in ids(result["companion"]["related"]),
        "newsletter items": story.draft_id
        in {item["article"]["id"] for item in (issue["items"] if issue else [])},
    }


async def look(client: httpx.AsyncClient, key: str | None, story: Story) -> dict[str, bool]:
    result = await data(
        client,
        EVERY_PATH,
        key,
        id=story.draft_id,
        slug=story.draft_slug,
        word=story.word,
        tag=story.tag,
        companion=story.companion_id,
        date=story.issue_date,
    )
    return sightings(result, story)


@pytest.fixture
async def desk(db_session: AsyncSession) -> str:
    return await issue_key(db_session, "content:write")


@pytest.fixture(params=["anonymous", "content:read"])
async def reader(request: pytest.FixtureRequest, db_session: AsyncSession) -> str | None:
    return None if request.param == "anonymous" else await issue_key(db_session, "content:read")


async def write(client: httpx.AsyncClient, key: str, document: str, **variables: Any) -> Any:
    (payload,) = (await data(client, document, key, **variables)).values()
    assert payload["userErrors"] == [], payload["userErrors"]
    return payload


@pytest.fixture
async def story(client: httpx.AsyncClient, desk: str) -> Story:
    word = f"zqx{uuid.uuid4().hex[:10]}"  # a word no other story contains
    tag = f"visibility-{uuid.uuid4().hex[:8]}"
    common = {
        "source": "the-korea-herald",
        "section": "diplomacy",
        "tags": [tag],
        "countries": ["KR"],
        "body": "<p>Envoys met in Panmunjom on Friday.</p>",
    }
    companion = await write(
        client,
        desk,
        CREATE_ARTICLE,
        input={**common, "headline": "Envoys meet at the border"},
    )
    companion_id = companion["article"]["id"]
    await write(client, desk, PUBLISH_ARTICLE, id=companion_id)
    draft = await write(
        client,
        desk,
        CREATE_ARTICLE,
        input={**common, "headline": f"Embargoed: {word} talks collapse"},
    )
    draft_id = draft["article"]["id"]
    issue_date = "2032-02-02"
    issue = await write(
        client,
        desk,
        CREATE_ISSUE,
        input={
            "newsletter": "eastern-briefings",
            "date": issue_date,
            "title": "Tomorrow's briefing",
            "items": [{"article": draft_id}, {"article": companion_id}],
        },
    )
    await write(client, desk, PUBLISH_ISSUE, id=issue["issue"]["id"])
    return Story(draft_id, draft["article"]["slug"], companion_id, word, tag, issue_date)


async def test_the_desk_sees_its_draft_everywhere(
    client: httpx.AsyncClient, desk: str, story: Story
) -> None:
    # The control: each probe can see the draft when the caller may, so "not seen" means hidden.
    seen = await look(client, desk, story)
    assert all(seen.values()), seen


async def test_a_draft_leaks_through_no_path_and_appears_when_published(
    client: httpx.AsyncClient,
    db_session: AsyncSession,
    desk: str,
    reader: str | None,
    story: Story,
) -> None:
    hidden = await look(client, reader, story)
    assert not any(hidden.values()), hidden

    await write(client, desk, PUBLISH_ARTICLE, id=story.draft_id)
    # Related lists are stored: the refresher every serve process runs brings a published story
    # into its neighbours' lists (within seconds: tests/test_related_lists.py). Here, its pass.
    await drain(db_session)
    shown = await look(client, reader, story)
    assert all(shown.values()), shown

    await write(client, desk, UNPUBLISH_ARTICLE, id=story.draft_id)
    hidden_again = await look(client, reader, story)
    assert not any(hidden_again.values()), hidden_again


async def test_a_scheduled_story_appears_at_its_time(
    client: httpx.AsyncClient,
    db_session: AsyncSession,
    desk: str,
    reader: str | None,
    story: Story,
) -> None:
    # Far ahead: hidden, though published (and in its neighbours' stored lists).
    far = (datetime.now(UTC) + timedelta(days=30)).isoformat()
    await write(client, desk, PUBLISH_ARTICLE, id=story.draft_id, at=far)
    await drain(db_session)
    assert not any((await look(client, reader, story)).values())

    # Five seconds ahead: hidden until then, shown from then on (polled, with real time passing).
    at = datetime.now(UTC) + timedelta(seconds=5)
    await write(client, desk, PUBLISH_ARTICLE, id=story.draft_id, at=at.isoformat())
    await drain(db_session)
    assert not any((await look(client, reader, story)).values())
    deadline = at + timedelta(seconds=10)
    while True:
        asked_at = datetime.now(UTC)
        seen = await look(client, reader, story)
        if all(seen.values()):
            break
        # Hidden means hidden on every path, never half-visible.
        assert not any(seen.values()), seen
        assert asked_at < deadline, "the scheduled story never appeared"
        await asyncio.sleep(0.2)
    assert asked_at >= at - timedelta(milliseconds=50), "it appeared before its time"


async def test_writes_purge_cached_responses(
    settings: Settings, database: Database, db_session: AsyncSession
) -> None:
    desk = await issue_key(db_session, "content:write")
    word = f"zqc{uuid.uuid4().hex[:10]}"
    async with app_client(settings, database, broadsheet_response_cache=True) as (client, _):
        draft = await write(
            client,
            desk,
            CREATE_ARTICLE,
            input={
                "source": "the-korea-herald",
                "section": "diplomacy",
                "headline": f"Cached? {word}",
                "body": "<p>Body.</p>",
            },
        )
        draft_id = draft["article"]["id"]

        async def public_count() -> tuple[int, str]:
            response = await post(client, SEARCH_COUNT, word=word)
            assert response.status_code == 200
            return response.json()["data"]["search"]["totalCount"], response.headers["X-Cache"]

        assert await public_count() == (0, "MISS")
        assert await public_count() == (0, "HIT")  # the cache is in play
        await write(client, desk, PUBLISH_ARTICLE, id=draft_id)
        assert await public_count() == (1, "MISS")
        assert await public_count() == (1, "HIT")
        await write(client, desk, UNPUBLISH_ARTICLE, id=draft_id)
        assert await public_count() == (0, "MISS")
