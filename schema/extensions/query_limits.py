"""Query limits: refuse an abusive document after parsing and before validation or any SQL.

Checked in order of cost: the document's length and its tokens before the parser reads it
(one regular expression, C speed), then, from the analysis (schema/analysis.py), depth,
aliases, estimated cost and introspection, and finally the caller's cost budget per minute
(api/access/policy.py). A refusal is a request error: no `data`, one `QUERY_TOO_COMPLEX` (or
`RATE_LIMITED`) error naming the limit, the maximum and the actual value.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import AsyncIterator, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import orjson
from graphql import DocumentNode, GraphQLError, GraphQLSchema, GraphQLSyntaxError
from strawberry.extensions import SchemaExtension

from api.errors import QueryTooComplex, RateLimited
from api.settings import Settings
from schema.analysis import QueryAnalysis, analyze, graphql_schema_of


@dataclass(frozen=True)
class Limits:
    """The limits a document must stay within (defaults: api/settings.py)."""

    max_length: int
    max_tokens: int
    max_depth: int
    max_aliases: int
    max_cost: int
    introspection: bool

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(
            max_length=settings.broadsheet_max_query_length,
            max_tokens=settings.broadsheet_max_tokens,
            max_depth=settings.broadsheet_max_depth,
            max_aliases=settings.broadsheet_max_aliases,
            max_cost=settings.broadsheet_max_cost,
            introspection=settings.broadsheet_introspection,
        )


def refusals(analysis: QueryAnalysis, limits: Limits) -> Iterable[QueryTooComplex]:
    """The limits `analysis` exceeds, as client errors (first the cheapest to understand)."""
    checks = (
        ("depth", analysis.depth, limits.max_depth, "is nested {actual} levels deep"),
        ("aliases", analysis.aliases, limits.max_aliases, "uses {actual} aliases"),
        ("cost", analysis.cost, limits.max_cost, "has an estimated cost of {actual}"),
    )
    for limit, actual, maximum, what in checks:
        if actual > maximum:
            yield QueryTooComplex(
                f"The query {what.format(actual=actual)}; the maximum is {maximum}."
                + (" Ask for fewer items per list." if limit == "cost" else ""),
                limit=limit,
                maximum=maximum,
                actual=actual,
            )


# Approximates the lexer (names, numbers, strings, punctuators, comments) in one C-speed pass,
# to tell a refused client how many tokens it sent without lexing them all in Python.
_TOKEN = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|"(?:[^"\\\n]|\\.)*"|#[^\n\r]*|\.\.\.|'
    r"[_A-Za-z][_0-9A-Za-z]*|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|[!$&()\[\]{}:=@|]"
)
_TOO_MANY_TOKENS = re.compile(r"Document contains more than (\d+) tokens")


@lru_cache(maxsize=512)
def count_tokens(source: str) -> int:
    """Lexical tokens in `source`, comments included (as graphql-core's `max_tokens` counts)."""
    return sum(1 for _ in _TOKEN.finditer(source))


def too_many_tokens(query: str, maximum: int) -> QueryTooComplex:
    actual = max(count_tokens(query), maximum + 1)
    return QueryTooComplex(
        f"The query has {actual} tokens; the maximum is {maximum}.",
        limit="tokens",
        maximum=maximum,
        actual=actual,
    )


def too_long(length: int, maximum: int) -> QueryTooComplex:
    return QueryTooComplex(
        f"The query is {length} characters long; the maximum is {maximum}.",
        limit="length",
        maximum=maximum,
        actual=length,
    )


_ANALYSES_KEPT = 512
_VARIABLES_KEPT = 1024  # bytes of JSON: larger variables (mutation inputs) are measured afresh
_analyses: OrderedDict[tuple[GraphQLSchema, str, str | None, bytes], QueryAnalysis | None] = (
    OrderedDict()
)


def analysis_of(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None = None,
    variables: Mapping[str, Any] | None = None,
) -> QueryAnalysis | None:
    """`analyze`, remembered for a document text, operation and variables seen before: a
    front end sends the same few documents again and again, and the measure depends on nothing
    else."""
    if document.loc is None:
        return analyze(schema, document, operation_name, variables)
    try:
        encoded = orjson.dumps(variables, option=orjson.OPT_SORT_KEYS) if variables else b""
    except TypeError:  # not JSON (a caller in Python): measured afresh
        return analyze(schema, document, operation_name, variables)
    if len(encoded) > _VARIABLES_KEPT:
        return analyze(schema, document, operation_name, variables)
    key = (schema, document.loc.source.body, operation_name, encoded)
    if key in _analyses:
        _analyses.move_to_end(key)
        return _analyses[key]
    analysis: QueryAnalysis | None = analyze(schema, document, operation_name, variables)
    _analyses[key] = analysis
    while len(_analyses) > _ANALYSES_KEPT:
        _analyses.popitem(last=False)
    return analysis


class QueryLimits(SchemaExtension):
    """Applies `Limits` (from the request's context) between parsing and validation.

    Must come before ValidationCache in the schema's extensions: it refuses by raising from
    `on_validate`, so the (quadratic for aliases) validation rules never see an abusive
    document. A refusal is a request error: no `data`, one `QUERY_TOO_COMPLEX` error.
    """

    def on_operation(self) -> Any:
        execution_context = self.execution_context
        limits: Limits = execution_context.context.limits
        query = execution_context.query or ""
        if len(query) > limits.max_length:
            raise too_long(len(query), limits.max_length)
        # Counted with one regular expression (C speed) before the parser (Python speed, ~15 µs
        # a token) reads a single one; the parser's own limit stays on as a backstop.
        if count_tokens(query) > limits.max_tokens:
            raise too_many_tokens(query, limits.max_tokens)
        execution_context.parse_options["max_tokens"] = limits.max_tokens
        try:
            yield
        except GraphQLSyntaxError as error:
            # ParserCache parses in a hook, so its syntax errors arrive here as exceptions.
            raise self._translate(error, query, limits) from None
        result = execution_context.result
        if result is not None and result.errors:
            result.errors = [self._translate(e, query, limits) for e in result.errors]

    @staticmethod
    def _translate(error: GraphQLError, query: str, limits: Limits) -> GraphQLError:
        if isinstance(error, GraphQLSyntaxError) and _TOO_MANY_TOKENS.search(error.message):
            return too_many_tokens(query, limits.max_tokens)
        return error

    async def on_validate(self) -> AsyncIterator[None]:
        execution_context = self.execution_context
        context = execution_context.context
        document = execution_context.graphql_document
        assert document is not None
        analysis = analysis_of(
            graphql_schema_of(execution_context.schema),
            document,
            execution_context.operation_name,
            execution_context.variables,
        )
        if analysis is not None:
            context.analysis = analysis
            context.document = document
            await admit(context, analysis)
        yield


async def admit(context: Any, analysis: QueryAnalysis) -> None:
    """Raise the refusal `analysis` earns under the context's limits, or charge its cost to the
    caller's budget (once: `context.charged` says it was, by the express path handing over)."""
    limits: Limits = context.limits
    for refusal in refusals(analysis, limits):
        raise refusal
    if analysis.introspection and not limits.introspection:
        raise QueryTooComplex("Introspection is disabled on this server.", limit="introspection")
    if analysis.cost > 0 and not context.charged:
        charge = await context.access.spend_cost(context.caller, analysis.cost)
        if not charge.allowed:
            raise RateLimited(
                f"This query costs {analysis.cost}, more than is left of your budget of "
                f"{charge.limit} per minute; retry in {charge.retry_after_seconds} s.",
                limit="costBudget",
                maximum=charge.limit,
                actual=analysis.cost,
                retryAfter=charge.retry_after_seconds,
            )
        context.charged = True
