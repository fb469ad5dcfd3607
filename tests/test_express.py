"""The express path (schema/planned/express.py): a document answered before skips Strawberry's
pipeline, and says nothing the pipeline would not have said. Whatever it does not answer
plainly (a refusal, variables that do not coerce, a plan that gives up) the pipeline answers,
and the caller's cost budget is charged once per request either way."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from graphql import parse

from api.database import Database
from api.settings import Settings
from bench.scenarios import SECTION
from schema.analysis import graphql_schema_of
from schema.extensions.query_limits import analysis_of
from schema.planned.executor import outcomes
from schema.root import schema
from tests.api_clients import app_client

UNLIMITED = {
    "broadsheet_rate_limit_anonymous": 1_000_000,
    "broadsheet_cost_budget_anonymous": 1_000_000_000,
}
PAGE = {"slug": "diplomacy", "after": None}


def cost_of(query: str, variables: dict[str, Any]) -> int:
    analysis = analysis_of(graphql_schema_of(schema), parse(query), None, variables)
    assert analysis is not None
    return analysis.cost


@pytest.fixture
async def generic(settings: Settings, database: Database) -> AsyncIterator[httpx.AsyncClient]:
    """An app that answers everything through graphql-core, for what a client should get."""
    async with app_client(settings, database, broadsheet_planned_execution=False, **UNLIMITED) as (
        client,
        _,
    ):
        yield client


async def post(client: httpx.AsyncClient, query: str, variables: dict[str, Any]) -> httpx.Response:
    return await client.post("/graphql", json={"query": query, "variables": variables})


async def test_a_document_answered_before_takes_the_express_path(
    settings: Settings, database: Database, generic: httpx.AsyncClient
) -> None:
    expected = await post(generic, SECTION, PAGE)
    async with app_client(settings, database, **UNLIMITED) as (client, _):
        before = outcomes.copy()
        first = await post(client, SECTION, PAGE)
        assert outcomes["express"] == before["express"]  # the pipeline, the first time
        second = await post(client, SECTION, PAGE)
        assert outcomes["express"] == before["express"] + 1
    assert first.content == second.content == expected.content
    assert b'"errors"' not in second.content


@pytest.mark.parametrize(
    ("variables", "code"),
    [
        ({"slug": 7, "after": None}, "BAD_USER_INPUT"),  # does not coerce to String
        ({"slug": "diplomacy", "after": "not a cursor"}, "BAD_USER_INPUT"),  # the plan gives up
    ],
)
async def test_what_the_express_path_does_not_answer_the_pipeline_does(
    settings: Settings,
    database: Database,
    generic: httpx.AsyncClient,
    variables: dict[str, Any],
    code: str,
) -> None:
    expected = await post(generic, SECTION, variables)
    async with app_client(settings, database, **UNLIMITED) as (client, _):
        assert b'"errors"' not in (await post(client, SECTION, PAGE)).content
        before = outcomes.copy()
        answer = await post(client, SECTION, variables)
        assert outcomes["express"] == before["express"]
    assert answer.status_code == expected.status_code
    assert answer.content == expected.content
    assert answer.json()["errors"][0]["extensions"]["code"] == code


async def test_a_refusal_is_the_pipelines(
    settings: Settings, database: Database, generic: httpx.AsyncClient
) -> None:
    query = "query($n: Int) { articles(first: $n) { nodes { id section { name } } } }"
    async with app_client(settings, database, broadsheet_max_cost=100, **UNLIMITED) as (
        client,
        _,
    ):
        assert b'"errors"' not in (await post(client, query, {"n": 2})).content
        refused = await post(client, query, {"n": 90})
    assert refused.json()["errors"][0]["extensions"]["limit"] == "cost"
    async with app_client(settings, database, broadsheet_max_cost=100, **UNLIMITED) as (
        fresh,
        _,
    ):
        assert refused.content == (await post(fresh, query, {"n": 90})).content


async def test_a_handed_over_request_is_charged_once(
    settings: Settings, database: Database
) -> None:
    cost = cost_of(SECTION, PAGE)
    # Room for two charges of the page, not three.
    async with app_client(
        settings,
        database,
        broadsheet_max_cost=cost,
        broadsheet_cost_budget_anonymous=2 * cost + cost // 2,
        broadsheet_rate_limit_anonymous=1_000,
    ) as (client, _):
        assert b'"errors"' not in (await post(client, SECTION, PAGE)).content
        before = outcomes.copy()
        # The express path charges, its plan gives up on the cursor, the pipeline answers.
        bad = await post(client, SECTION, {"slug": "diplomacy", "after": "not a cursor"})
        assert outcomes["handed over"] == before["handed over"] + 1
        assert bad.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        # Two charges are spent: a third page does not fit.
        spent = await post(client, SECTION, PAGE)
        assert spent.status_code == 429
        assert spent.json()["errors"][0]["extensions"]["limit"] == "costBudget"
