"""Delta sync against a database of its own, with real commits: everything first, then only
what changed, tombstones for what left the caller's view, and no change ever skipped, including
when two transactions commit in the opposite order to the one they started in."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from api.background import registry
from api.caching import NoResponseCache
from api.database import Database
from api.http.app import create_app
from api.jobs.kinds import WorkerResources
from api.jobs.worker import Worker
from api.settings import Settings
from schema.relay import from_global_id
from tests.api_clients import close_app, data, execute
from tests.partners_support import AUTHOR, SECTION, SOURCE, migrated_scratch, seed_newsroom

SYNC = """
query($token: String, $first: Int) {
  sync(token: $token, first: $first) {
    changed { id ... on Article { headline publishedAt } ... on NewsletterIssue { title } }
    tombstones { id kind removedAt }
    nextToken hasMore
  }
}
"""
CREATE = """
mutation($input: ArticleInput!) { createArticle(input: $input) { article { id } userErrors { message } } }
"""
PUBLISH = """
mutation($id: ID!, $at: DateTime) { publishArticle(id: $id, at: $at) { article { id } userErrors { message } } }
"""
UNPUBLISH = (
    "mutation($id: ID!) { unpublishArticle(id: $id) { article { id } userErrors { message } } }"
)
DELETE = "mutation($id: ID!) { deleteArticle(id: $id) { deletedId userErrors { message } } }"
UPDATE = """
mutation($id: ID!, $input: ArticlePatch!) { updateArticle(id: $id, input: $input) { article { id } userErrors { message } } }
"""


@pytest.fixture(scope="module")
def scratch_url() -> Iterator[str]:
    with migrated_scratch("broadsheet_sync") as url:
        yield url


@pytest.fixture(scope="module")
async def world(scratch_url: str) -> AsyncIterator[dict[str, Any]]:
    keys = await seed_newsroom(scratch_url)
    settings = Settings(database_url=scratch_url, broadsheet_secret_key="sync-test", redis_url=None)
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield {"client": client, "keys": keys, "settings": settings, "url": scratch_url}
    await close_app(app)
    await app.state.database.dispose()


async def new_article(world: dict[str, Any], headline: str, publish: bool = True) -> str:
    client, desk = world["client"], world["keys"]["desk"]
    created = await data(
        client,
        CREATE,
        desk,
        input={
            "source": SOURCE,
            "section": SECTION,
            "headline": headline,
            "body": f"<p>{headline}: the story.</p>",
            "authors": [AUTHOR],
        },
    )
    article_id: str = created["createArticle"]["article"]["id"]
    if publish:
        await data(client, PUBLISH, desk, id=article_id)
    return article_id


async def sync_all(
    world: dict[str, Any], key: str, token: str | None, first: int = 100
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], str]:
    """Every page from `token` until `hasMore` is false."""
    changed: list[dict[str, Any]] = []
    tombstones: list[dict[str, Any]] = []
    for _ in range(100):
        page = (await data(world["client"], SYNC, key, token=token, first=first))["sync"]
        changed += page["changed"]
        tombstones += page["tombstones"]
        token = page["nextToken"]
        if not page["hasMore"]:
            assert token is not None
            return changed, tombstones, token
    raise AssertionError("sync never finished")


def ids(items: list[dict[str, Any]]) -> set[str]:
    return {item["id"] for item in items}


async def test_a_first_sync_pages_through_what_the_caller_sees(world: dict[str, Any]) -> None:
    published = {await new_article(world, f"Published {n}") for n in range(5)}
    draft = await new_article(world, "A draft", publish=False)
    reader, desk = world["keys"]["reader"], world["keys"]["desk"]

    pages = 0
    token = None
    seen: list[dict[str, Any]] = []
    while True:
        page = (await data(world["client"], SYNC, reader, token=token, first=2))["sync"]
        pages += 1
        seen += page["changed"]
        token = page["nextToken"]
        if not page["hasMore"]:
            break
    assert published <= ids(seen)
    assert draft not in ids(seen)
    assert pages >= 3
    assert len(seen) == len(ids(seen)), "a first sync lists each object once"

    editorial, _, _ = await sync_all(world, desk, None)
    assert {*published, draft} <= ids(editorial)


async def test_then_only_changes_arrive_with_tombstones_for_what_left(
    world: dict[str, Any],
) -> None:
    client, reader, desk = world["client"], world["keys"]["reader"], world["keys"]["desk"]
    kept = await new_article(world, "Kept")
    edited = await new_article(world, "To be edited")
    withdrawn = await new_article(world, "To be unpublished")
    deleted = await new_article(world, "To be deleted")
    draft = await new_article(world, "Still a draft", publish=False)
    _, _, token = await sync_all(world, reader, None)

    fresh = await new_article(world, "Fresh")
    await data(client, UPDATE, desk, id=edited, input={"headline": "Edited"})
    await data(client, UPDATE, desk, id=draft, input={"headline": "Draft, edited"})
    await data(client, UNPUBLISH, desk, id=withdrawn)
    await data(client, DELETE, desk, id=deleted)

    changed, tombstones, token = await sync_all(world, reader, token)
    assert ids(changed) == {fresh, edited}
    assert {item["headline"] for item in changed} == {"Fresh", "Edited"}
    assert ids(tombstones) == {withdrawn, deleted}
    assert {t["kind"] for t in tombstones} == {"ARTICLE"}
    assert kept not in ids(changed) | ids(tombstones)
    assert draft not in ids(changed) | ids(tombstones), "a draft's edits are nothing to readers"

    again, gone, _ = await sync_all(world, reader, token)
    assert (again, gone) == ([], []), "nothing changed since"


async def test_the_desk_syncs_drafts_and_hears_of_deletions(world: dict[str, Any]) -> None:
    client, desk = world["client"], world["keys"]["desk"]
    _, _, token = await sync_all(world, desk, None)
    draft = await new_article(world, "Desk draft", publish=False)
    changed, _, token = await sync_all(world, desk, token)
    assert draft in ids(changed)
    await data(client, DELETE, desk, id=draft)
    changed, tombstones, _ = await sync_all(world, desk, token)
    assert draft in ids(tombstones)
    assert draft not in ids(changed)


async def test_transactions_committing_out_of_order_are_never_skipped(
    world: dict[str, Any],
) -> None:
    """T1 starts first and writes, T2 starts later, writes and commits; a sync runs; then T1
    commits. `updated_at > last seen` would skip T1's change (its time is older than T2's,
    which the sync already returned). The snapshot token does not."""
    reader = world["keys"]["reader"]
    first = await new_article(world, "Written by the slow transaction")
    second = await new_article(world, "Written by the fast transaction")
    _, _, token = await sync_all(world, reader, None)
    pk = {global_id: from_global_id(global_id)[1] for global_id in (first, second)}  # type: ignore[index]

    engine = create_async_engine(world["url"])
    try:
        async with engine.connect() as slow, engine.connect() as fast:
            await slow.begin()
            await slow.execute(
                text("UPDATE articles SET headline = 'Slow', updated_at = now() WHERE id = :id"),
                {"id": pk[first]},
            )
            await asyncio.sleep(0.05)
            await fast.begin()
            await fast.execute(
                text("UPDATE articles SET headline = 'Fast', updated_at = now() WHERE id = :id"),
                {"id": pk[second]},
            )
            await fast.commit()

            changed, _, token = await sync_all(world, reader, token)
            assert ids(changed) == {second}, "only the committed change is visible yet"
            await slow.commit()
        times = dict((await slow_times(engine, [pk[first], pk[second]])).items())
    finally:
        await engine.dispose()
    # The slow change carries the older time: a timestamp cursor at "Fast" would skip it.
    assert times[pk[first]] < times[pk[second]]

    changed, _, _ = await sync_all(world, reader, token)
    assert ids(changed) == {first}
    assert [item["headline"] for item in changed] == ["Slow"]


async def slow_times(engine: Any, pks: list[int]) -> dict[int, datetime]:
    async with engine.connect() as connection:
        rows = await connection.execute(
            text("SELECT id, updated_at FROM articles WHERE id = ANY(:ids)"), {"ids": pks}
        )
        return {row.id: row.updated_at for row in rows}


async def test_a_scheduled_story_syncs_when_its_time_comes(world: dict[str, Any]) -> None:
    client, reader, desk = world["client"], world["keys"]["reader"], world["keys"]["desk"]
    _, _, token = await sync_all(world, reader, None)
    scheduled = await new_article(world, "Embargoed", publish=False)
    at = datetime.now(UTC) + timedelta(seconds=1.5)
    await data(client, PUBLISH, desk, id=scheduled, at=at.isoformat())
    changed, _, token = await sync_all(world, reader, token)
    assert scheduled not in ids(changed), "not before its time"

    await asyncio.sleep(max(0.0, (at - datetime.now(UTC)).total_seconds()) + 0.2)
    settings: Settings = world["settings"]
    database = Database.connect(world["url"], settings)
    try:
        worker = Worker(WorkerResources(database, settings, NoResponseCache()), registry())
        await worker.run_until_idle()
    finally:
        await database.dispose()
    changed, _, _ = await sync_all(world, reader, token)
    assert scheduled in ids(changed)


async def test_bad_tokens_are_bad_user_input(world: dict[str, Any]) -> None:
    client, reader, desk = world["client"], world["keys"]["reader"], world["keys"]["desk"]
    page = (await data(client, SYNC, reader, first=1))["sync"]
    token = page["nextToken"]
    raw = bytearray(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    raw[-3] ^= 1
    tampered = base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")
    for bad, key in (("nonsense", reader), (tampered, reader), (token, desk)):
        body = await execute(client, SYNC, key, token=bad)
        assert body["data"] is None
        assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"]
    for first in (0, 101, -1):
        body = await execute(client, SYNC, reader, first=first)
        assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"]
    response = await client.post(
        "/graphql", json={"query": SYNC}, headers={"Authorization": f"Bearer {reader}"}
    )
    assert response.headers["cache-control"] == "private, no-store"
