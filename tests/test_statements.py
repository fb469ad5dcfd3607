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
