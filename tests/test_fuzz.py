"""Property: whatever a stranger sends to /graphql, the answer is never a 5xx, never an
unexpected (INTERNAL) error, and never shows internals (tracebacks, SQL, driver names).

Documents are generated from the schema itself (random selections over its types, with random
aliases, fragments and arguments, valid and not), then some are damaged, and some are plain
garbage; they go out as POST or GET with random variables and operation names.
"""

from __future__ import annotations

import json
import string
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLUnionType,
    get_named_type,
)
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from api.database import Database
from api.settings import Settings
from schema.analysis import graphql_schema_of
from schema.relay import to_global_id
from schema.root import schema
from tests.http_support import app_client

GRAPHQL = graphql_schema_of(schema)
NODE_TYPES = ("Article", "Section", "Source", "Author", "Tag", "Newsletter", "NewsletterIssue")
IDS = [to_global_id(name, pk) for name in NODE_TYPES for pk in (1, 2, 3, 999_999)]
LEAKS = (
    "Traceback",
    'File "',
    "asyncpg",
    "sqlalchemy",
    "psycopg",
    "SELECT ",
    "INSERT ",
    "UPDATE ",
    " FROM ",
    "site-packages",
)
NAME = st.text(string.ascii_letters, min_size=1, max_size=6)


def string_literal(value: str) -> str:
    return json.dumps(value)


def input_value(type_: GraphQLInputType, depth: int = 0) -> st.SearchStrategy[str]:
    """A GraphQL literal for `type_`: usually well-typed, sometimes not."""
    if isinstance(type_, GraphQLNonNull):
        return input_value(type_.of_type, depth)
    if isinstance(type_, GraphQLList):
        return st.lists(input_value(type_.of_type, depth + 1), max_size=3).map(
            lambda items: "[" + ", ".join(items) + "]"
        )
    wrong = st.sampled_from(["null", "true", "-1", '"x"', "{}", "[]", "1.5"])
    if isinstance(type_, GraphQLEnumType):
        return st.one_of(st.sampled_from(list(type_.values)), NAME, wrong)
    if isinstance(type_, GraphQLInputObjectType):
        if depth > 2:
            return st.just("{}")
        fields = list(type_.fields.items())
        return st.lists(st.sampled_from(fields), max_size=4, unique_by=lambda f: f[0]).flatmap(
            lambda chosen: st.tuples(
                *[input_value(f.type, depth + 1).map(lambda v, n=n: f"{n}: {v}") for n, f in chosen]
            ).map(lambda parts: "{" + ", ".join(parts) + "}")
        )
    assert isinstance(type_, GraphQLScalarType)
    by_scalar: dict[str, st.SearchStrategy[str]] = {
        "Int": st.one_of(
            st.integers(-5, 120), st.integers(-(2**40), 2**40), st.sampled_from(["0", "100"])
        ).map(str),
        "Float": st.floats(allow_nan=False, allow_infinity=False).map(repr),
        "Boolean": st.sampled_from(["true", "false"]),
        "ID": st.one_of(st.sampled_from(IDS), st.text(max_size=12)).map(
            lambda v: string_literal(v) if not v.startswith('"') else v
        ),
        "String": st.one_of(
            st.sampled_from(["korea", "the-korea-herald", "diplomacy", "eastern-briefings"]),
            st.text(max_size=30),
        ).map(string_literal),
        "DateTime": st.sampled_from(
            ['"2018-09-20T00:00:00Z"', '"2018-09-20T00:00:00"', '"yesterday"', '"9999-99-99"']
        ),
        "Date": st.sampled_from(['"2018-09-20"', '"2018-02-30"', '"today"']),
    }
    return st.one_of(by_scalar.get(type_.name, st.text(max_size=10).map(string_literal)), wrong)


def arguments(args: dict[str, GraphQLArgument]) -> st.SearchStrategy[str]:
    items = list(args.items())
    if not items:
        return st.just("")

    def one(name: str, argument: GraphQLArgument) -> st.SearchStrategy[str]:
        required = isinstance(argument.type, GraphQLNonNull)
        present = st.just(True) if required else st.booleans()
        return st.tuples(present, st.booleans(), input_value(argument.type)).map(
            # Now and then a required argument is left out, to reach validation.
            lambda t, n=name, r=required: f"{n}: {t[2]}" if t[0] or (r and t[1]) else ""
        )

    return st.tuples(*[one(n, a) for n, a in items]).map(
        lambda parts: "(" + ", ".join(p for p in parts if p) + ")" if any(parts) else ""
    )


def selection_set(type_: GraphQLNamedType, depth: int) -> st.SearchStrategy[str]:
    if isinstance(type_, GraphQLUnionType):
        return st.just("{ __typename }")
    assert isinstance(type_, (GraphQLObjectType, GraphQLInterfaceType))
    fields = list(type_.fields.items())
    choices = st.lists(st.sampled_from(fields), min_size=1, max_size=4, unique_by=lambda f: f[0])
    parts = choices.flatmap(lambda chosen: st.tuples(*[field(n, f, depth) for n, f in chosen]))
    extras: list[st.SearchStrategy[str]] = [st.just(""), st.just("__typename")]
    if isinstance(type_, GraphQLInterfaceType) and depth > 0:
        possible = GRAPHQL.get_possible_types(type_)
        extras.append(
            st.sampled_from(possible).flatmap(
                lambda t: selection_set(t, depth - 1).map(lambda s, t=t: f"... on {t.name} {s}")
            )
        )
    return st.tuples(parts, st.one_of(*extras)).map(lambda t: "{ " + " ".join([*t[0], t[1]]) + " }")


