"""Property: hostile values in any argument or input field never crash a request.

Every argument of every field a client can reach, and every field of every input object, is
found by walking the schema (not listed by hand, so a field added later is covered without
anyone remembering to). Each gets values from the classes of input that have crashed requests
before: NUL characters and unpaired surrogates, very long strings, integers at and past every
range, global ids naming keys past PostgreSQL's range, date-times whose UTC form leaves years
1-9999, deeply nested JSON and huge lists. Whatever arrives, the answer is never a 5xx (except a
503 that says when to retry), never INTERNAL, and a mutation that is refused changes nothing.
"""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    get_named_type,
)
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncSession

from api.database import Database
from api.settings import Settings
from schema.analysis import graphql_schema_of
from schema.relay import to_global_id
from schema.root import schema
from tests.api_clients import app_client, bearer, fingerprint, issue_key

GRAPHQL = graphql_schema_of(schema)


def raw_id(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).rstrip(b"=").decode()


STRINGS = st.one_of(
    st.sampled_from(["korea", "diplomacy", "the-korea-herald", "eastern-briefings", "Korea"]),
    st.sampled_from(["diplo\x00macy", "\x00", "a\x00b", "\u202e\u200b", "🙂", "x" * 20_000]),
    st.text(max_size=40),
)
IDS = st.one_of(
    st.sampled_from([to_global_id(t, 1) for t in ("Article", "Section", "Tag", "ApiKey")]),
    st.sampled_from(
        [
            raw_id("Article:9223372036854775808"),
            raw_id("Article:99999999999999999999999"),
            raw_id("NewsletterIssue:-1"),
            raw_id("Article:0"),
            raw_id("Article:1e400"),
            raw_id("Nope:1"),
            "",
            "\x00",
            "Article:1",
        ]
    ),
)
INTS = st.sampled_from([0, -1, 1, 100, 101, 2**31 - 1, -(2**31), 2**31, 2**53, 2**63, -(2**63)])
DATETIMES = st.sampled_from(
    [
        "0001-01-01T00:00:00+14:00",
        "9999-12-31T23:59:59-14:00",
        "0001-01-01T00:00:00Z",
        "9999-12-31T23:59:59Z",
        "2018-09-20T00:00:00",
        "2018-09-20T00:00:00Z",
        "not a date",
        "10000-01-01T00:00:00Z",
    ]
)
DATES = st.sampled_from(["0001-01-01", "9999-12-31", "2018-09-26", "2018-02-30", "0000-00-00"])
SCALARS: dict[str, st.SearchStrategy[Any]] = {
    "String": STRINGS,
    "ID": IDS,
    "Int": INTS,
    "Float": st.sampled_from([0.0, -1.5, 1e308]),
    "Boolean": st.booleans(),
    "DateTime": DATETIMES,
    "Date": DATES,
}


def deep(levels: int) -> Any:
    value: Any = "x"
    for _ in range(levels):
        value = [value]
    return value


def value_for(type_: GraphQLInputType, depth: int = 0) -> st.SearchStrategy[Any]:
    """A hostile (or ordinary) JSON value for an input of `type_`."""
    if isinstance(type_, GraphQLNonNull):
        return value_for(type_.of_type, depth)
    if isinstance(type_, GraphQLList):
        item = value_for(type_.of_type, depth + 1)
        return st.one_of(
            st.lists(item, max_size=3),
            item.map(lambda v: [v] * 5_000),  # a huge list
            st.just(deep(300)),  # JSON nested far past any legitimate input
        )
    if isinstance(type_, GraphQLEnumType):
        return st.sampled_from(list(type_.values))
    if isinstance(type_, GraphQLInputObjectType):
        if depth > 3:
            return st.just({})
        fields = type_.fields
        required = [n for n, f in fields.items() if isinstance(f.type, GraphQLNonNull)]
        optional = [n for n in fields if n not in required]
        return st.lists(st.sampled_from(optional), unique=True).flatmap(
            lambda chosen: st.fixed_dictionaries(
                {n: value_for(fields[n].type, depth + 1) for n in [*required, *chosen]}
            )
        )
    assert isinstance(type_, GraphQLScalarType)
    return SCALARS[type_.name]


