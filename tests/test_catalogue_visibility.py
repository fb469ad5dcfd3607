"""An embargoed story does not leak through its catalogue: a tag, a byline or a section made for
a draft stays hidden from readers (by slug, by id, in directories and lists) until a published
story uses it, while the desk sees everything; entries listed on purpose are public at once."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from tests.api_clients import data, issue_key

UPSERT_SECTION = """
mutation($input: SectionInput!) { upsertSection(input: $input) { section { id slug } userErrors { message } } }
"""
UPSERT_AUTHOR = """
mutation($input: AuthorInput!) { upsertAuthor(input: $input) { author { id slug } userErrors { message } } }
"""
CREATE_ARTICLE = """
mutation($input: ArticleInput!) {
  createArticle(input: $input) { article { id tags { id slug } } userErrors { field message } }
}
"""
PUBLISH = """
mutation($id: ID!, $at: DateTime) { publishArticle(id: $id, at: $at) { userErrors { message } } }
"""
UNPUBLISH = "mutation($id: ID!) { unpublishArticle(id: $id) { userErrors { message } } }"
EVERY_PATH = """
query($tag: String!, $author: String!, $section: String!, $ids: [ID!]!) {
  tag(slug: $tag) { id }
  author(slug: $author) { id }
  section(slug: $section) { id }
  nodes(ids: $ids) { id }
  authors(first: 100) { nodes { slug } }
  sections { slug children { slug } }
  diplomacy: section(slug: "diplomacy") { children { slug } }
}
"""


async def sightings(client: httpx.AsyncClient, key: str | None, names: dict[str, Any]) -> set[str]:
    """Which of the new tag, author and section a caller can see, and through which paths."""
    result = await data(client, EVERY_PATH, key, **names)
    seen = {name for name in ("tag", "author", "section") if result[name] is not None}
    seen |= {f"node:{node['id']}" for node in result["nodes"] if node}
    if names["author"] in {a["slug"] for a in result["authors"]["nodes"]}:
        seen.add("authors directory")
    children = {c["slug"] for c in result["diplomacy"]["children"]}
    if names["section"] in children:
        seen.add("section children")
    return seen


async def test_entries_made_for_a_draft_stay_hidden_until_it_is_published(
    client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    desk = await issue_key(db_session, "content:write")
    partner = await issue_key(db_session, "content:read")
    word = uuid.uuid4().hex[:8]
    section = (
        await data(
            client,
            UPSERT_SECTION,
            desk,
            input={"name": f"Embargo desk {word}", "parent": "diplomacy"},
        )
    )["upsertSection"]["section"]
    author = (await data(client, UPSERT_AUTHOR, desk, input={"name": f"Secret Source {word}"}))[
        "upsertAuthor"
    ]["author"]
    created = (
        await data(
            client,
            CREATE_ARTICLE,
            desk,
            input={
                "source": "the-korea-herald",
                "section": section["slug"],
                "authors": [author["slug"]],
                "headline": f"Embargoed until Monday {word}",
                "body": "<p>Not yet.</p>",
                "tags": [f"Embargo {word}"],
            },
        )
    )["createArticle"]["article"]
    (tag,) = created["tags"]
    names = {
        "tag": tag["slug"],
        "author": author["slug"],
        "section": section["slug"],
        "ids": [tag["id"], author["id"], section["id"]],
    }
    everything = {"tag", "author", "section", "authors directory", "section children"} | {
        f"node:{i}" for i in names["ids"]
    }

    assert await sightings(client, desk, names) == everything  # the desk sees its own work
    for reader in (None, partner):
        assert await sightings(client, reader, names) == set()

    # Scheduled for later: still hidden (it becomes visible with the story, at that time).
    later = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    await data(client, PUBLISH, desk, id=created["id"], at=later)
    assert await sightings(client, None, names) == set()

    await data(client, PUBLISH, desk, id=created["id"], at=None)
    assert await sightings(client, None, names) == everything

    await data(client, UNPUBLISH, desk, id=created["id"])
    assert await sightings(client, partner, names) == set()


async def test_entries_listed_on_purpose_are_public_at_once(
    client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    desk = await issue_key(db_session, "content:write")
    word = uuid.uuid4().hex[:8]
    section = (
        await data(client, UPSERT_SECTION, desk, input={"name": f"New beat {word}", "listed": True})
    )["upsertSection"]["section"]
    author = (
        await data(
            client, UPSERT_AUTHOR, desk, input={"name": f"Staff Writer {word}", "listed": True}
        )
    )["upsertAuthor"]["author"]
    result = await data(
        client,
        "query($s: String!, $a: String!) { section(slug: $s) { id } author(slug: $a) { id } }",
        s=section["slug"],
        a=author["slug"],
    )
    assert result == {"section": {"id": section["id"]}, "author": {"id": author["id"]}}
    # Unlisting hides them again while no published story uses them.
    await data(client, UPSERT_SECTION, desk, input={"name": f"New beat {word}", "listed": False})
    hidden = await data(
        client, "query($s: String!) { section(slug: $s) { id } }", s=section["slug"]
    )
    assert hidden == {"section": None}


async def test_demo_catalogue_is_visible_to_readers(client: httpx.AsyncClient) -> None:
    result = await data(
        client,
        """{ sections { slug } tag(slug: "north-korea") { slug }
             author(slug: "the-korea-herald") { slug } }""",
    )
    assert len(result["sections"]) >= 5
    assert result["tag"]
    assert result["author"]
