"""Search: PostgreSQL full text with web-search syntax, relevance ranking and safe highlights."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.api_clients import data, execute

SEARCH = """
query($q: String!, $first: Int, $after: String, $filter: ArticleFilter) {
  search(query: $q, first: $first, after: $after, filter: $filter) {
    totalCount
    nodes { headline highlight source { slug } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


async def search(client: httpx.AsyncClient, q: str, **variables: Any) -> dict[str, Any]:
    result: dict[str, Any] = (await data(client, SEARCH, q=q, **variables))["search"]
    return result


async def test_headline_match_ranks_first_and_is_highlighted(client: httpx.AsyncClient) -> None:
    result = await search(client, "Rohingya crisis")
    top = result["nodes"][0]
    assert top["headline"] == "Ending Rohingya Crisis: Bangladesh tables 3 proposals at UN meeting"
    assert "<mark>Rohingya</mark>" in top["highlight"]


async def test_web_search_syntax(client: httpx.AsyncClient) -> None:
    phrase = await search(client, '"nuclear inspections"', first=50)
    assert any("nuclear inspections" in n["headline"] for n in phrase["nodes"])
    korea = await search(client, "Pyongyang", first=100)
    without = await search(client, "Pyongyang -summit", first=100)
    assert without["totalCount"] < korea["totalCount"]
    either = await search(client, "Maldives OR Rohingya", first=100)
    maldives = await search(client, "Maldives", first=100)
    rohingya = await search(client, "Rohingya", first=100)
    assert either["totalCount"] >= max(maldives["totalCount"], rohingya["totalCount"])


async def test_search_pages_by_relevance(client: httpx.AsyncClient) -> None:
    first = await search(client, "trade", first=5)
    assert first["pageInfo"]["hasNextPage"]
    second = await search(client, "trade", first=5, after=first["pageInfo"]["endCursor"])
    headlines = [n["headline"] for n in first["nodes"] + second["nodes"]]
    assert len(headlines) == len(set(headlines)) == 10
    # A cursor belongs to its query: replaying it for another query is refused.
    other = await execute(client, SEARCH, q="monsoon", after=first["pageInfo"]["endCursor"])
    assert other["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_search_with_filter_and_articles_filter_query_agree(
    client: httpx.AsyncClient,
) -> None:
    narrowed = await search(client, "summit", filter={"sources": ["the-korea-herald"]}, first=100)
    assert narrowed["totalCount"] > 0
    assert {n["source"]["slug"] for n in narrowed["nodes"]} == {"the-korea-herald"}
    same = await data(
        client,
        """{ articles(first: 100, orderBy: RELEVANCE,
                      filter: {query: "summit", sources: ["the-korea-herald"]}) {
               totalCount nodes { headline highlight } } }""",
    )
    assert same["articles"]["totalCount"] == narrowed["totalCount"]
    assert [n["headline"] for n in same["articles"]["nodes"]] == [
        n["headline"] for n in narrowed["nodes"]
    ]
    assert all("<mark>" in (n["highlight"] or "") for n in same["articles"]["nodes"])


HOSTILE = [
    "'",
    '"',
    "\\",
    "''; DROP TABLE articles; --",
    "&|!:*()",
    "<script>alert(1)</script>",
    "a\x00b",
    "OR OR OR",
    "-",
    "- - -",
    '"unterminated',
    "!!!",
    "*:*",
    "🙂 Korea",
    "x" * 499,
    "Korea & | ! ( ) : *",
    "\u202e\u200b",
    "%s %d {0}",
    "$1",
    "(((((",
    "NOT",
    "<->",
]


@pytest.mark.parametrize("text", HOSTILE)
async def test_hostile_strings_never_break_search(client: httpx.AsyncClient, text: str) -> None:
    body = await execute(client, SEARCH, q=text, first=3)
    for error in body.get("errors", []):
        assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    for node in (
        (body.get("data") or {}).get("search", {}).get("nodes", []) if body.get("data") else []
    ):
        assert "<script>" not in (node["highlight"] or "")


async def test_empty_stop_word_and_oversized_queries_are_clear_errors(
    client: httpx.AsyncClient,
) -> None:
    for text in ("", "   ", "the and of", "x" * 501):
        body = await execute(client, SEARCH, q=text)
        assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"], text


async def test_search_refuses_a_second_query_in_the_filter(client: httpx.AsyncClient) -> None:
    body = await execute(client, SEARCH, q="Korea", filter={"query": "China"})
    assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"]
