"""Related stories: ranked in SQL for a whole page at once, never the story itself."""

from __future__ import annotations

import httpx

from tests.api_clients import data
from tests.conftest import StatementCounter
from tests.test_read_api import KOREA_HEADLINES, LEAD_HEADLINE

RELATED = """
query($first: Int) {
  search(query: "ramps up pressure", first: 1) {
    nodes { headline related(first: $first) { headline tags { slug } } }
  }
}
"""


async def test_lead_story_relates_to_the_other_north_korea_stories(
    client: httpx.AsyncClient,
) -> None:
    lead = (await data(client, RELATED, first=3))["search"]["nodes"][0]
    assert lead["headline"] == LEAD_HEADLINE
    assert {story["headline"] for story in lead["related"]} == KOREA_HEADLINES


async def test_related_is_deterministic_and_excludes_the_story(client: httpx.AsyncClient) -> None:
    once = (await data(client, RELATED, first=10))["search"]["nodes"][0]["related"]
    again = (await data(client, RELATED, first=10))["search"]["nodes"][0]["related"]
    assert once == again
    assert len(once) == 10
    assert LEAD_HEADLINE not in {story["headline"] for story in once}


async def test_related_for_every_article_of_a_page(client: httpx.AsyncClient) -> None:
    page = await data(client, "{ articles(first: 30) { nodes { id related(first: 4) { id } } } }")
    for node in page["articles"]["nodes"]:
        ids = [story["id"] for story in node["related"]]
        assert node["id"] not in ids
        assert len(ids) == len(set(ids)) == 4


async def test_related_size_rules(client: httpx.AsyncClient) -> None:
    result = await data(client, "{ articles(first: 1) { nodes { related(first: 0) { id } } } }")
    assert result["articles"]["nodes"][0]["related"] == []
    body = await client.post(
        "/graphql",
        json={"query": "{ articles(first: 1) { nodes { related(first: 101) { id } } } }"},
    )
    assert body.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_lists_showing_only_the_stories_read_only_the_stories(
    client: httpx.AsyncClient, statement_counter: StatementCounter
) -> None:
    """A related list that shows only the stories' own fields reads neither their sections'
    nor their sources' columns (schema/articles/types.py `_OWN_FIELDS`), and lists the same
    stories as one that shows them."""
    shown = "{ articles(first: 8) { nodes { id related(first: 4) { id headline %s } } } }"
    for _ in range(2):  # through Strawberry's pipeline, then the express path
        statement_counter.statements.clear()
        bare = await data(client, shown % "")
        (_, related_bare) = statement_counter.statements
        statement_counter.statements.clear()
        full = await data(client, shown % "section { slug } source { slug }")
        (_, related_full) = statement_counter.statements
        assert "sections.slug" not in related_bare
        assert "sections.slug" in related_full
        ids = [[s["id"] for s in n["related"]] for n in bare["articles"]["nodes"]]
        assert ids == [[s["id"] for s in n["related"]] for n in full["articles"]["nodes"]]
