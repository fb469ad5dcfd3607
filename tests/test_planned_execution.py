"""The planned executor (schema/planned/) is indistinguishable from graphql-core's: the same
document, sent to an app that plans and to one that does not, gets byte-identical JSON, errors
included, for documents generated from the whole schema and for the pages front ends ask for.
"""

from __future__ import annotations

import base64
import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from api.database import Database
from api.settings import Settings
from bench.scenarios import ARTICLE, FRONT, FRONT_RELATED, NEWSLETTER, SEARCH, SECTION
from schema.planned.executor import _plans, outcomes
from schema.sync.queries import SYNC_CURSOR_KIND
from tests.api_clients import app_client
from tests.test_fuzz import IDS, operation
from tests.test_visibility_mechanism import READER_PATHS

# Any string that could be a signed token (whatever the response key, aliases included).
TOKEN_LIKE = re.compile(rb'"([A-Za-z0-9_-]{40,}=*)"')
UNLIMITED = {
    "broadsheet_rate_limit_anonymous": 1_000_000,
    "broadsheet_cost_budget_anonymous": 1_000_000_000,
}
PAGES: list[tuple[str, dict[str, Any]]] = [
    (FRONT, {}),
    (FRONT_RELATED, {}),
    (SECTION, {"slug": "diplomacy", "after": None}),
    (ARTICLE, {"id": IDS[0]}),
    (SEARCH, {"q": "Korea"}),
    (NEWSLETTER, {}),
    *((document, {}) for document in READER_PATHS),
    (
        "query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Article { headline byline } } }",
        {"ids": IDS},
    ),
    ("{ a: articles(first: 3) { nodes { id } } a: articles(first: 3) { edges { cursor } } }", {}),
    (
        "fragment F on Article { headline tags { slug } } { articles(first: 4) { nodes { ...F id } } }",
        {},
    ),
]

# Feeds with a filter and an order (their batch function reads the arguments as GraphQL coerced
# them: schema/feeds.py `filter_of`), by variables and as literals, nested and at the root.
FILTERED: list[tuple[str, dict[str, Any]]] = [
    (
        "query($f: ArticleFilter, $o: ArticleOrder) "
        "{ articles(first: 5, filter: $f, orderBy: $o) { nodes { id headline } } }",
        {
            "f": {
                "sections": ["diplomacy"],
                "tags": ["north-korea"],
                "publishedAfter": "2018-01-01T00:00:00Z",
                "publishedBefore": None,
            },
            "o": "PUBLISHED_AT_ASC",
        },
    ),
    (
        '{ articles(first: 3, filter: {query: "Korea", countries: ["KR"]}, orderBy: RELEVANCE) '
        "{ totalCount nodes { id highlight } } }",
        {},
    ),
    (
        '{ section(slug: "diplomacy") { articles(last: 2, filter: '
        '{sources: ["the-korea-herald"], authors: []}) { pageInfo { startCursor } nodes { id } } } }',
        {},
    ),
]
# The same arguments refused: the planned executor hands over, graphql-core answers the error.
REFUSED: list[tuple[str, dict[str, Any]]] = [
    ("{ articles(first: 3, orderBy: RELEVANCE) { nodes { id } } }", {}),
    (
        '{ articles(first: 3, filter: {publishedAfter: "2018-01-01T00:00:00"}) { nodes { id } } }',
        {},
    ),
    ('{ articles(first: 3, filter: {query: " the "}) { nodes { id } } }', {}),
]


@pytest.fixture
async def both(
    settings: Settings, database: Database
) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
    async with (
        app_client(settings, database, **UNLIMITED) as (planned, _),
        app_client(settings, database, broadsheet_planned_execution=False, **UNLIMITED) as (
            generic,
            _,
        ),
    ):
        yield planned, generic


async def same_answer(
    clients: tuple[httpx.AsyncClient, httpx.AsyncClient], query: str, variables: dict[str, Any]
) -> bytes:
    planned, generic = clients
    body = {"query": query, "variables": variables}
    theirs = await generic.post("/graphql", json=body)
    # Twice: the second time, a document answered without errors takes the express path
    # (schema/planned/express.py).
    for _ in range(2):
        ours = await planned.post("/graphql", json=body)
        assert ours.status_code == theirs.status_code, (query, ours.text, theirs.text)
        assert comparable(ours.content) == comparable(theirs.content), (
            query,
            ours.text,
            theirs.text,
        )
    return ours.content


def comparable(answer: bytes) -> bytes:
    """The answer with what differs from one request to the next blanked: a sync token records
    the moment it was issued."""

    def blank(match: re.Match[bytes]) -> bytes:
        try:
            raw = base64.urlsafe_b64decode(match[1] + b"=" * (-len(match[1]) % 4))
        except ValueError:
            return match[0]
        return b'"<sync token>"' if SYNC_CURSOR_KIND.encode() in raw else match[0]

    return TOKEN_LIKE.sub(blank, answer)


@pytest.mark.parametrize(("query", "variables"), PAGES + FILTERED + REFUSED)
async def test_pages_are_answered_identically(
    both: tuple[httpx.AsyncClient, httpx.AsyncClient], query: str, variables: dict[str, Any]
) -> None:
    answer = await same_answer(both, query, variables)
    assert b'"data"' in answer


@pytest.mark.parametrize(("query", "variables"), PAGES[:6] + FILTERED)
async def test_the_pages_are_answered_from_their_plans(
    both: tuple[httpx.AsyncClient, httpx.AsyncClient], query: str, variables: dict[str, Any]
) -> None:
    _plans.clear()
    before = outcomes.copy()
    await same_answer(both, query, variables)
    assert [plan for plan in _plans.values() if plan is not None], "the page was not planned"
    assert outcomes["planned"] == before["planned"] + 2
    assert outcomes["express"] == before["express"] + 1
    assert outcomes["handed over"] == before["handed over"]


@hypothesis_settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(document=operation().filter(lambda d: d.startswith("query")), ids=st.sampled_from(IDS))
async def test_generated_documents_are_answered_identically(
    both: tuple[httpx.AsyncClient, httpx.AsyncClient], document: str, ids: str
) -> None:
    await same_answer(both, document, {})
