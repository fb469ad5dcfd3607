"""What a front end needs for a story's page head and share bar, from the API: the canonical
URL, share links, Open Graph and Twitter card tags, and schema.org NewsArticle JSON-LD."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import httpx

from tests.api_clients import data
from tests.conftest import StatementCounter

CANONICAL = "https://www.koreaherald.com/diplomacy/2018/08/30/us-ramps-up-pressure-on-n-korea"
STORY = """
{ article(slug: "us-ramps-up-pressure-on-n-korea") {
    canonicalUrl shareLinks { network label url } metaTags { attribute key content }
    structuredData
} }
"""
FRONT = """
query($first: Int!) { articles(first: $first) { nodes { metaTags { key } structuredData } } }
"""


async def test_the_seed_story_has_everything_its_page_head_needs(
    client: httpx.AsyncClient,
) -> None:
    article = (await data(client, STORY))["article"]
    assert article["canonicalUrl"] == CANONICAL
    shares = {link["network"]: link["url"] for link in article["shareLinks"]}
    assert list(shares) == ["FACEBOOK", "X", "LINKEDIN", "WHATSAPP", "EMAIL"]
    assert parse_qs(urlsplit(shares["FACEBOOK"]).query)["u"] == [CANONICAL]
    assert parse_qs(urlsplit(shares["X"]).query) == {
        "url": [CANONICAL],
        "text": ["US ramps up pressure on N. Korea"],
    }
    assert parse_qs(urlsplit(shares["LINKEDIN"]).query)["url"] == [CANONICAL]
    assert CANONICAL in parse_qs(urlsplit(shares["WHATSAPP"]).query)["text"][0]
    assert shares["EMAIL"].startswith("mailto:?subject=US%20ramps%20up%20pressure")

    tags = {(t["attribute"], t["key"]): t["content"] for t in article["metaTags"]}
    assert tags[("property", "og:type")] == "article"
    assert tags[("property", "og:url")] == CANONICAL
    assert tags[("property", "og:title")] == "US ramps up pressure on N. Korea"
    assert tags[("property", "og:description")].startswith("The US appears to be turning up")
    assert tags[("property", "article:section")] == "Diplomacy"
    assert tags[("property", "article:published_time")] == "2018-08-30T01:20:00+00:00"
    assert tags[("property", "article:modified_time")] == "2018-08-30T08:05:00+00:00"
    assert tags[("name", "twitter:card")] == "summary_large_image"
    assert tags[("property", "og:image")] == tags[("name", "twitter:image")]

    ld = json.loads(article["structuredData"])
    assert ld["@type"] == "NewsArticle"
    assert ld["headline"] == "US ramps up pressure on N. Korea"
    assert ld["mainEntityOfPage"]["@id"] == CANONICAL
    assert ld["datePublished"] == "2018-08-30T01:20:00+00:00"
    assert ld["articleSection"] == "Diplomacy"
    assert ld["author"] == [{"@type": "Organization", "name": "The Korea Herald"}]
    assert ld["publisher"]["name"] == "The Korea Herald"
    assert ld["publisher"]["logo"]["url"].endswith("the-korea-herald.png")
    assert "North Korea" in ld["keywords"]
    # Safe inside <script>: nothing in it can close the element.
    assert "<" not in article["structuredData"]


async def test_page_heads_for_a_whole_feed_cost_a_fixed_number_of_statements(
    client: httpx.AsyncClient, statement_counter: StatementCounter
) -> None:
    await data(client, FRONT, first=3)
    few = statement_counter.count
    statement_counter.statements.clear()
    await data(client, FRONT, first=40)
    assert statement_counter.count == few
