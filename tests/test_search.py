"""Search: PostgreSQL full text with web-search syntax, relevance ranking and safe highlights."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.models import Article, ArticleStatus, Section, Source
from api.queries import search as search_module
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


# Four stories only they match, oldest first: the oldest has the word in its headline (the most
# relevant), the three newer ones once in their body and headlines of the same length (equally
# relevant, so the newer ranks higher).
WORD = "quokkavore"
STORIES = [
    ("Quokkavore sighted on the mainland", datetime(2018, 1, 1, tzinfo=UTC)),
    ("Island news roundup 1", datetime(2018, 2, 1, tzinfo=UTC)),
    ("Island news roundup 2", datetime(2018, 3, 1, tzinfo=UTC)),
    ("Island news roundup 3", datetime(2018, 4, 1, tzinfo=UTC)),
]


@pytest.fixture
async def word_stories(db_session: AsyncSession) -> list[str]:
    """The headlines of `STORIES`, published; each mentions `WORD` once in its body."""
    section = (await db_session.scalars(select(Section).order_by(Section.id))).first()
    source = (await db_session.scalars(select(Source).order_by(Source.id))).first()
    assert section is not None
    assert source is not None
    for number, (headline, published_at) in enumerate(STORIES):
        body = f"Rangers said a {WORD} was reported near the harbour, among other island news."
        db_session.add(
            Article(
                source_id=source.id,
                section_id=section.id,
                slug=f"{WORD}-{number}",
                status=ArticleStatus.PUBLISHED,
                published_at=published_at,
                headline=headline,
                body_html=f"<p>{body}</p>",
                body_text=body,
                excerpt=body,
                language="en",
                url=f"https://example.com/{WORD}/{number}",
            )
        )
    await db_session.commit()
    return [headline for headline, _ in STORIES]


async def all_pages(client: httpx.AsyncClient, q: str, first: int) -> list[str]:
    """Every headline of a search, page by page through the cursors."""
    headlines: list[str] = []
    after = None
    while True:
        page = await search(client, q, first=first, after=after)
        headlines += [n["headline"] for n in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            return headlines
        after = page["pageInfo"]["endCursor"]


async def test_ranking_within_the_candidates_is_by_relevance(
    client: httpx.AsyncClient, word_stories: list[str]
) -> None:
    oldest, *newer = word_stories
    result = await search(client, WORD, first=10)
    assert [n["headline"] for n in result["nodes"]] == [oldest, *reversed(newer)]
    assert result["totalCount"] == 4
    # Deep pages walk the same order, one story at a time.
    assert await all_pages(client, WORD, first=1) == [oldest, *reversed(newer)]


async def test_a_search_considers_only_the_most_recent_matches(
    client: httpx.AsyncClient, word_stories: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_module, "SEARCH_CANDIDATES", 3)
    oldest, *newer = word_stories
    result = await search(client, WORD, first=10)
    # The most relevant story is the oldest match, beyond the bound: it is not considered.
    assert [n["headline"] for n in result["nodes"]] == list(reversed(newer))
    assert result["totalCount"] == 3
    assert not result["pageInfo"]["hasNextPage"]
    assert await all_pages(client, WORD, first=2) == list(reversed(newer))
    # A feed filtered by the same words holds the same candidates, by date.
    feed = await data(
        client,
        "query($q: String!) { articles(first: 10, filter: {query: $q}) "
        "{ totalCount nodes { headline } pageInfo { hasNextPage } } }",
        q=WORD,
    )
    assert [n["headline"] for n in feed["articles"]["nodes"]] == list(reversed(newer))
    assert feed["articles"]["totalCount"] == 3
    assert oldest not in [n["headline"] for n in feed["articles"]["nodes"]]


async def test_a_common_word_counts_and_pages_within_the_bound(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    everything = await search(client, "Korea", first=1)
    assert everything["totalCount"] > 5
    monkeypatch.setattr(search_module, "SEARCH_CANDIDATES", 5)
    assert (await search(client, "Korea", first=1))["totalCount"] == 5
    headlines = await all_pages(client, "Korea", first=2)
    assert len(headlines) == len(set(headlines)) == 5
