"""Plans: a validated query document, worked out once into what to do for each field.

A plan mirrors the document's selections per concrete type (fragments merged, aliases kept,
in the order graphql-core would answer them) and says, for each field, how its value is found:
an attribute of the parent row, a batch function declared on the field (schema/batching.py), or
the field's own resolver called parent by parent. Documents the planner does not cover (any
directive, fragment variables, subscriptions and mutations) get no plan: graphql-core runs them.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLAbstractType,
    GraphQLField,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    get_named_type,
    is_abstract_type,
    is_object_type,
)
from strawberry.types.field import StrawberryField

from schema.batching import BatchFunction, batch_of, each_of, takes_arguments
from schema.relay import Rendered, rendered_by

STRAWBERRY_DEFINITION = "strawberry-definition"


class Kind(enum.Enum):
    TYPENAME = "typename"
    ATTRIBUTE = "attribute"  # a plain attribute of the parent row
    EACH = "each"  # a plain function of the parent row (schema/batching.py `computed`)
    BATCH = "batch"  # the field's batch function, for all parents at once
    RESOLVE = "resolve"  # the field's resolver, parent by parent


SYNCHRONOUS = (Kind.TYPENAME, Kind.ATTRIBUTE, Kind.EACH)  # answered without awaiting


class Unplannable(Exception):
    """The document uses something plans do not cover; graphql-core runs it instead."""


@dataclass
class FieldPlan:
    key: str  # the response key (alias or name)
    name: str
    definition: GraphQLField | None  # None for __typename
    nodes: list[FieldNode]
    kind: Kind
    attribute: str = ""
    each: Callable[[Any], Any] | None = None
    batch: BatchFunction | None = None
    # Sub-selections of an object-typed field, per concrete type (filled on first use).
    children: dict[str, SelectionPlan] = field(default_factory=dict)
    # How a value is completed (the executor makes it on first use: schema/planned/executor.py).
    complete: Callable[..., Any] | None = field(default=None, repr=False)
    # Its values are strings answered as they are (String or ID): set with `complete`.
    verbatim: bool = False

    @property
    def return_type(self) -> GraphQLOutputType:
        assert self.definition is not None
        return self.definition.type

    @cached_property
    def selected(self) -> frozenset[str]:
        """The fields selected below this one, of any concrete type, as paths of field names
        from it: `nodes`, `nodes.tags`, `nodes.tags.name`, `pageInfo.endCursor`..."""
        found: set[str] = set()
        for child in self.children.values():
            for field_plan in child.fields:
                found.add(field_plan.name)
                found.update(f"{field_plan.name}.{below}" for below in field_plan.selected)
        return frozenset(found)


@dataclass
class SelectionPlan:
    """What to answer for one object of `parent_type`, field by field."""

    parent_type: GraphQLObjectType
    fields: list[FieldPlan]
    # Which rows its type check accepts; their entities go into the response's purge tags
    # (schema/relay.py). None for types that render no rows of their own.
    rendered: Rendered | None = None

    @cached_property
    def resolves(self) -> bool:
        """Some field is resolved object by object (its loads may batch with other fields')."""
        return any(f.kind is Kind.RESOLVE for f in self.fields)


def plan_operation(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: dict[str, FragmentDefinitionNode],
) -> SelectionPlan:
    """The plan of a query; raises Unplannable for what plans do not cover."""
    if operation.operation is not OperationType.QUERY:
        raise Unplannable("only queries are planned")
    root = schema.query_type
    assert root is not None
    planner = _Planner(schema, fragments)
    return planner.selection(root, [operation.selection_set])


class _Planner:
    def __init__(self, schema: GraphQLSchema, fragments: dict[str, FragmentDefinitionNode]):
        self.schema = schema
        self.fragments = fragments

    def selection(
        self, parent_type: GraphQLObjectType, selection_sets: Iterable[SelectionSetNode]
    ) -> SelectionPlan:
        grouped: dict[str, list[FieldNode]] = {}
        for selection_set in selection_sets:
            self.collect(parent_type, selection_set, grouped, set())
        fields = [self.field(parent_type, key, nodes) for key, nodes in grouped.items()]
        return SelectionPlan(parent_type, fields, rendered_by(parent_type.is_type_of))

    def collect(
        self,
        parent_type: GraphQLObjectType,
        selection_set: SelectionSetNode,
        grouped: dict[str, list[FieldNode]],
        visited: set[str],
    ) -> None:
        for selection in selection_set.selections:
            if selection.directives:
                raise Unplannable("directives")
            if isinstance(selection, FieldNode):
                key = (selection.alias or selection.name).value
                grouped.setdefault(key, []).append(selection)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                if condition is None or self.applies(condition.name.value, parent_type):
                    self.collect(parent_type, selection.selection_set, grouped, visited)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name in visited:
                    continue
                visited.add(name)
                fragment = self.fragments.get(name)
                if fragment is None:
                    raise Unplannable(f"unknown fragment {name}")
                if fragment.variable_definitions:
                    raise Unplannable("fragment variables")
                if self.applies(fragment.type_condition.name.value, parent_type):
                    self.collect(parent_type, fragment.selection_set, grouped, visited)

    def applies(self, condition: str, parent_type: GraphQLObjectType) -> bool:
        if condition == parent_type.name:
            return True
        conditional = self.schema.get_type(condition)
        return isinstance(conditional, GraphQLAbstractType) and self.schema.is_sub_type(
            conditional, parent_type
        )

    def field(self, parent_type: GraphQLObjectType, key: str, nodes: list[FieldNode]) -> FieldPlan:
        name = nodes[0].name.value
        if name == "__typename":
            return FieldPlan(key, name, None, nodes, Kind.TYPENAME)
        if name.startswith("__"):
            raise Unplannable("introspection")
        definition = parent_type.fields.get(name)
        if definition is None:
            raise Unplannable(f"no field {parent_type.name}.{name}")
        strawberry_field: Any = (definition.extensions or {}).get(STRAWBERRY_DEFINITION)
        plan = FieldPlan(key, name, definition, nodes, Kind.RESOLVE)
        if isinstance(strawberry_field, StrawberryField) and not _guarded(strawberry_field):
            each = each_of(strawberry_field)
            batch = batch_of(strawberry_field)
            if definition.args:  # only a batch function that reads them answers for all parents
                if batch is not None and takes_arguments(strawberry_field):
                    plan.kind, plan.batch = Kind.BATCH, batch
            elif each is not None:
                plan.kind, plan.each = Kind.EACH, each
            elif batch is not None:
                plan.kind, plan.batch = Kind.BATCH, batch
            elif strawberry_field.base_resolver is None:
                plan.kind, plan.attribute = Kind.ATTRIBUTE, strawberry_field.python_name
        sets = [node.selection_set for node in nodes if node.selection_set is not None]
        if sets:
            for concrete in concrete_types(self.schema, definition.type):
                plan.children[concrete.name] = self.selection(concrete, sets)
        return plan


def _guarded(strawberry_field: StrawberryField) -> bool:
    """Fields with permissions or extensions run through Strawberry, which applies them."""
    return bool(strawberry_field.permission_classes or strawberry_field.extensions)


def concrete_types(
    schema: GraphQLSchema, return_type: GraphQLOutputType
) -> list[GraphQLObjectType]:
    named = get_named_type(return_type)
    if is_object_type(named):
        assert isinstance(named, GraphQLObjectType)
        return [named]
    if is_abstract_type(named):
        assert isinstance(named, GraphQLAbstractType)
        return list(schema.get_possible_types(named))
    return []
