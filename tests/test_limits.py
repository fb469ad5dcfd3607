"""Abuse limits: each crafted document is refused before any SQL runs, says which limit and by
how much, and costs milliseconds; normal front-end queries pass untouched."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from graphql import get_introspection_query, parse
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine

from api.database import Database
from api.http.app import create_app
from api.settings import Settings
from schema.analysis import analyze, graphql_schema_of
from schema.extensions.outage import classify
from schema.extensions.query_limits import Limits, analysis_of, count_tokens
from schema.root import schema
from tests.api_clients import bearer, close_app, issue_key
from tests.conftest import StatementCounter
from tests.http_support import app_client, post_json
from tests.test_statements import FAN_OUT, FRONT_PAGE

DEFAULTS = Settings(database_url="postgresql://unused/db")
DEPTH_25 = '{ section(slug: "diplomacy") ' + "{ parent " * 23 + "{ id }" + " }" * 23 + " }"
ALIASES_300 = "{ " + " ".join(f"a{i}: __typename" for i in range(300)) + " }"
COST_BOMB = (
    "{ articles(first: 100) { nodes { related(first: 100) { related(first: 100) { id } } } } }"
)
TOKENS_20K = "{ " + "a " * 19_998 + "}"
# Each fragment spreads the one below it twice: 2^20 fields once expanded.
FRAGMENT_BOMB = (
    "query { articles(first: 1) { nodes { ...F0 } } }\n"
    + "\n".join(f"fragment F{i} on Article {{ ...F{i + 1} ...F{i + 1} }}" for i in range(20))
    + "\nfragment F20 on Article { related(first: 2) { id } }"
)

ARTICLE_PAGE = """
query Article($slug: String!, $source: String) {
  article(slug: $slug, source: $source) {
    id headline dek body publishedAt updatedAt readingTimeMinutes byline countries
    image { url caption credit width height }
    section { slug name parent { slug name } }
    source { slug name description url logo { url } }
    authors { slug name bio isOrganization avatar { url } source { name } }
    tags { slug name }
    related(first: 5) { id headline excerpt publishedAt image { url } source { name } }
  }
}
"""
NEWSLETTER_ARCHIVE = """
query Archive($after: String) {
  newsletter(slug: "eastern-briefings") {
    name description
    issues(first: 14, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes { date title intro items { position blurb article { headline url source { name } } } }
    }
  }
}
"""
SEARCH_PAGE = """
query Search($q: String!, $after: String) {
  search(query: $q, first: 20, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges {
      cursor
      node { id headline highlight excerpt publishedAt section { name } source { name } }
    }
  }
}
"""
SECTION_PAGE = """
query Section($slug: String!) {
  section(slug: $slug) {
    name description children { slug name }
    articles(first: 30) { totalCount nodes { headline excerpt byline publishedAt image { url } } }
  }
}
"""


def refusal(response: httpx.Response) -> dict[str, Any]:
    """The single error of a request refused before execution (no `data`)."""
    body = response.json()
    assert "data" not in body, body
    (error,) = body["errors"]
    return dict(error)


async def timed_post(client: httpx.AsyncClient, **kwargs: Any) -> tuple[httpx.Response, float]:
    started = time.perf_counter()
    response = await client.post("/graphql", **kwargs)
    return response, (time.perf_counter() - started) * 1000


@pytest.mark.parametrize(
    ("name", "document", "limit", "maximum", "actual"),
    [
        ("depth 25", DEPTH_25, "depth", 20, 25),
        ("300 aliases", ALIASES_300, "aliases", 50, 300),
        ("cost bomb", COST_BOMB, "cost", 20_000, 1_010_101),
        ("20,000 tokens", TOKENS_20K, "tokens", 5_000, 20_000),
        ("fragment bomb", FRAGMENT_BOMB, "cost", 20_000, 2_097_154),
    ],
)
async def test_crafted_documents_are_refused_before_any_sql(
    client: httpx.AsyncClient,
    statement_counter: StatementCounter,
    name: str,
    document: str,
    limit: str,
    maximum: int,
    actual: int,
) -> None:
    statement_counter.statements.clear()
    response, elapsed_ms = await timed_post(client, json={"query": document})
    assert response.status_code == 200  # a request error under application/json
    error = refusal(response)
    assert error["extensions"] == {
        "code": "QUERY_TOO_COMPLEX",
        "limit": limit,
        "maximum": maximum,
        "actual": actual,
    }
    assert str(maximum) in error["message"]
    assert statement_counter.statements == [], name
    print(f"\n{name}: refused in {elapsed_ms:.1f} ms (in-process, including the test client)")

    modern, _ = await timed_post(
        client,
        json={"query": document},
        headers={"Accept": "application/graphql-response+json"},
    )
    assert modern.status_code == 400
    assert refusal(modern)["extensions"]["limit"] == limit


async def test_a_2mb_body_is_413_before_it_is_parsed(
    client: httpx.AsyncClient, statement_counter: StatementCounter
) -> None:
    body = b'{"query": "{ __typename }", "variables": {"pad": "' + b"x" * 2_000_000 + b'"}}'
    statement_counter.statements.clear()
    response, elapsed_ms = await timed_post(
        client, content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    error = refusal(response)
    assert error["extensions"] == {
        "code": "QUERY_TOO_COMPLEX",
        "limit": "bodyBytes",
        "maximum": 1_048_576,
    }
    assert statement_counter.statements == []
    print(f"\n2 MB body: refused in {elapsed_ms:.1f} ms")


async def test_a_chunked_body_is_cut_off_at_the_limit(client: httpx.AsyncClient) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"query": "{ __typename }", "variables": {"pad": "'
        for _ in range(40):
            yield b"x" * 65_536
        yield b'"}}'

    response = await client.post(
        "/graphql", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413


async def test_a_long_document_is_refused_by_length(client: httpx.AsyncClient) -> None:
    document = '{ article(slug: "' + "x" * 60_000 + '") { id } }'
    error = refusal(await client.post("/graphql", json={"query": document}))
    assert error["extensions"]["limit"] == "length"
    assert error["extensions"]["maximum"] == 50_000


async def test_a_second_operation_cannot_smuggle_a_bomb(client: httpx.AsyncClient) -> None:
    document = f"query Small {{ __typename }} query Big {COST_BOMB}"
    named = refusal(await client.post("/graphql", json={"query": document, "operationName": "Big"}))
    assert named["extensions"]["limit"] == "cost"
    unnamed = await client.post("/graphql", json={"query": document})
    assert unnamed.json() == {"data": {"__typename": "Query"}}


async def test_cost_follows_variables_and_defaults(client: httpx.AsyncClient) -> None:
    document = (
        "query($n: Int = 100) { articles(first: $n) { nodes { related(first: $n) "
        "{ related(first: $n) { id } } } } }"
    )
    refused = refusal(await client.post("/graphql", json={"query": document}))
    assert refused["extensions"]["actual"] == 1_010_101
    small = await client.post("/graphql", json={"query": document, "variables": {"n": 3}})
    assert "errors" not in small.json()


@pytest.mark.parametrize(
    ("document", "variables"),
    [
        (FRONT_PAGE, {"first": 50}),
        (ARTICLE_PAGE, {"slug": "us-ramps-up-pressure-on-n-korea"}),
        (NEWSLETTER_ARCHIVE, {}),
        (SEARCH_PAGE, {"q": "Korea"}),
        (SECTION_PAGE, {"slug": "diplomacy"}),
        (FAN_OUT, {}),
        (get_introspection_query(descriptions=True, input_value_deprecation=True), {}),
    ],
)
async def test_front_end_queries_are_unaffected(
    client: httpx.AsyncClient, document: str, variables: dict[str, Any]
) -> None:
    analysis = analyze(graphql_schema_of(schema), parse(document), None, variables)
    assert analysis is not None
    limits = Limits.from_settings(DEFAULTS)
    # Comfortably inside every limit, not just under it.
    assert analysis.cost <= limits.max_cost / 2, analysis
    assert analysis.depth <= limits.max_depth - 5
    assert analysis.aliases <= limits.max_aliases
    assert count_tokens(document) <= limits.max_tokens / 4
    response = await post_json(client, {"query": document, "variables": variables})
    codes = [e["extensions"]["code"] for e in response.json().get("errors", [])]
    assert "QUERY_TOO_COMPLEX" not in codes
    assert response.json().get("data"), response.json()


def test_cost_estimates() -> None:
    def cost(document: str, **variables: Any) -> int:
        analysis = analyze(graphql_schema_of(schema), parse(document), None, variables)
        assert analysis is not None
        return analysis.cost

    # One connection object, 20 nodes by default, each with one section.
    assert cost("{ articles { nodes { id section { name } } } }") == 1 + 20 * 2
    # related(first:) defaults to 5; edges are free wrappers; totalCount is a statement.
    assert cost("{ articles(first: 2) { totalCount edges { node { related { id } } } } }") == (
        1 + 1 + 2 * (1 + 5 * 1)
    )
    assert cost("query($f: Int) { articles(first: $f) { nodes { id } } }", f=7) == 1 + 7
    assert cost('{ nodes(ids: ["a", "b", "c"]) { id } }') == 3
    # Sizes beyond the page maximum are refused by the resolvers, not priced.
    assert cost("{ articles(first: 5000) { nodes { id } } }") == 1 + 100


async def test_limits_are_configurable(settings: Settings, database: Database) -> None:
    async with app_client(
        settings,
        database,
        broadsheet_max_depth=3,
        broadsheet_max_aliases=1,
        broadsheet_max_cost=50,
        broadsheet_max_tokens=100,
    ) as (client, _):
        deep = refusal(await client.post("/graphql", json={"query": "{ a { b { c { d } } } }"}))
        assert deep["extensions"] == {
            "code": "QUERY_TOO_COMPLEX",
            "limit": "depth",
            "maximum": 3,
            "actual": 4,
        }
        aliased = refusal(
            await client.post("/graphql", json={"query": "{ a: __typename b: __typename }"})
        )
        assert aliased["extensions"]["limit"] == "aliases"
        costly = refusal(
            await client.post(
                "/graphql", json={"query": "{ articles(first: 50) { nodes { id } } }"}
            )
        )
        assert costly["extensions"]["actual"] == 51
        tokens = refusal(await client.post("/graphql", json={"query": "{ " + "a " * 200 + "}"}))
        assert tokens["extensions"]["limit"] == "tokens"
        assert tokens["extensions"]["actual"] == 202
        ok = await client.post(
            "/graphql", json={"query": "{ articles(first: 5) { nodes { id } } }"}
        )
        assert "errors" not in ok.json()


async def test_cost_budget_per_caller_and_window(settings: Settings, database: Database) -> None:
    async with app_client(
        settings,
        database,
        broadsheet_max_cost=1_000,
        broadsheet_cost_budget_anonymous=1_000,
    ) as (client, _):
        page = "{ articles(first: 100) { nodes { id section { name } } } }"  # cost 201
        for _ in range(4):
            assert "errors" not in (await client.post("/graphql", json={"query": page})).json()
        costlier = "{ articles(first: 100) { nodes { id section { name } source { name } } } }"
        response = await client.post("/graphql", json={"query": costlier})
        assert response.status_code == 429
        error = refusal(response)
        assert error["extensions"]["code"] == "RATE_LIMITED"
        assert error["extensions"]["limit"] == "costBudget"
        assert error["extensions"]["maximum"] == 1_000
        assert error["extensions"]["actual"] == 301
        assert int(response.headers["retry-after"]) >= 1
        # A cheap query still fits in what is left.
        cheap = await client.post(
            "/graphql", json={"query": "{ articles(first: 1) { nodes { id } } }"}
        )
        assert "errors" not in cheap.json()


async def test_each_key_has_its_own_cost_budget(
    settings: Settings, database: Database, db_session: AsyncSession
) -> None:
    partner = await issue_key(db_session, "content:read")
    other = await issue_key(db_session, "content:read")
    page = "{ articles(first: 100) { nodes { id section { name } } } }"  # cost 201
    async with app_client(
        settings, database, broadsheet_max_cost=1_000, broadsheet_cost_budget_key=1_000
    ) as (client, _):
        for _ in range(4):
            response = await client.post("/graphql", json={"query": page}, headers=bearer(partner))
            assert "errors" not in response.json()
        # Costlier than what is left by far, so the budget cannot refill before it is asked.
        bigger = "{ articles(first: 100) { nodes { id section { name } source { name } authors { name } } } }"
        spent = await client.post("/graphql", json={"query": bigger}, headers=bearer(partner))
        assert spent.status_code == 429
        assert refusal(spent)["extensions"]["limit"] == "costBudget"
        # Another key, and anonymous callers, draw on budgets of their own.
        fresh = await client.post("/graphql", json={"query": page}, headers=bearer(other))
        assert "errors" not in fresh.json()
        anonymous = await client.post("/graphql", json={"query": page})
        assert "errors" not in anonymous.json()


def test_settings_refuse_a_budget_below_one_query() -> None:
    with pytest.raises(ValueError, match="BROADSHEET_COST_BUDGET_ANONYMOUS"):
        Settings(broadsheet_max_cost=10_000, broadsheet_cost_budget_anonymous=5_000)


def test_defaults() -> None:
    assert DEFAULTS.broadsheet_max_body_bytes == 1_048_576
    assert Limits.from_settings(DEFAULTS) == Limits(
        max_length=DEFAULTS.broadsheet_max_query_length,
        max_tokens=DEFAULTS.broadsheet_max_tokens,
        max_depth=DEFAULTS.broadsheet_max_depth,
        max_aliases=DEFAULTS.broadsheet_max_aliases,
        max_cost=DEFAULTS.broadsheet_max_cost,
        introspection=DEFAULTS.broadsheet_introspection,
    )


# Statement timeout -----------------------------------------------------------------------------


@pytest.fixture
async def timeout_engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(
        database_url, connect_args={"server_settings": {"statement_timeout": "100"}}
    )
    yield engine
    await engine.dispose()


async def test_a_cancelled_statement_is_classified_as_a_timeout(
    timeout_engine: AsyncEngine,
) -> None:
    with pytest.raises(Exception) as raised:  # noqa: PT011 - whatever the driver raises
        async with timeout_engine.connect() as connection:
            await connection.execute(text("SELECT pg_sleep(2)"))
    error = classify(raised.value)
    assert error is not None
    assert error.extensions == {"code": "QUERY_TOO_COMPLEX", "limit": "timeout"}


async def test_a_request_whose_statement_times_out_gets_a_clean_error(
    settings: Settings, database_url: str, engine: AsyncEngine
) -> None:
    """A statement stuck behind a lock past DB_STATEMENT_TIMEOUT_MS is cancelled by PostgreSQL;
    the client gets QUERY_TOO_COMPLEX "timeout", not INTERNAL, and no internals."""
    timeout_settings = Settings(**{**settings.model_dump(), "db_statement_timeout_ms": 200})
    database = Database.connect(database_url, timeout_settings)
    app = create_app(timeout_settings, database=database)
    try:
        async with engine.connect() as locker:
            await locker.begin()
            await locker.execute(text("LOCK TABLE articles IN ACCESS EXCLUSIVE MODE"))
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                started = time.perf_counter()
                response = await client.post(
                    "/graphql", json={"query": "{ articles(first: 3) { nodes { headline } } }"}
                )
                elapsed = time.perf_counter() - started
            await locker.rollback()
    finally:
        await close_app(app)
        await database.dispose()
    body = response.json()
    assert body["data"] is None
    (error,) = body["errors"]
    assert error["extensions"] == {"code": "QUERY_TOO_COMPLEX", "limit": "timeout"}
    assert error["path"] == ["articles"]
    for leak in ("asyncpg", "sqlalchemy", "SELECT", "Traceback", "canceling statement"):
        assert leak not in response.text
    assert response.headers["cache-control"] == "private, no-store"
    assert 0.2 <= elapsed < 3


def test_analyses_are_remembered_per_document_operation_and_variables() -> None:
    graphql_schema = graphql_schema_of(schema)
    document = parse(FRONT_PAGE)

    def measured(variables: dict[str, Any] | None) -> Any:
        return analysis_of(graphql_schema, document, None, variables)

    assert measured({"first": 5}) is measured({"first": 5})  # remembered
    assert measured({"first": 50}).cost > measured({"first": 5}).cost  # variables are the key
    assert measured({"first": 5}) == analyze(graphql_schema, document, None, {"first": 5})
    # Variables too large to keep as a key are measured afresh, with the same result.
    large = {"first": 5, "padding": "x" * 2000}
    assert measured(large) is not measured(large)
    assert measured(large) == analyze(graphql_schema, document, None, large)
