"""Stored related lists (api/related_lists.py): the write services mark what a change touches,
the refresher every server runs brings the lists up to date within seconds, visibility hides a
story taken down at once, and what the lists hold equals a bulk recomputation."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from api.database import open_session, session_factory, short_lived_engine
from api.global_ids import parse_global_id
from api.models_related import RelatedDirty, RelatedStory
from api.queries.related import RELATED_KEPT
from api.related_lists import REFRESH_SECONDS, refresh_all_related, refresh_marked
from api.visibility import EVERYTHING
from tests.api_clients import data, issue_key
from tests.servers import ServerProcess
from tests.test_read_api import LEAD_HEADLINE

# How long after a write the refresher of a default `broadsheet serve` has recomputed every
# list it marked: its period plus one batch, with room for a loaded test machine.
FRESHNESS_BOUND_S = REFRESH_SECONDS + 4.0

LEAD = 'query { search(query: "ramps up pressure", first: 1) { nodes { id headline } } }'
RELATED = "query($id: ID!) { article(id: $id) { related(first: 100) { id } } }"
CREATE = """
mutation($input: ArticleInput!) {
  createArticle(input: $input) { article { id } userErrors { field message } }
}
"""
PUBLISH = """
mutation($id: ID!, $at: DateTime) {
  publishArticle(id: $id, at: $at) { article { id } userErrors { message } }
}
"""
UNPUBLISH = (
    "mutation($id: ID!) { unpublishArticle(id: $id) { article { id } userErrors { message } } }"
)
UPDATE = """
mutation($id: ID!, $patch: ArticlePatch!) {
  updateArticle(id: $id, input: $patch) { article { id } userErrors { field message } }
}
"""
DELETE = "mutation($id: ID!) { deleteArticle(id: $id) { deletedId userErrors { message } } }"


def pk(global_id: str) -> int:
    parsed = parse_global_id(global_id)
    assert parsed is not None
    return parsed[1]


async def write(client: httpx.AsyncClient, key: str, document: str, **variables: Any) -> Any:
    (payload,) = (await data(client, document, key, **variables)).values()
    assert payload["userErrors"] == [], payload["userErrors"]
    return payload


async def related_ids(client: httpx.AsyncClient, article_id: str) -> list[str]:
    result = await data(client, RELATED, id=article_id)
    return [story["id"] for story in result["article"]["related"]]


async def stored(session: AsyncSession) -> list[tuple[int, int, int, float]]:
    rows = await session.execute(
        select(
            RelatedStory.article_id, RelatedStory.rank, RelatedStory.related_id, RelatedStory.score
        ).order_by(RelatedStory.article_id, RelatedStory.rank)
    )
    return [(a, r, x, round(s, 9)) for a, r, x, s in rows.all()]


async def _entries(session: AsyncSession, where: Any) -> int:
    """How many stored list entries match `where`."""
    return int(await session.scalar(select(func.count()).select_from(RelatedStory).where(where)))


async def drain(session: AsyncSession) -> None:
    """What the refresher does, in the test's transaction."""
    while await refresh_marked(session, limit=10_000):
        pass
    assert (await session.execute(select(RelatedDirty))).first() is None


@pytest.fixture
async def desk(db_session: AsyncSession) -> str:
    return await issue_key(db_session, "content:write")


@pytest.fixture
async def lead(client: httpx.AsyncClient) -> str:
    node = (await data(client, LEAD))["search"]["nodes"][0]
    assert node["headline"] == LEAD_HEADLINE
    return str(node["id"])


async def korea_draft(client: httpx.AsyncClient, desk: str, tags: list[str]) -> str:
    """A draft the lead story's list would rank first: same tags, country, section, source."""
    created = await write(
        client,
        desk,
        CREATE,
        input={
            "source": "the-korea-herald",
            "section": "diplomacy",
            "headline": f"Pyongyang talks {uuid.uuid4().hex[:8]}",
            "body": "<p>Envoys met again.</p>",
            "tags": tags,
            "countries": ["KR", "KP", "US"],
        },
    )
    return str(created["article"]["id"])


async def lead_tags(client: httpx.AsyncClient, lead: str) -> list[str]:
    result = await data(client, "query($id: ID!) { article(id: $id) { tags { slug } } }", id=lead)
    return [tag["slug"] for tag in result["article"]["tags"]]


async def test_stored_lists_start_full(db_session: AsyncSession, lead: str) -> None:
    count = await _entries(db_session, RelatedStory.article_id == pk(lead))
    assert count == RELATED_KEPT


