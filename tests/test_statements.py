"""No N+1: a page's statement count does not grow with its size; loaders are safe to fan out."""

from __future__ import annotations

import httpx

from tests.api_clients import data
from tests.conftest import StatementCounter

FRONT_PAGE = """
query($first: Int!) {
  articles(first: $first) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      id headline dek excerpt publishedAt byline countries
      image { url caption }
      section { slug name }
      source { slug name logo { url } }
      authors { slug name avatar { url } }
      tags { slug name }
      related(first: 3) { id headline section { slug } source { name } }
    }
  }
}
"""


async def statements_for(client: httpx.AsyncClient, counter: StatementCounter, size: int) -> int:
    counter.statements.clear()
    result = await data(client, FRONT_PAGE, first=size)
    assert len(result["articles"]["nodes"]) == size
    return counter.count


async def test_front_page_costs_the_same_for_3_and_50(
    client: httpx.AsyncClient, statement_counter: StatementCounter
) -> None:
    small = await statements_for(client, statement_counter, 3)
    large = await statements_for(client, statement_counter, 50)
    assert small == large, statement_counter.statements
    assert large <= 6, statement_counter.statements


FAN_OUT = """
{
  a: articles(first: 40) { nodes { section { name children { name } } source { name } authors { name source { name } } tags { name } countries related(first: 5) { source { name } authors { name } } } }
  b: search(query: "Korea", first: 30) { nodes { highlight section { name } tags { name } related(first: 2) { tags { name } } } }
  c: sections { articles(first: 10) { nodes { source { name } authors { name } } } children { articles(first: 5) { totalCount } } }
  d: newsletter(slug: "eastern-briefings") { issues(first: 14) { nodes { items { article { section { name } tags { name } related(first: 2) { id } } } } } }
  e: sources(first: 20) { nodes { logo { url } articles(first: 5) { totalCount nodes { authors { name } } } } }
}
"""


async def test_many_relations_resolved_at_once_share_the_session_safely(
    client: httpx.AsyncClient,
) -> None:
    # Hundreds of resolvers run concurrently; an AsyncSession used by two of them at once would
    # fail with "another operation is in progress".
    for _ in range(3):
        result = await data(client, FAN_OUT)
        assert len(result["a"]["nodes"]) == 40
        assert all(node["related"] for node in result["a"]["nodes"])


CARDS = "query { articles(first: 5) { nodes { id headline %s } } }"


async def card_statement(
    client: httpx.AsyncClient, counter: StatementCounter, selection: str
) -> tuple[str, list[dict[str, object]]]:
    """The one statement a page of cards showing `selection` runs, and the cards."""
    counter.statements.clear()
    result = await data(client, CARDS % selection)
    assert len(counter.statements) == 1, counter.statements  # bylines and tags read along
    return counter.statements[0], result["articles"]["nodes"]


async def test_a_page_of_cards_reads_only_the_parts_it_shows(
    client: httpx.AsyncClient, statement_counter: StatementCounter
) -> None:
    """A feed's cards read bylines and tags along only when the page shows them (the planned
    executor says which: schema/feeds.py `card_parts`), and show the same either way."""
    for _ in range(2):  # the first time through Strawberry's pipeline, then the express path
        bare, _ = await card_statement(client, statement_counter, "")
        tags, tagged = await card_statement(client, statement_counter, "tags { slug }")
        bylines, credited = await card_statement(client, statement_counter, "byline")
        both, full = await card_statement(client, statement_counter, "byline tags { slug }")
        read = {
            name: ("article_authors" in statement, "article_tags" in statement)
            for name, statement in {"": bare, "tags": tags, "byline": bylines, "both": both}.items()
        }  # (bylines, tags)
        assert read == {
            "": (False, False),
            "tags": (False, True),
            "byline": (True, False),
            "both": (True, True),
        }
        assert [card["tags"] for card in full] == [card["tags"] for card in tagged]
        assert [card["byline"] for card in full] == [card["byline"] for card in credited]
        assert any(card["tags"] for card in full)
        assert all(card["byline"] for card in full)