@dataclass(frozen=True)
class Target:
    """A field that takes arguments, and the document that reaches it."""

    operation: str  # "query" or "mutation"
    path: tuple[str, ...]  # fields leading to it from the root, without arguments
    name: str
    arguments: dict[str, GraphQLArgument]
    selection: str  # what to select on its result

    def document(self) -> str:
        declared = ", ".join(f"${n}: {a.type}" for n, a in self.arguments.items())
        passed = ", ".join(f"{n}: ${n}" for n in self.arguments)
        inner = f"{self.name}({passed}) {self.selection}"
        for step in reversed(self.path):
            inner = f"{step} {{ {inner} }}"
        return f"{self.operation} Hostile({declared}) {{ {inner} }}"


def selection_for(type_: Any) -> str:
    named = get_named_type(type_)
    if isinstance(named, GraphQLObjectType):
        fields = named.fields
        if "userErrors" in fields:
            return "{ __typename userErrors { code } }"
        return "{ __typename }"
    if isinstance(named, GraphQLInterfaceType):
        return "{ __typename }"
    return ""


def targets(graphql: GraphQLSchema) -> list[Target]:
    """Every field with arguments, each reached by the shortest argument-free path."""
    found: list[Target] = []
    roots = [("query", graphql.query_type), ("mutation", graphql.mutation_type)]
    for operation, root in roots:
        assert root is not None
        seen: set[str] = set()
        pending: list[tuple[GraphQLObjectType, tuple[str, ...]]] = [(root, ())]
        while pending:
            type_, path = pending.pop(0)
            if type_.name in seen:
                continue
            seen.add(type_.name)
            for name, definition in type_.fields.items():
                if definition.args:
                    selection = selection_for(definition.type)
                    found.append(Target(operation, path, name, definition.args, selection))
                named = get_named_type(definition.type)
                required_args = any(
                    isinstance(a.type, GraphQLNonNull) for a in definition.args.values()
                )
                if (
                    operation == "query"
                    and isinstance(named, GraphQLObjectType)
                    and not required_args
                ):
                    pending.append((named, (*path, name)))
    return found


TARGETS = targets(GRAPHQL)
CALLS = st.sampled_from(TARGETS).flatmap(
    lambda target: st.tuples(
        st.just(target),
        st.fixed_dictionaries({n: value_for(a.type) for n, a in target.arguments.items()}),
    )
)


def test_every_argument_is_a_target() -> None:
    """The walk reaches every argument a client can send (nested fields and mutations too)."""
    names = {(t.operation, t.name) for t in TARGETS}
    assert ("query", "related") in names
    assert ("query", "articles") in names
    assert ("mutation", "createArticle") in names
    mutation = GRAPHQL.mutation_type
    assert mutation is not None
    assert {n for n, f in mutation.fields.items() if f.args} <= {t.name for t in TARGETS}


@pytest.fixture
async def hostile_client(
    settings: Settings, database: Database
) -> AsyncIterator[httpx.AsyncClient]:
    # Limits per minute would only shrink what reaches the resolvers.
    async with app_client(
        settings,
        database,
        broadsheet_rate_limit_anonymous=1_000_000,
        broadsheet_rate_limit_key=1_000_000,
        broadsheet_rate_limit_signup=1_000_000,
        broadsheet_cost_budget_anonymous=1_000_000_000,
        broadsheet_cost_budget_key=1_000_000_000,
    ) as (client, _):
        yield client


def assert_clean(response: httpx.Response) -> dict[str, Any] | None:
    status = response.status_code
    assert status < 500 or (status == 503 and "retry-after" in response.headers), response.text
    body = response.json()
    for error in body.get("errors") or []:
        assert error["extensions"]["code"] != "INTERNAL", error
    return body.get("data")


def refused(data: dict[str, Any] | None, name: str, body: dict[str, Any]) -> bool:
    payload = (data or {}).get(name)
    return bool(body.get("errors")) or payload is None or bool(payload.get("userErrors"))


@hypothesis_settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(call=CALLS)
async def test_hostile_values_never_crash_a_request_or_change_anything(
    hostile_client: httpx.AsyncClient, db_session: AsyncSession, call: tuple[Target, Any]
) -> None:
    target, variables = call
    key = None
    if target.operation == "mutation":
        key = await issue_key(db_session, "admin")
        before = await fingerprint(db_session)
    response = await hostile_client.post(
        "/graphql",
        content=json.dumps({"query": target.document(), "variables": variables}),
        headers={"Content-Type": "application/json", **bearer(key)},
    )
    data = assert_clean(response)
    if target.operation == "mutation" and refused(data, target.name, response.json()):
        assert await fingerprint(db_session) == before, (target.name, variables)
