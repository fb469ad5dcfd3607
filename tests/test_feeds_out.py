"""Feeds out: RSS 2.0, Atom 1.0 and JSON Feed 1.1 for the front page and every section, source,
tag and author, parsed by a real feed parser (feedparser) and checked against the GraphQL feed
they mirror; sitemaps; and the same caching as GraphQL (validators, purge tags, purge on write)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from xml.etree import ElementTree as ET

import feedparser
import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from api.database import Database
from api.settings import Settings
from schema.relay import from_global_id
from tests.api_clients import app_client, data, issue_key

SCOPES = {
    "": "{ articles(first: 50) { nodes { id url headline } } }",
    "/sections/diplomacy": '{ section(slug: "diplomacy") { articles(first: 50) { nodes { id url headline } } } }',
    "/sources/the-korea-herald": '{ source(slug: "the-korea-herald") { articles(first: 50) { nodes { id url headline } } } }',
    "/tags/north-korea": '{ tag(slug: "north-korea") { articles(first: 50) { nodes { id url headline } } } }',
    "/authors/the-korea-herald": '{ author(slug: "the-korea-herald") { articles(first: 50) { nodes { id url headline } } } }',
}
CREATE = """
mutation($input: ArticleInput!) { createArticle(input: $input) { article { id url } userErrors { message } } }
"""
PUBLISH = """
mutation($id: ID!, $at: DateTime) { publishArticle(id: $id, at: $at) { article { id } userErrors { message } } }
"""
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"


async def expected(client: httpx.AsyncClient, scope: str) -> list[dict[str, Any]]:
    result = await data(client, SCOPES[scope])
    holder = next(iter(result.values()))
    nodes: list[dict[str, Any]] = (
        holder["articles"]["nodes"] if "articles" in holder else holder["nodes"]
    )
    return nodes


async def new_story(
    client: httpx.AsyncClient,
    key: str,
    headline: str,
    at: datetime | None = None,
    publish: bool = True,
) -> dict[str, Any]:
    created = await data(
        client,
        CREATE,
        key,
        input={
            "source": "the-korea-herald",
            "section": "diplomacy",
            "headline": headline,
            "body": "<p>Body.</p>",
        },
    )
    article: dict[str, Any] = created["createArticle"]["article"]
    if publish:
        await data(client, PUBLISH, key, id=article["id"], at=at.isoformat() if at else None)
    return article


@pytest.mark.parametrize("scope", list(SCOPES))
async def test_rss_and_atom_parse_and_mirror_the_graphql_feed(
    client: httpx.AsyncClient, scope: str
) -> None:
    stories = await expected(client, scope)
    assert stories, "the demo newsroom has stories here"
    for name, version, content_type in (
        ("rss.xml", "rss20", "application/rss+xml"),
        ("atom.xml", "atom10", "application/atom+xml"),
    ):
        response = await client.get(f"/feeds{scope}/{name}")
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith(content_type)
        parsed = feedparser.parse(response.content)
        assert not parsed.bozo, parsed.get("bozo_exception")
        assert parsed.version == version
        assert [entry.link for entry in parsed.entries] == [story["url"] for story in stories]
        assert [entry.title for entry in parsed.entries] == [story["headline"] for story in stories]
        ids = [entry.id for entry in parsed.entries]
        prefix = "urn:broadsheet:" if name == "atom.xml" else ""
        assert ids == [prefix + story["id"] for story in stories]
        first = parsed.entries[0]
        assert first.get("published_parsed") is not None
        assert first.get("author")
        assert first.content[0].value if name == "atom.xml" else first.get("content")
        links = parsed.feed.get("links", [])
        assert any(
            link.get("rel") == "self" and link["href"].endswith(f"/feeds{scope}/{name}")
            for link in links
        )


@pytest.mark.parametrize("scope", list(SCOPES))
async def test_json_feed_has_every_field_the_spec_requires(
    client: httpx.AsyncClient, scope: str
) -> None:
    stories = await expected(client, scope)
    response = await client.get(f"/feeds{scope}/feed.json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/feed+json")
    feed = response.json()
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert isinstance(feed["title"], str)
    assert feed["title"]
    assert feed["feed_url"].endswith(f"/feeds{scope}/feed.json")
    assert isinstance(feed["items"], list)
    assert [item["id"] for item in feed["items"]] == [story["id"] for story in stories]
    for item in feed["items"]:
        assert isinstance(item["id"], str)
        assert item.get("content_html") or item.get("content_text")
        datetime.fromisoformat(item["date_published"])
        assert all(isinstance(author["name"], str) for author in item["authors"])
    assert len(feed["items"]) <= 50


async def test_feeds_hold_only_what_readers_see(
    client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    desk = await issue_key(db_session, "content:write")
    draft = await new_story(client, desk, "A draft nobody may read", publish=False)
    later = await new_story(client, desk, "Embargoed", at=datetime.now(UTC) + timedelta(days=1))
    fresh = await new_story(client, desk, "Out now")
    front = feedparser.parse((await client.get("/feeds/rss.xml")).content)
    links = [entry.id for entry in front.entries]
    assert links[0] == fresh["id"]
    assert draft["id"] not in links
    assert later["id"] not in links

    news = ET.fromstring((await client.get("/sitemaps/news.xml")).content)
    urls = news.findall(f"{SITEMAP}url")
    assert [u.findtext(f"{SITEMAP}loc") for u in urls] == [fresh["url"]], "only the last 48 hours"
    item = urls[0].find(f"{NEWS}news")
    assert item is not None
    assert item.findtext(f"{NEWS}publication/{NEWS}name") == "The Korea Herald"
    assert item.findtext(f"{NEWS}publication/{NEWS}language") == "en"
    assert item.findtext(f"{NEWS}title") == "Out now"


async def test_the_sitemap_index_covers_every_story(client: httpx.AsyncClient) -> None:
    index = ET.fromstring((await client.get("/sitemaps/index.xml")).content)
    locations = [entry.findtext(f"{SITEMAP}loc") for entry in index.findall(f"{SITEMAP}sitemap")]
    assert locations[0] == "http://testserver/sitemaps/news.xml"
    months = [loc for loc in locations[1:] if loc]
    assert months
    total = 0
    for location in months:
        response = await client.get(location.removeprefix("http://testserver"))
        assert response.status_code == 200
        urls = ET.fromstring(response.content).findall(f"{SITEMAP}url")
        assert all(u.findtext(f"{SITEMAP}lastmod") for u in urls)
        total += len(urls)
    count = await data(client, "{ articles { totalCount } }")
    assert total == count["articles"]["totalCount"]


async def test_feeds_are_cached_like_graphql(client: httpx.AsyncClient) -> None:
    response = await client.get("/feeds/sections/diplomacy/atom.xml")
    assert response.headers["cache-control"].startswith("public, max-age=")
    etag = response.headers["etag"]
    keys = response.headers["surrogate-key"].split()
    assert "list:article" in keys
    assert any(key.startswith("article:") for key in keys)
    section = await data(client, '{ section(slug: "diplomacy") { id } }')
    decoded = from_global_id(section["section"]["id"])
    assert decoded is not None
    assert f"section:{decoded[1]}" in keys
    assert response.headers["cache-tag"] == ",".join(keys)
    again = await client.get("/feeds/sections/diplomacy/atom.xml", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""


@pytest.mark.parametrize(
    "path",
    [
        "/feeds/sections/no-such-section/rss.xml",
        "/feeds/sections/diplomacy/feed.xml",
        "/feeds/planets/mars/rss.xml",
        "/feeds/index.html",
        "/sitemaps/articles-2018-13.xml",
        "/sitemaps/articles-2018-09.xml?page=99",
    ],
)
async def test_unknown_feeds_are_404(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 404
    assert response.headers["cache-control"] == "private, no-store"


async def test_a_write_purges_cached_feeds(
    settings: Settings, database: Database, db_session: AsyncSession
) -> None:
    desk = await issue_key(db_session, "content:write")
    async with app_client(settings, database, broadsheet_response_cache=True) as (client, _):
        first = await client.get("/feeds/feed.json")
        assert first.headers["x-cache"] == "MISS"
        assert (await client.get("/feeds/feed.json")).headers["x-cache"] == "HIT"
        story = await new_story(client, desk, "Breaking: a purge")
        after = await client.get("/feeds/feed.json")
        assert after.headers["x-cache"] == "MISS"
        assert after.json()["items"][0]["id"] == story["id"]
