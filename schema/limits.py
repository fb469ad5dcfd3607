"""Query limits: refuse an abusive document after parsing and before validation or any SQL.

Five limits, each on by default and set from the environment (api/settings.py):

- length: characters of the document (a single 1 MB string token costs the lexer ~150 ms);
- tokens: lexical tokens, enforced by graphql-core's parser as it reads;
- depth: nesting of fields (fragments expanded);
- aliases: aliased fields (fragments expanded, so a fragment spread twice counts twice);
- cost: an estimate of the objects the response holds. Each object-typed field costs 1 per
  object, and list sizes multiply through nesting: a connection holds `first`/`last` (default
  20) nodes, `related(first:)` its argument (default 5), and other lists a declared typical
  size. So `articles(first: 100) { nodes { related(first: 100) { related(first: 100) { id }}}}`
  costs about a million and is refused, while a front page of 50 stories with 3 related each
  costs about 1,300.

The analysis walks the document once with memoised fragments (a "billion laughs" of nested
fragment spreads costs linear time), and also tells the HTTP layer what the response depends
on (lists of entities, per-caller fields) for caching. A caller's cost budget per window, when
one is set on the context, is charged here too, before execution.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any, Protocol

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLEnumType,
    GraphQLError,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    GraphQLSyntaxError,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    OperationDefinitionNode,
    SchemaMetaFieldDef,
    SelectionSetNode,
    TypeMetaFieldDef,
    TypeNameMetaFieldDef,
    ValueNode,
    VariableNode,
    get_named_type,
    is_composite_type,
)
from strawberry.extensions import SchemaExtension

from schema.errors import QueryTooComplex, RateLimited
from schema.relay import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from schema.response_tags import list_tag, tag_of_global_id

# Typical sizes of lists that take no size argument (upper-end guesses, not maxima).
LIST_SIZES: dict[tuple[str, str], int] = {
    ("Query", "sections"): 20,
    ("Query", "newsletters"): 5,
    ("Section", "children"): 5,
    ("Article", "authors"): 3,
    ("Article", "tags"): 5,
    ("NewsletterIssue", "items"): 25,
}
DEFAULT_LIST_SIZE = 10
# Scalar fields that cost a statement of their own.
FIELD_COSTS: dict[str, int] = {"totalCount": 1}
# Object types that wrap others at no cost of their own.
FREE_TYPES = frozenset({"PageInfo"})
# Lists whose members belong to their parent object (an update of the parent purges them), and
# lists tagged as another type's (newsletter items are articles filtered by visibility).
OWNED_LISTS = frozenset({("Article", "authors"), ("Article", "tags")})
LIST_TAG_TYPES: dict[tuple[str, str], str] = {("NewsletterIssue", "items"): "Article"}
# Single objects picked from a list (the newest issue): they change when that list does.
PICKED_FROM_LISTS: dict[tuple[str, str], str] = {("Newsletter", "latestIssue"): "NewsletterIssue"}
# Fields whose value depends on who asks: a response holding one is never shared.
PRIVATE_TYPES = frozenset({"Viewer", "RateLimit"})
INTROSPECTION_FIELDS = frozenset({"__schema", "__type"})


@dataclass(frozen=True)
class Limits:
    """The limits a document must stay within. Defaults: see api/settings.py."""

    max_length: int = 50_000
    max_tokens: int = 5_000
    max_depth: int = 20
    max_aliases: int = 50
    max_cost: int = 20_000
    introspection: bool = True


@dataclass(frozen=True)
class BudgetCharge:
    """The outcome of charging a document's cost against the caller's budget."""

    allowed: bool
    budget: int
    remaining: int
    retry_after_seconds: int


class CostBudget(Protocol):
    """A caller's allowance of query cost per window (see api/http.py)."""

    async def spend(self, cost: int) -> BudgetCharge: ...


@dataclass(frozen=True)
class QueryAnalysis:
    """What the limits measured, and what the HTTP layer needs to know to cache the response."""

    operation_type: str  # "query", "mutation" or "subscription"
    depth: int
    aliases: int
    cost: int
    list_tags: frozenset[str] = frozenset()  # "list:article": the response lists articles
    private: bool = False  # selects per-caller data (`viewer`)
    introspection: bool = False
    # Root fields that may be null (response key -> list tag): a null there goes stale when an
    # object of that type appears, so the response then depends on that type's list.
    nullable_roots: Mapping[str, str] = field(default_factory=dict)
    # Entities named by root `id`/`ids` arguments (a null `node(id:)` depends on that entity).
    id_tags: frozenset[str] = frozenset()


