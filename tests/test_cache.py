"""HTTP caching: public vs private by caller kind, strong ETags and 304, surrogate keys naming
the entities in the response, and the server-side response cache with purge on write."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.caching import MAX_ENTITY_TAGS, MemoryResponseCache, ResponseTags, etag_for, if_none_match
from api.database import Database
from api.models import Article, Newsletter, Section, Source
from api.settings import Settings
from schema.relay import from_global_id, to_global_id
from tests.api_clients import bearer, issue_key
from tests.http_support import app_client, drop_redis_prefix
from tests.test_persisted import redis_url_or_skip

LEAD = (
    "query Lead { articles(first: 1) { nodes { id headline section { slug } source { slug } } } }"
)
UPDATE_HEADLINE = """
mutation($id: ID!, $headline: String!) {
  updateArticle(id: $id, input: {headline: $headline}) {
    article { headline }
    userErrors { message }
  }
}
"""
PRIVATE = "private, no-store"


async def get(
    client: httpx.AsyncClient, query: str, headers: dict[str, str] | None = None, **variables: Any
) -> httpx.Response:
    params = {"query": query}
    if variables:
        params["variables"] = json.dumps(variables)
    return await client.get("/graphql", params=params, headers=headers or {})


def surrogate_keys(response: httpx.Response) -> set[str]:
    keys = set(response.headers["surrogate-key"].split(" "))
    assert keys == set(response.headers["cache-tag"].split(","))
    return keys


async def test_anonymous_query_is_public_with_etag_and_surrogate_keys(
    client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    response = await get(client, LEAD)
    assert response.status_code == 200
    assert response.headers["cache-control"] == (
        "public, max-age=30, s-maxage=60, stale-while-revalidate=60"
    )
    etag = response.headers["etag"]
    assert etag == etag_for(response.content)
    assert etag.startswith('"')  # strong
    vary = {v.strip().lower() for v in response.headers["vary"].split(",")}
    assert {"accept", "authorization", "x-api-key"} <= vary

    node = response.json()["data"]["articles"]["nodes"][0]
    decoded = from_global_id(node["id"])
    assert decoded is not None
    article = await db_session.get(Article, decoded[1])
    assert article is not None
    section = await db_session.scalar(
        select(Section).where(Section.slug == node["section"]["slug"])
    )
    source = await db_session.scalar(select(Source).where(Source.slug == node["source"]["slug"]))
    assert section is not None
    assert source is not None
    assert surrogate_keys(response) == {
        "list:article",
        f"article:{article.id}",
        f"section:{section.id}",
        f"source:{source.id}",
    }


async def test_if_none_match_gets_304(client: httpx.AsyncClient) -> None:
    first = await get(client, LEAD)
    etag = first.headers["etag"]
    for header in (etag, f"W/{etag}", f'"other", {etag}', "*", etag[:-1] + '-gzip"'):
        again = await get(client, LEAD, headers={"If-None-Match": header})
        assert again.status_code == 304, header
        assert again.content == b""
        assert again.headers["etag"] == etag
        assert again.headers["cache-control"].startswith("public")
        assert again.headers["surrogate-key"] == first.headers["surrogate-key"]
    changed = await get(client, LEAD, headers={"If-None-Match": '"something-else"'})
    assert changed.status_code == 200
    # POST answers are validators too, but only GET is conditional.
    posted = await client.post("/graphql", json={"query": LEAD}, headers={"If-None-Match": etag})
    assert posted.status_code == 200
    assert posted.headers["etag"] == etag


def test_if_none_match_parsing() -> None:
    etag = '"abc"'
    assert if_none_match('"abc"', etag)
    assert if_none_match('W/"abc"', etag)
    assert if_none_match(' "x" , "abc" ', etag)
    assert if_none_match('"abc-gzip"', etag)
    assert not if_none_match('"abcd"', etag)
    assert not if_none_match(None, etag)
    assert not if_none_match("", etag)


async def test_read_only_keys_get_public_answers_write_keys_private(
    client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    reader = await issue_key(db_session, "content:read")
    desk = await issue_key(db_session, "content:write")
    admin = await issue_key(db_session, "admin")

    as_reader = await get(client, LEAD, headers=bearer(reader))
    assert as_reader.headers["cache-control"].startswith("public")
    assert as_reader.headers["etag"]

    for key in (desk, admin):
        as_desk = await get(client, LEAD, headers=bearer(key))
        assert as_desk.status_code == 200
        assert as_desk.headers["cache-control"] == PRIVATE
        assert "etag" not in as_desk.headers
        assert "surrogate-key" not in as_desk.headers
        # No 304 for them either: nothing validates a private answer.
        again = await get(
            client, LEAD, headers={**bearer(key), "If-None-Match": as_reader.headers["etag"]}
        )
        assert again.status_code == 200


async def test_per_caller_fields_are_never_shared(
    client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    reader = await issue_key(db_session, "content:read")
    response = await get(client, "{ viewer { keyName scopes } }", headers=bearer(reader))
    assert response.json()["data"]["viewer"]["scopes"] == ["content:read"]
    assert response.headers["cache-control"] == PRIVATE
    assert "etag" not in response.headers


async def test_mutations_and_errors_are_private(
    client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    desk = await issue_key(db_session, "content:write")
    lead_id = (await get(client, LEAD)).json()["data"]["articles"]["nodes"][0]["id"]
    mutation = await client.post(
        "/graphql",
        json={"query": UPDATE_HEADLINE, "variables": {"id": lead_id, "headline": "Changed"}},
        headers=bearer(desk),
    )
    assert mutation.json()["data"]["updateArticle"]["userErrors"] == []
    assert mutation.headers["cache-control"] == PRIVATE

    for query in ("{ articles(first: 1000) { nodes { id } } }", "{ nope }", "{"):
        response = await get(client, query)
        assert response.headers["cache-control"] == PRIVATE, query
        assert "etag" not in response.headers


async def test_surrogate_keys_name_newsletter_issues_and_lookups(
    client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    response = await get(
        client,
        '{ newsletter(slug: "eastern-briefings") '
        "{ latestIssue { title items { article { id } } } } }",
    )
    keys = surrogate_keys(response)
    newsletter = await db_session.scalar(
        select(Newsletter).where(Newsletter.slug == "eastern-briefings")
    )
    assert newsletter is not None
    assert f"newsletter:{newsletter.id}" in keys
    assert any(key.startswith("newsletterissue:") for key in keys)
    assert "list:newsletterissue" in keys  # a new issue changes `latestIssue`
    assert "list:article" in keys  # items hide unpublished stories

    # A lookup that found nothing depends on that kind of object appearing.
    missing = await get(client, '{ article(slug: "not-yet", source: "the-korea-herald") { id } }')
    assert missing.json()["data"]["article"] is None
    assert "list:article" in surrogate_keys(missing)
    # A lookup by id names that object even when it is (still) hidden.
    ghost = to_global_id("Article", 987_654)
    by_id = await get(client, "query($id: ID!) { node(id: $id) { id } }", id=ghost)
    assert "article:987654" in surrogate_keys(by_id)


def test_large_responses_fall_back_to_type_tags() -> None:
    tags = ResponseTags()
    tags.lists.add("list:article")
    for n in range(MAX_ENTITY_TAGS + 1):
        tags.record("Article", n)
    tags.record("Section", 1)
    assert tags.for_response() == ["list:article", "article:any", "section:any"]


async def test_memory_cache_purges_by_entity_and_type_tags() -> None:
    cache = MemoryResponseCache(ttl=60)
    before = time.time()
    await cache.set("small", b"{}", ["article:1", "section:2"], before)
    await cache.set("large", b"{}", ["list:article", "article:any"], before)
    await cache.set("other", b"{}", ["article:2"], before)
    assert await cache.purge(["article:1"]) == 2  # its own entry, and the one holding "any"
    assert await cache.get("small") is None
    assert await cache.get("large") is None
    assert await cache.get("other") is not None


async def test_a_response_computed_before_a_purge_is_not_stored() -> None:
    cache = MemoryResponseCache(ttl=60)
    started = time.time()
    await asyncio.sleep(0.01)
    await cache.purge(["article:7"])  # a write lands while the slow reader runs
    await cache.set("slow", b"{}", ["article:7"], started)
    assert await cache.get("slow") is None
    await cache.set("fresh", b"{}", ["article:7"], time.time())
    assert await cache.get("fresh") is not None


async def test_response_cache_hits_and_purges_on_update(
    settings: Settings, database: Database, db_session: AsyncSession
) -> None:
    desk = await issue_key(db_session, "content:write")
    async with app_client(settings, database, broadsheet_response_cache=True) as (client, _):
        first = await get(client, LEAD)
        assert first.headers["x-cache"] == "MISS"
        hit = await get(client, LEAD)
        assert hit.headers["x-cache"] == "HIT"
        assert hit.content == first.content
        assert hit.headers["etag"] == first.headers["etag"]
        assert int(hit.headers["age"]) >= 0
        assert hit.headers["x-request-id"] != first.headers["x-request-id"]
        conditional = await get(client, LEAD, headers={"If-None-Match": first.headers["etag"]})
        assert conditional.status_code == 304

        # Other variables, other entry; the desk is never served from (or stored in) the cache.
        other = await get(client, "query($n: Int) { articles(first: $n) { nodes { id } } }", n=2)
        assert other.headers["x-cache"] == "MISS"
        as_desk = await get(client, LEAD, headers=bearer(desk))
        assert "x-cache" not in as_desk.headers

        lead = first.json()["data"]["articles"]["nodes"][0]
        headline = f"Updated {uuid.uuid4().hex[:6]}"
        updated = await client.post(
            "/graphql",
            json={"query": UPDATE_HEADLINE, "variables": {"id": lead["id"], "headline": headline}},
            headers=bearer(desk),
        )
        assert updated.json()["data"]["updateArticle"]["article"]["headline"] == headline
        after = await get(client, LEAD)
        assert after.headers["x-cache"] == "MISS"
        assert after.json()["data"]["articles"]["nodes"][0]["headline"] == headline
        assert after.headers["etag"] != first.headers["etag"]
        stale = await get(client, LEAD, headers={"If-None-Match": first.headers["etag"]})
        assert stale.status_code == 200


async def test_response_cache_never_serves_beyond_its_ttl(
    settings: Settings, database: Database
) -> None:
    async with app_client(
        settings, database, broadsheet_response_cache=True, broadsheet_response_cache_ttl=1
    ) as (client, _):
        assert (await get(client, LEAD)).headers["x-cache"] == "MISS"
        assert (await get(client, LEAD)).headers["x-cache"] == "HIT"
        await asyncio.sleep(1.1)
        assert (await get(client, LEAD)).headers["x-cache"] == "MISS"


async def test_redis_response_cache_is_shared_and_purged_across_replicas(
    settings: Settings, database: Database, db_session: AsyncSession
) -> None:
    redis_url = await redis_url_or_skip()
    desk = await issue_key(db_session, "content:write")
    shared = {
        "redis_url": redis_url,
        "broadsheet_redis_prefix": f"test-{uuid.uuid4().hex}:",
        "broadsheet_response_cache": True,
    }
    try:
        async with (
            app_client(settings, database, **shared) as (one, _),
            app_client(settings, database, **shared) as (two, _),
        ):
            assert (await get(one, LEAD)).headers["x-cache"] == "MISS"
            hit = await get(two, LEAD)
            assert hit.headers["x-cache"] == "HIT"
            lead_id = hit.json()["data"]["articles"]["nodes"][0]["id"]
            headline = f"Replicated {uuid.uuid4().hex[:6]}"
            await one.post(
                "/graphql",
                json={"query": UPDATE_HEADLINE, "variables": {"id": lead_id, "headline": headline}},
                headers=bearer(desk),
            )
            after = await get(two, LEAD)
            assert after.headers["x-cache"] == "MISS"
            assert after.json()["data"]["articles"]["nodes"][0]["headline"] == headline
    finally:
        await drop_redis_prefix(redis_url, str(shared["broadsheet_redis_prefix"]))


@pytest.mark.parametrize("accept", ["application/json", "application/graphql-response+json"])
async def test_cache_hits_answer_in_the_media_type_asked_for(
    settings: Settings, database: Database, accept: str
) -> None:
    async with app_client(settings, database, broadsheet_response_cache=True) as (client, _):
        await get(client, LEAD)
        hit = await get(client, LEAD, headers={"Accept": accept})
        assert hit.headers["x-cache"] == "HIT"
        assert hit.headers["content-type"].startswith(accept)