async def test_publish_only_marks_and_the_refresher_brings_the_story_in(
    client: httpx.AsyncClient, db_session: AsyncSession, desk: str, lead: str
) -> None:
    draft = await korea_draft(client, desk, await lead_tags(client, lead))
    assert draft not in await related_ids(client, lead)

    await write(client, desk, PUBLISH, id=draft)
    # The publishing request wrote no list: it marked the story, for its own list and its
    # place in its neighbours' lists.
    mark = await db_session.get(RelatedDirty, pk(draft))
    assert mark is not None
    assert mark.merge
    await drain(db_session)
    assert (await related_ids(client, lead))[0] == draft
    own = await related_ids(client, draft)
    assert lead in own

    await write(client, desk, UNPUBLISH, id=draft)
    # Taken down, it leaves every list at once (visibility applies when lists are read)...
    assert draft not in await related_ids(client, lead)
    # ...and the refresher takes it out of the stored lists and refills them.
    await drain(db_session)
    holders = await _entries(db_session, RelatedStory.related_id == pk(draft))
    assert holders == 0
    count = await _entries(db_session, RelatedStory.article_id == pk(lead))
    assert count == RELATED_KEPT


async def test_a_tag_edit_moves_the_story_in_and_out(
    client: httpx.AsyncClient, db_session: AsyncSession, desk: str, lead: str
) -> None:
    tags = await lead_tags(client, lead)
    draft = await korea_draft(client, desk, [f"elsewhere-{uuid.uuid4().hex[:8]}"])
    await write(client, desk, UPDATE, id=draft, patch={"countries": None})
    await write(client, desk, PUBLISH, id=draft)
    await drain(db_session)
    before = await related_ids(client, lead)

    await write(client, desk, UPDATE, id=draft, patch={"tags": tags, "countries": ["KR", "KP"]})
    await drain(db_session)
    assert (await related_ids(client, lead))[0] == draft

    await write(client, desk, UPDATE, id=draft, patch={"tags": None, "countries": None})
    await drain(db_session)
    # Back where it was: only its section, source and time relate it to the lead again.
    assert await related_ids(client, lead) == before
    assert before[0] != draft


async def test_a_scheduled_story_is_stored_but_hidden_until_its_time(
    client: httpx.AsyncClient, db_session: AsyncSession, desk: str, lead: str
) -> None:
    draft = await korea_draft(client, desk, await lead_tags(client, lead))
    await write(client, desk, PUBLISH, id=draft, at="2099-01-01T00:00:00Z")
    await drain(db_session)
    entry = await db_session.scalar(
        select(RelatedStory.rank).where(
            RelatedStory.article_id == pk(lead), RelatedStory.related_id == pk(draft)
        )
    )
    assert entry is not None
    assert draft not in await related_ids(client, lead)


async def test_incremental_upkeep_equals_a_bulk_recomputation(
    client: httpx.AsyncClient, db_session: AsyncSession, desk: str, lead: str
) -> None:
    tags = await lead_tags(client, lead)
    first = await korea_draft(client, desk, tags)
    second = await korea_draft(client, desk, tags[:1])
    third = await korea_draft(client, desk, [])
    for story in (first, second, third):
        await write(client, desk, PUBLISH, id=story)
    await write(client, desk, UPDATE, id=second, patch={"section": "economy", "tags": tags})
    await write(client, desk, PUBLISH, id=third, at="2030-06-01T00:00:00Z")
    await write(client, desk, UNPUBLISH, id=first)
    await write(client, desk, DELETE, id=second)
    await drain(db_session)
    incremental = await stored(db_session)

    await refresh_all_related(db_session)
    assert await stored(db_session) == incremental


async def test_a_running_server_refreshes_marked_lists_within_the_bound(
    served_database_url: str,
) -> None:
    """`broadsheet serve` with the default settings (no outbox worker in it) brings a changed
    story's lists up to date within FRESHNESS_BOUND_S: the lead story is taken out of every
    list and its own list emptied, then marked as a write marks a story it changed; its list and
    its place in a neighbour's list are read back over HTTP until both are whole again."""
    with ServerProcess({"DATABASE_URL": served_database_url}) as server:
        async with httpx.AsyncClient(base_url=server.url) as client:
            lead = (await data(client, LEAD))["search"]["nodes"][0]["id"]
            whole = await related_ids(client, lead)
            assert whole
            neighbour = whole[0]
            theirs = await related_ids(client, neighbour)
            assert lead in theirs
            async with (
                short_lived_engine(served_database_url) as engine,
                open_session(session_factory(engine), EVERYTHING) as session,
            ):
                await session.execute(
                    text("DELETE FROM related_stories WHERE article_id = :id OR related_id = :id"),
                    {"id": pk(lead)},
                )
                session.add(RelatedDirty(article_id=pk(lead), merge=True))
                await session.commit()
            marked = time.monotonic()
            assert lead not in await related_ids(client, neighbour)
            while (
                seen := (await related_ids(client, lead), await related_ids(client, neighbour))
            ) != (
                whole,
                theirs,
            ):
                assert time.monotonic() - marked < FRESHNESS_BOUND_S, seen
                await asyncio.sleep(0.1)