def _is_list(type_: GraphQLOutputType) -> bool:
    if isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    return isinstance(type_, GraphQLList)


def _field_definition(parent: GraphQLNamedType | None, name: str) -> GraphQLField | None:
    if name == "__typename":
        return TypeNameMetaFieldDef
    if name == "__schema":
        return SchemaMetaFieldDef
    if name == "__type":
        return TypeMetaFieldDef
    if isinstance(parent, (GraphQLObjectType, GraphQLInterfaceType)):
        definition: GraphQLField | None = parent.fields.get(name)
        return definition
    return None


@cache
def _introspection_sizes(schema: GraphQLSchema) -> dict[tuple[str, str], int]:
    """List sizes for introspection: exact for the schema's types, averages below them.

    With averages, the standard introspection query costs about the objects it returns, and a
    crafted one that nests `fields { type { fields ...` multiplies like any other list.
    """
    types = list(schema.type_map.values())
    fields = [
        f
        for t in types
        if isinstance(t, (GraphQLObjectType, GraphQLInterfaceType))
        for f in t.fields.values()
    ]

    def average(total: int, count: int) -> int:
        return max(1, -(-total // max(count, 1)))

    directives = schema.directives
    return {
        ("__Schema", "types"): len(types),
        ("__Schema", "directives"): len(directives),
        ("__Type", "fields"): average(len(fields), len(types)),
        ("__Type", "interfaces"): 1,
        ("__Type", "possibleTypes"): 1,
        ("__Type", "enumValues"): average(
            sum(len(t.values) for t in types if isinstance(t, GraphQLEnumType)), len(types)
        ),
        ("__Type", "inputFields"): average(
            sum(len(t.fields) for t in types if isinstance(t, GraphQLInputObjectType)),
            len(types),
        ),
        ("__Field", "args"): average(sum(len(f.args) for f in fields), len(fields)),
        ("__Directive", "args"): average(sum(len(d.args) for d in directives), len(directives)),
    }


def _is_node(named: GraphQLNamedType) -> bool:
    return isinstance(named, GraphQLObjectType) and any(
        interface.name == "Node" for interface in named.interfaces
    )


def _is_connection(named: GraphQLNamedType) -> bool:
    return (
        isinstance(named, GraphQLObjectType)
        and named.name.endswith("Connection")
        and "nodes" in named.fields
    )


def _connection_node(named: GraphQLNamedType) -> str | None:
    if not _is_connection(named):
        return None
    assert isinstance(named, GraphQLObjectType)
    node_type: GraphQLNamedType = get_named_type(named.fields["nodes"].type)
    return node_type.name


class _Walker:
    """One pass over an operation: depth, aliases, cost and cache facts, fragments memoised."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
        variable_defaults: Mapping[str, ValueNode],
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.variable_defaults = variable_defaults
        self.list_tags: set[str] = set()
        self.private = False
        self.introspection = False
        # (fragment, page size) -> (cost, depth, aliases); None while being walked (a cycle).
        self._memo: dict[tuple[str, int | None], tuple[int, int, int] | None] = {}

    def int_argument(self, node: FieldNode, name: str) -> int | None:
        for argument in node.arguments or ():
            if argument.name.value == name:
                return self._int_value(argument.value)
        return None

    def _int_value(self, value: ValueNode) -> int | None:
        if isinstance(value, VariableNode):
            supplied = self.variables.get(value.name.value)
            if isinstance(supplied, int) and not isinstance(supplied, bool):
                return supplied
            default = self.variable_defaults.get(value.name.value)
            return self._int_value(default) if default is not None else None
        if isinstance(value, IntValueNode):
            try:
                return int(value.value)
            except ValueError:
                return None
        return None

    def list_length(self, node: FieldNode, name: str) -> int | None:
        for argument in node.arguments or ():
            if argument.name.value != name:
                continue
            value = argument.value
            if isinstance(value, ListValueNode):
                return len(value.values)
            if isinstance(value, VariableNode):
                supplied = self.variables.get(value.name.value)
                return len(supplied) if isinstance(supplied, list) else 1
            return 1
        return None

    def selection_set(
        self,
        selection_set: SelectionSetNode | None,
        parent: GraphQLNamedType | None,
        page: int | None,
    ) -> tuple[int, int, int]:
        """(cost, depth, aliases) of one selection set on `parent`."""
        cost = depth = aliases = 0
        if selection_set is None:
            return 0, 0, 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                c, d, a = self.field(selection, parent, page)
            elif isinstance(selection, InlineFragmentNode):
                condition = (
                    self.schema.get_type(selection.type_condition.name.value)
                    if selection.type_condition
                    else parent
                )
                c, d, a = self.selection_set(selection.selection_set, condition or parent, page)
            elif isinstance(selection, FragmentSpreadNode):
                c, d, a = self.fragment(selection.name.value, page)
            else:  # pragma: no cover - graphql-core has no other selection kinds
                continue
            cost += c
            depth = max(depth, d)
            aliases += a
        return cost, depth, aliases

    def fragment(self, name: str, page: int | None) -> tuple[int, int, int]:
        key = (name, page)
        if key in self._memo:
            return self._memo[key] or (0, 0, 0)  # a cycle: validation reports it
        definition = self.fragments.get(name)
        if definition is None:
            return 0, 0, 0
        self._memo[key] = None
        condition = self.schema.get_type(definition.type_condition.name.value)
        result = (
            self.selection_set(definition.selection_set, condition, page)
            if condition is not None
            else (0, 0, 0)
        )
        self._memo[key] = result
        return result

    def field(
        self, node: FieldNode, parent: GraphQLNamedType | None, page: int | None
    ) -> tuple[int, int, int]:
        name = node.name.value
        aliases = 1 if node.alias is not None else 0
        if name in INTROSPECTION_FIELDS:
            self.introspection = True
        definition = _field_definition(parent, name)
        if definition is None:
            # A field validation will refuse: count the shape of its subtree only.
            sub_cost, sub_depth, sub_aliases = self.selection_set(node.selection_set, None, None)
            return sub_cost, 1 + sub_depth, aliases + sub_aliases

        named = get_named_type(definition.type)
        if named.name in PRIVATE_TYPES:
            self.private = True
        composite = is_composite_type(named)
        size = self._size(node, parent, definition, page)
        child_page: int | None = None
        if (node_type := _connection_node(named)) is not None:
            first = self.int_argument(node, "first")
            last = self.int_argument(node, "last")
            requested = first if first is not None else last
            child_page = _clamp(DEFAULT_PAGE_SIZE if requested is None else requested)
            self.list_tags.add(list_tag(node_type))
        elif parent is not None and (parent.name, name) in PICKED_FROM_LISTS:
            self.list_tags.add(list_tag(PICKED_FROM_LISTS[(parent.name, name)]))
        elif composite and _is_list(definition.type) and parent is not None:
            key = (parent.name, name)
            if key not in OWNED_LISTS and not named.name.startswith("__"):
                self.list_tags.add(list_tag(LIST_TAG_TYPES.get(key, named.name)))

        own = FIELD_COSTS.get(name, 0)
        if composite and named.name not in FREE_TYPES and not named.name.endswith("Edge"):
            own += 1
        sub_cost, sub_depth, sub_aliases = (
            self.selection_set(node.selection_set, named, child_page) if composite else (0, 0, 0)
        )
        return size * (own + sub_cost), 1 + sub_depth, aliases + sub_aliases

    def _size(
        self,
        node: FieldNode,
        parent: GraphQLNamedType | None,
        definition: GraphQLField,
        page: int | None,
    ) -> int:
        if not _is_list(definition.type):
            return 1
        name = node.name.value
        if page is not None and name in ("edges", "nodes"):
            return page
        if "first" in definition.args:
            first = self.int_argument(node, "first")
            if first is None:
                default = definition.args["first"].default_value
                first = default if isinstance(default, int) else DEFAULT_PAGE_SIZE
            return _clamp(first)
        if "ids" in definition.args:
            return max(0, self.list_length(node, "ids") or 0)
        parent_name = parent.name if parent is not None else ""
        if parent_name.startswith("__"):
            return _introspection_sizes(self.schema).get((parent_name, name), 1)
        return LIST_SIZES.get((parent_name, name), DEFAULT_LIST_SIZE)


def _clamp(size: int) -> int:
    # Sizes outside 0..100 are refused by the resolvers with a clearer message than a cost.
    return max(0, min(size, MAX_PAGE_SIZE))


def select_operation(
    document: DocumentNode, operation_name: str | None
) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is None:
        # As Strawberry does: without a name, the first operation runs (even among several).
        return operations[0] if operations else None
    for operation in operations:
        if operation.name is not None and operation.name.value == operation_name:
            return operation
    return None


def analyze(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None = None,
    variables: Mapping[str, Any] | None = None,
) -> QueryAnalysis | None:
    """Measure the operation that would run; None when there is none (validation says why)."""
    operation = select_operation(document, operation_name)
    if operation is None:
        return None
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    defaults = {
        v.variable.name.value: v.default_value
        for v in operation.variable_definitions or ()
        if v.default_value is not None
    }
    walker = _Walker(schema, fragments, variables or {}, defaults)
    root = schema.get_root_type(operation.operation)
    if root is None:
        return QueryAnalysis(operation.operation.value, 0, 0, 0)
    cost, depth, aliases = walker.selection_set(operation.selection_set, root, None)
    nullable_roots: dict[str, str] = {}
    id_tags: set[str] = set()
    for selection in operation.selection_set.selections:
        if isinstance(selection, FieldNode):
            id_tags.update(_id_tags(selection, variables or {}))
        if isinstance(selection, FieldNode) and selection.name.value in root.fields:
            type_ = root.fields[selection.name.value].type
            named = get_named_type(type_)
            if not isinstance(type_, GraphQLNonNull) and _is_node(named):
                key = (selection.alias or selection.name).value
                nullable_roots[key] = list_tag(named.name)
    return QueryAnalysis(
        operation_type=operation.operation.value,
        depth=depth,
        aliases=aliases,
        cost=cost,
        list_tags=frozenset(walker.list_tags),
        private=walker.private,
        introspection=walker.introspection,
        nullable_roots=nullable_roots,
        id_tags=frozenset(id_tags),
    )


def _id_tags(node: FieldNode, variables: Mapping[str, Any]) -> Iterable[str]:
    for argument in node.arguments or ():
        if argument.name.value not in ("id", "ids"):
            continue
        value = argument.value
        values: list[Any]
        if isinstance(value, VariableNode):
            supplied = variables.get(value.name.value)
            values = supplied if isinstance(supplied, list) else [supplied]
        elif isinstance(value, ListValueNode):
            values = [getattr(v, "value", None) for v in value.values]
        else:
            values = [getattr(value, "value", None)]
        for global_id in values[:MAX_PAGE_SIZE]:
            if isinstance(global_id, str) and (tag := tag_of_global_id(global_id)):
                yield tag


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


def limits_of(context: Any) -> Limits:
    limits = getattr(context, "limits", None)
    return limits if isinstance(limits, Limits) else Limits()


class QueryLimits(SchemaExtension):
    """Applies `Limits` (from the request's context) between parsing and validation.

    Must come before ValidationCache in the schema's extensions: it refuses by raising from
    `on_validate`, so the (quadratic for aliases) validation rules never see an abusive
    document. A refusal is a request error: no `data`, one `QUERY_TOO_COMPLEX` error.
    """

    def on_operation(self) -> Any:
        execution_context = self.execution_context
        limits = limits_of(execution_context.context)
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
        analysis = analyze(
            execution_context.schema._schema,
            document,
            execution_context.operation_name,
            execution_context.variables,
        )
        if analysis is not None:
            if hasattr(context, "analysis"):
                context.analysis = analysis
            limits = limits_of(context)
            for refusal in refusals(analysis, limits):
                raise refusal
            if analysis.introspection and not limits.introspection:
                raise QueryTooComplex(
                    "Introspection is disabled on this server.", limit="introspection"
                )
            budget: CostBudget | None = getattr(context, "cost_budget", None)
            if budget is not None and analysis.cost > 0:
                charge = await budget.spend(analysis.cost)
                if not charge.allowed:
                    raise RateLimited(
                        f"This query costs {analysis.cost}, more than is left of your budget of "
                        f"{charge.budget} per minute; retry in {charge.retry_after_seconds} s.",
                        limit="costBudget",
                        maximum=charge.budget,
                        actual=analysis.cost,
                        retryAfter=charge.retry_after_seconds,
                    )
        yield
