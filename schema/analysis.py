"""Document analysis: how deep, how aliased and how costly an operation is, and what its
response will depend on, measured in one pass before validation or any SQL.

The limits it measures against, each on by default and set from the environment
(api/settings.py), are enforced by schema/extensions/query_limits.py:

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
on (lists of entities, per-caller fields) for caching.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValueNode,
    VariableNode,
    build_schema,
    get_named_type,
    is_composite_type,
)
from strawberry import Schema

from api.caching import entity_tag, list_tag
from schema.relay import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, from_global_id
from schema.type_shapes import (
    argument_default,
    connection_node,
    field_definition,
    introspection_sizes,
    is_list,
    is_node,
)

# Typical sizes of lists that take no size argument (upper-end guesses, not maxima).
LIST_SIZES: dict[tuple[str, str], int] = {
    ("Query", "sections"): 20,
    ("Query", "newsletters"): 5,
    ("Section", "children"): 5,
    ("Article", "authors"): 3,
    ("Article", "tags"): 5,
    ("Article", "shareLinks"): 5,
    ("Article", "metaTags"): 25,
    ("NewsletterIssue", "items"): 25,
    # A sync page holds at most `first` (at most 100) of each.
    ("SyncPage", "changed"): 100,
    ("SyncPage", "tombstones"): 100,
}
DEFAULT_LIST_SIZE = 10
# Scalar fields that cost a statement of their own.
FIELD_COSTS: dict[str, int] = {"totalCount": 1}
# Object types that cost nothing of their own (wrappers, and values computed from their parent).
FREE_TYPES = frozenset({"PageInfo", "MetaTag", "ShareLink"})
# Lists whose members belong to their parent object (an update of the parent purges them), and
# lists tagged as another type's (newsletter items are articles filtered by visibility).
OWNED_LISTS = frozenset(
    {
        ("Article", "authors"),
        ("Article", "tags"),
        ("Article", "shareLinks"),
        ("Article", "metaTags"),
    }
)
LIST_TAG_TYPES: dict[tuple[str, str], str] = {("NewsletterIssue", "items"): "Article"}
# Single objects picked from a list (the newest issue): they change when that list does.
PICKED_FROM_LISTS: dict[tuple[str, str], str] = {("Newsletter", "latestIssue"): "NewsletterIssue"}
# Fields whose value depends on who asks: a response holding one is never shared.
# A sync page depends on its token and on time, and is tagged with no purge keys.
PRIVATE_TYPES = frozenset({"Viewer", "RateLimit", "SyncPage"})
INTROSPECTION_FIELDS = frozenset({"__schema", "__type"})


@cache
def graphql_schema_of(schema: Schema) -> GraphQLSchema:
    """`schema` as graphql-core objects, for analysis and validation outside execution (built
    from the printed SDL, through public APIs only)."""
    return build_schema(schema.as_str())


def tag_of_global_id(global_id: str) -> str | None:
    decoded = from_global_id(global_id)
    return entity_tag(*decoded) if decoded else None


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
    operation_name: str | None = None  # as the document names it (metrics, logs)


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
        definition = field_definition(parent, name)
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
        if (node_type := connection_node(named)) is not None:
            first = self.int_argument(node, "first")
            last = self.int_argument(node, "last")
            requested = first if first is not None else last
            child_page = _clamp(DEFAULT_PAGE_SIZE if requested is None else requested)
            self.list_tags.add(list_tag(node_type))
        elif parent is not None and (parent.name, name) in PICKED_FROM_LISTS:
            self.list_tags.add(list_tag(PICKED_FROM_LISTS[(parent.name, name)]))
        elif composite and is_list(definition.type) and parent is not None:
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
        if not is_list(definition.type):
            return 1
        name = node.name.value
        if page is not None and name in ("edges", "nodes"):
            return page
        if "first" in definition.args:
            first = self.int_argument(node, "first")
            if first is None:
                default = argument_default(definition.args["first"])
                first = default if isinstance(default, int) else DEFAULT_PAGE_SIZE
            return _clamp(first)
        if "ids" in definition.args:
            return max(0, self.list_length(node, "ids") or 0)
        parent_name = parent.name if parent is not None else ""
        if parent_name.startswith("__"):
            return introspection_sizes(self.schema).get((parent_name, name), 1)
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
    name = operation.name.value if operation.name else None
    if root is None:
        return QueryAnalysis(operation.operation.value, 0, 0, 0, operation_name=name)
    cost, depth, aliases = walker.selection_set(operation.selection_set, root, None)
    nullable_roots: dict[str, str] = {}
    id_tags: set[str] = set()
    for selection in operation.selection_set.selections:
        if isinstance(selection, FieldNode):
            id_tags.update(_id_tags(selection, variables or {}))
        if isinstance(selection, FieldNode) and selection.name.value in root.fields:
            type_ = root.fields[selection.name.value].type
            named = get_named_type(type_)
            if not isinstance(type_, GraphQLNonNull) and is_node(named):
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
        operation_name=name,
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