def field(name: str, definition: GraphQLField, depth: int) -> st.SearchStrategy[str]:
    named = get_named_type(definition.type)
    alias = st.one_of(st.just(""), NAME.map(lambda a: f"{a}: "))
    if isinstance(named, (GraphQLObjectType, GraphQLInterfaceType, GraphQLUnionType)):
        sub = selection_set(named, depth - 1) if depth > 0 else st.just("{ __typename }")
    else:
        sub = st.just("")
    return st.tuples(alias, arguments(definition.args), sub).map(
        lambda t: f"{t[0]}{name}{t[1]} {t[2]}"
    )


def operation() -> st.SearchStrategy[str]:
    roots: list[tuple[str, GraphQLObjectType]] = [("query", GRAPHQL.query_type)]  # type: ignore[list-item]
    if GRAPHQL.mutation_type is not None:
        roots.append(("mutation", GRAPHQL.mutation_type))
    return st.sampled_from(roots).flatmap(
        lambda root: st.integers(1, 4).flatmap(
            lambda depth: selection_set(root[1], depth).map(lambda s: f"{root[0]} {s}")
        )
    )


def damaged(document: str) -> st.SearchStrategy[str]:
    if not document:
        return st.just(document)
    return st.tuples(st.integers(0, len(document) - 1), st.text(max_size=3)).map(
        lambda t: document[: t[0]] + t[1] + document[t[0] + 1 :]
    )


DOCUMENTS = st.one_of(
    operation(),
    operation().flatmap(damaged),
    st.text(max_size=200),
    st.text(alphabet="{}()[]:$@!.,#\"' \nqueryfragmentonmutation", max_size=120),
)
VARIABLES = st.one_of(
    st.none(),
    st.dictionaries(NAME, st.one_of(st.integers(), st.text(max_size=10), st.none()), max_size=3),
)


@pytest.fixture
async def fuzz_client(settings: Settings, database: Database) -> AsyncIterator[httpx.AsyncClient]:
    # Limits on requests and cost per minute would only shrink what the fuzzer reaches.
    async with app_client(
        settings,
        database,
        broadsheet_rate_limit_anonymous=1_000_000,
        broadsheet_cost_budget_anonymous=1_000_000_000,
    ) as (client, _):
        yield client


def check(response: httpx.Response) -> None:
    assert response.status_code < 500, response.text
    if not response.content:
        return
    body: Any = response.json()
    errors = json.dumps(body.get("errors", [])) if isinstance(body, dict) else response.text
    for leak in LEAKS:
        assert leak not in errors, (leak, errors)
    if isinstance(body, dict):
        for error in body.get("errors") or []:
            assert error["extensions"]["code"] != "INTERNAL", error


@hypothesis_settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    document=DOCUMENTS,
    variables=VARIABLES,
    operation_name=st.one_of(st.none(), NAME),
    method=st.sampled_from(["POST", "GET"]),
)
async def test_no_input_breaks_the_server(
    fuzz_client: httpx.AsyncClient,
    document: str,
    variables: dict[str, Any] | None,
    operation_name: str | None,
    method: str,
) -> None:
    body: dict[str, Any] = {"query": document}
    if variables is not None:
        body["variables"] = variables
    if operation_name is not None:
        body["operationName"] = operation_name
    if method == "POST":
        response = await fuzz_client.post("/graphql", json=body)
    else:
        params = {k: v if isinstance(v, str) else json.dumps(v) for k, v in body.items()}
        response = await fuzz_client.get("/graphql", params=params)
    check(response)


@hypothesis_settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(raw=st.one_of(st.binary(max_size=300), st.text(max_size=300).map(str.encode)))
async def test_no_request_body_breaks_the_server(
    fuzz_client: httpx.AsyncClient, raw: bytes
) -> None:
    response = await fuzz_client.post(
        "/graphql", content=raw, headers={"Content-Type": "application/json"}
    )
    check(response)


# Found by the fuzzer: a bad argument under a non-null list nulls the whole query, graphql-core
# cancels the sibling resolvers, and cancelling asyncpg mid-statement used to invalidate the
# request's connection (INTERNAL errors for the rest of the request; a reconnect per request).
CANCELS_SIBLINGS = """{
  sections { name articles(first: -1) { __typename } }
  a: newsletter(slug: "eastern-briefings") {
    issues(first: 20) { nodes { items { article { headline related { id } } } } }
  }
  b: articles(first: 50) { nodes { related(first: 5) { id section { name } } } }
  tag(slug: "korea") { name }
}"""


async def test_cancelled_siblings_leave_the_connection_usable(client: httpx.AsyncClient) -> None:
    for _ in range(3):
        response = await client.post("/graphql", json={"query": CANCELS_SIBLINGS})
        check(response)
        (error,) = response.json()["errors"]
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
    after = await client.post("/graphql", json={"query": "{ articles(first: 2) { nodes { id } } }"})
    assert len(after.json()["data"]["articles"]["nodes"]) == 2
