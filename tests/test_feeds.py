"""Feeds: keyset pagination both ways, page-size rules, cursor tampering and every filter."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.models import Article, ArticleStatus
from tests.api_clients import data, error_codes, execute

FEED = """
query($first: Int, $after: String, $last: Int, $before: String, $filter: ArticleFilter, $order: ArticleOrder) {
  articles(first: $first, after: $after, last: $last, before: $before, filter: $filter, orderBy: $order) {
    totalCount
    edges { cursor node { id headline publishedAt } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""


async def feed(client: httpx.AsyncClient, **variables: Any) -> dict[str, Any]:
    result: dict[str, Any] = (await data(client, FEED, **variables))["articles"]
    return result


async def walk_forward(client: httpx.AsyncClient, size: int, **variables: Any) -> list[str]:
    seen: list[str] = []
    after = None
    while True:
        page = await feed(client, first=size, after=after, **variables)
        seen += [edge["node"]["id"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return seen
        after = page["pageInfo"]["endCursor"]


async def walk_backward(client: httpx.AsyncClient, size: int, **variables: Any) -> list[str]:
    seen: list[str] = []
    before = None
    while True:
        page = await feed(client, last=size, before=before, **variables)
        seen = [edge["node"]["id"] for edge in page["edges"]] + seen
        if not page["pageInfo"]["hasPreviousPage"]:
            return seen
        before = page["pageInfo"]["startCursor"]


async def test_default_page_is_20_newest_first(client: httpx.AsyncClient) -> None:
    page = await feed(client)
    assert len(page["edges"]) == 20
    stamps = [edge["node"]["publishedAt"] for edge in page["edges"]]
    assert stamps == sorted(stamps, reverse=True)
    assert page["pageInfo"]["hasNextPage"] is True
    assert page["pageInfo"]["hasPreviousPage"] is False


async def test_walks_forward_and_backward_visit_every_article_once(
    client: httpx.AsyncClient,
) -> None:
    total = (await feed(client, first=1))["totalCount"]
    forward = await walk_forward(client, 17)
    backward = await walk_backward(client, 23)
    assert len(forward) == total == len(set(forward))
    assert backward == forward


async def test_ascending_order_is_the_reverse(client: httpx.AsyncClient) -> None:
    ascending = await walk_forward(client, 50, order="PUBLISHED_AT_ASC")
    descending = await walk_forward(client, 50)
    assert ascending == list(reversed(descending))


async def test_walk_is_stable_while_stories_are_published(
    client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    first_page = await feed(client, first=10)
    template = (await db_session.scalars(select(Article).limit(1))).one()
    for n in range(3):  # breaking news lands while the reader scrolls
        db_session.add(
            Article(
                source_id=template.source_id,
                section_id=template.section_id,
                slug=f"breaking-{n}",
                status=ArticleStatus.PUBLISHED,
                published_at=datetime.now(UTC) - timedelta(seconds=n + 1),
                headline=f"Breaking {n}",
                body_html="<p>x</p>",
                body_text="x",
                excerpt="x",
                language="en",
                url=f"https://example.org/breaking-{n}",
            )
        )
    await db_session.flush()
    rest = await walk_forward_from(client, first_page["pageInfo"]["endCursor"])
    ids = [edge["node"]["id"] for edge in first_page["edges"]] + rest
    total_before = first_page["totalCount"]
    assert len(ids) == total_before == len(set(ids)), "no story skipped or repeated"


async def walk_forward_from(client: httpx.AsyncClient, after: str) -> list[str]:
    seen: list[str] = []
    cursor: str | None = after
    while cursor is not None:
        page = await feed(client, first=25, after=cursor)
        seen += [edge["node"]["id"] for edge in page["edges"]]
        cursor = page["pageInfo"]["endCursor"] if page["pageInfo"]["hasNextPage"] else None
    return seen


async def test_page_size_rules(client: httpx.AsyncClient) -> None:
    assert len((await feed(client, first=100))["edges"]) == 100
    assert (await feed(client, first=0))["edges"] == []
    for variables in (
        {"first": 101},
        {"first": -1},
        {"last": 101},
        {"last": -5},
        {"first": 5, "last": 5},
    ):
        assert error_codes(await execute(client, FEED, **variables)) == ["BAD_USER_INPUT"], (
            variables
        )


async def test_tampered_and_foreign_cursors_are_refused(client: httpx.AsyncClient) -> None:
    page = await feed(client, first=2)
    cursor = page["pageInfo"]["endCursor"]
    tampered = cursor[:-2] + ("AA" if not cursor.endswith("AA") else "BB")
    sources = await data(client, "{ sources(first: 1) { pageInfo { endCursor } } }")
    foreign = sources["sources"]["pageInfo"]["endCursor"]
    ascending = (await feed(client, first=2, order="PUBLISHED_AT_ASC"))["pageInfo"]["endCursor"]
    for bad in (tampered, foreign, "garbage!!", "", "eyJ4Ijo", ascending):
        assert error_codes(await execute(client, FEED, first=2, after=bad)) == ["BAD_USER_INPUT"], (
            bad
        )
    assert error_codes(await execute(client, FEED, last=2, before=tampered)) == ["BAD_USER_INPUT"]


async def test_relevance_order_needs_a_query(client: httpx.AsyncClient) -> None:
    assert error_codes(await execute(client, FEED, order="RELEVANCE")) == ["BAD_USER_INPUT"]
    ranked = await feed(client, order="RELEVANCE", filter={"query": "Rohingya"})
    assert ranked["edges"]


FILTERED = """
query($filter: ArticleFilter) {
  articles(first: 100, filter: $filter) {
    totalCount
    nodes { publishedAt section { slug parent { slug } } source { slug } authors { slug }
            tags { slug } countries }
  }
}
"""


async def filtered(client: httpx.AsyncClient, **article_filter: Any) -> dict[str, Any]:
    result: dict[str, Any] = (await data(client, FILTERED, filter=article_filter))["articles"]
    return result


async def test_filter_sections_or(client: httpx.AsyncClient) -> None:
    both = await filtered(client, sections=["diplomacy", "economy"])
    one = await filtered(client, sections=["diplomacy"])
    other = await filtered(client, sections=["economy"])
    assert both["totalCount"] == one["totalCount"] + other["totalCount"] > 0
    for node in one["nodes"]:
        assert "diplomacy" in {
            node["section"]["slug"],
            (node["section"]["parent"] or {}).get("slug"),
        }


async def test_filter_sources_or(client: httpx.AsyncClient) -> None:
    result = await filtered(client, sources=["the-korea-herald", "the-daily-star"])
    assert {node["source"]["slug"] for node in result["nodes"]} == {
        "the-korea-herald",
        "the-daily-star",
    }


async def test_filter_authors_or(client: httpx.AsyncClient) -> None:
    result = await filtered(client, authors=["cod-satrusayang", "daily-star"])
    assert result["totalCount"] > 0
    for node in result["nodes"]:
        assert {"cod-satrusayang", "daily-star"} & {author["slug"] for author in node["authors"]}


async def test_filter_tags_and(client: httpx.AsyncClient) -> None:
    one = await filtered(client, tags=["north-korea"])
    both = await filtered(client, tags=["north-korea", "denuclearization"])
    assert 0 < both["totalCount"] <= one["totalCount"]
    for node in both["nodes"]:
        assert {"north-korea", "denuclearization"} <= {tag["slug"] for tag in node["tags"]}
    assert (await filtered(client, tags=["north-korea", "no-such-tag"]))["totalCount"] == 0


async def test_filter_countries_or(client: httpx.AsyncClient) -> None:
    result = await filtered(client, countries=["BD", "mv"])
    assert result["totalCount"] > 0
    for node in result["nodes"]:
        assert {"BD", "MV"} & set(node["countries"])


async def test_filter_date_bounds(client: httpx.AsyncClient) -> None:
    after, before = "2018-09-20T00:00:00Z", "2018-09-26T00:00:00Z"
    result = await filtered(client, publishedAfter=after, publishedBefore=before)
    assert result["totalCount"] > 0
    for node in result["nodes"]:
        assert "2018-09-20" <= node["publishedAt"][:10] < "2018-09-26"
    # Inclusive lower bound, exclusive upper bound, at the exact instant of a story.
    stamp = result["nodes"][0]["publishedAt"]
    assert (await filtered(client, publishedAfter=stamp, publishedBefore=stamp))["totalCount"] == 0
    at = await filtered(client, publishedAfter=stamp)
    assert stamp in {node["publishedAt"] for node in at["nodes"]} or at["totalCount"] > 100
    naive = {"publishedAfter": "2018-09-20T00:00:00"}
    assert error_codes(await execute(client, FILTERED, filter=naive)) == ["BAD_USER_INPUT"]


async def test_filters_combine_with_and(client: httpx.AsyncClient) -> None:
    result = await filtered(
        client,
        sections=["diplomacy"],
        sources=["the-korea-herald"],
        countries=["KP"],
        query="summit",
    )
    assert result["totalCount"] > 0
    for node in result["nodes"]:
        assert node["source"]["slug"] == "the-korea-herald"
        assert "KP" in node["countries"]


async def test_nested_feed_narrowed_by_filter(client: httpx.AsyncClient) -> None:
    result = await data(
        client,
        """{ section(slug: "diplomacy") {
              all: articles { totalCount }
              kh: articles(filter: {sources: ["the-korea-herald"]}) { totalCount nodes { source { slug } } }
        } }""",
    )
    section = result["section"]
    assert 0 < section["kh"]["totalCount"] < section["all"]["totalCount"]
    assert {node["source"]["slug"] for node in section["kh"]["nodes"]} == {"the-korea-herald"}


SECTIONED = """
query($first: Int, $after: String, $last: Int, $before: String, $filter: ArticleFilter) {
  articles(first: $first, after: $after, last: $last, before: $before, filter: $filter) {
    totalCount
    edges { cursor node { id section { slug parent { slug } } } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""


async def test_a_section_feed_pages_as_the_whole_feed_does(client: httpx.AsyncClient) -> None:
    """Each section's stories are read from its own index and merged (api/queries/articles.py
    `_newest_in_each`): walked forward and backward in small pages, a feed of sections with
    children is the whole feed's stories of those sections, in the same order."""
    sections = (await data(client, "{ sections { slug children { slug } } }"))["sections"]
    parent = next(s for s in sections if s["children"])
    other = next(s for s in sections if s["slug"] != parent["slug"])
    chosen = {parent["slug"], other["slug"]}
    everything = await data(client, SECTIONED, first=100, filter={"sections": sorted(chosen)})
    whole = []
    after = None
    while True:  # the unfiltered feed, kept to the chosen sections and their children
        page = (await data(client, SECTIONED, first=100, after=after))["articles"]
        for edge in page["edges"]:
            section = edge["node"]["section"]
            if {section["slug"], (section["parent"] or {}).get("slug")} & chosen:
                whole.append(edge["node"]["id"])
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(whole) > 6
    assert everything["articles"]["totalCount"] == len(whole)
    article_filter = {"sections": sorted(chosen)}
    forward: list[str] = []
    after = None
    while True:
        page = (await data(client, SECTIONED, first=3, after=after, filter=article_filter))[
            "articles"
        ]
        forward += [edge["node"]["id"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    backward: list[str] = []
    before = None
    while True:
        page = (await data(client, SECTIONED, last=2, before=before, filter=article_filter))[
            "articles"
        ]
        backward = [edge["node"]["id"] for edge in page["edges"]] + backward
        if not page["pageInfo"]["hasPreviousPage"]:
            break
        before = page["pageInfo"]["startCursor"]
    assert forward == whole
    assert backward == whole
