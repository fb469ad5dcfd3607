"""Completing values as graphql-core would: each field's value turned into its JSON, checked
against the field's type (nulls, lists, leaves, objects), decided once per field and kept
with the plan (schema/planned/executor.py runs them)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from graphql import (
    GraphQLID,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    GraphQLString,
    Undefined,
    is_leaf_type,
)

from schema.batching import Trail
from schema.planned.plan import FieldPlan, SelectionPlan

# Objects met while completing a level, by the plan that answers them: answered next, together.
# (object, its trail, its place in the response) for each, by the plan's id.
Pending = dict[int, tuple[SelectionPlan, list[tuple[Any, Trail, dict[str, Any]]]]]


class GiveUp(Exception):
    """Not the plain successful case: let graphql-core answer."""


@dataclass(frozen=True)
class TypeCheckInfo:
    """What `is_type_of` needs (schema/relay.py's `renders` reads the context)."""

    context: Any


# Completes one value of a field: (value, the parent's path, the response key or list index,
# the objects met so far, what `is_type_of` needs) -> the JSON value.
Completer = Callable[[Any, Trail | None, str | int, Pending, TypeCheckInfo], Any]


def completer(field_plan: FieldPlan, schema: GraphQLSchema) -> Completer:
    """The completer of a field, made on first use and kept with the plan: graphql-core decides
    the same things for every value it completes, this decides them once per field."""
    if field_plan.complete is None:
        field_plan.complete = _completer_for(field_plan, field_plan.return_type, schema)
        nullable = field_plan.return_type
        if isinstance(nullable, GraphQLNonNull):
            nullable = nullable.of_type
        field_plan.verbatim = _strings_as_is(nullable)
    complete: Completer = field_plan.complete
    return complete


def _completer_for(
    field_plan: FieldPlan,
    return_type: GraphQLOutputType,
    schema: GraphQLSchema,
    required: bool = False,
) -> Completer:
    """`required`: the value sits in a non-null position (checked by the completer itself for
    leaves and objects, saving a call per value; by a wrapper for lists)."""
    if isinstance(return_type, GraphQLNonNull):
        inner_type = return_type.of_type
        if not isinstance(inner_type, GraphQLList):
            return _completer_for(field_plan, inner_type, schema, required=True)
        inner = _completer_for(field_plan, inner_type, schema)

        def non_null(
            value: Any, parent: Trail | None, key: str | int, pending: Pending, check: Any
        ) -> Any:
            if value is None:
                raise GiveUp("null in a non-null position")
            return inner(value, parent, key, pending, check)

        return non_null
    if isinstance(return_type, GraphQLList):
        item = _completer_for(field_plan, return_type.of_type, schema)

        def listed(
            value: Any, parent: Trail | None, key: str | int, pending: Pending, check: Any
        ) -> Any:
            if value is None:
                return None
            if type(value) is not list and (
                isinstance(value, (str, bytes, dict)) or not hasattr(value, "__iter__")
            ):
                raise GiveUp("not a list")
            path = (parent, key)
            return [item(each, path, index, pending, check) for index, each in enumerate(value)]

        return listed
    if is_leaf_type(return_type):
        assert isinstance(return_type, GraphQLLeafType)
        return _leaf(return_type, required)
    return _composite(field_plan, schema, required)


def _strings_as_is(return_type: GraphQLOutputType) -> bool:
    """graphql-core serializes a str as itself for String and ID: no call needed."""
    return return_type is GraphQLString or return_type is GraphQLID


def _leaf(return_type: GraphQLLeafType, required: bool) -> Completer:
    serialize = return_type.serialize
    as_is = _strings_as_is(return_type)

    def leaf(value: Any, parent: Trail | None, key: str | int, pending: Pending, check: Any) -> Any:
        if as_is and type(value) is str:
            return value
        if value is None:
            if required:
                raise GiveUp("null in a non-null position")
            return None
        serialized = serialize(value)
        if serialized is Undefined or serialized is None:
            raise GiveUp("a leaf that does not serialize")
        return serialized

    return leaf


def _composite(field_plan: FieldPlan, schema: GraphQLSchema, required: bool) -> Completer:
    candidates = []
    for name, child in field_plan.children.items():
        object_type = schema.get_type(name)
        assert isinstance(object_type, GraphQLObjectType)
        exact = child.rendered.classes if child.rendered is not None else frozenset()
        candidates.append((object_type.is_type_of, child, exact, id(child)))
    only = len(candidates) == 1

    def composite(
        value: Any, parent: Trail | None, key: str | int, pending: Pending, check: Any
    ) -> Any:
        if value is None:
            if required:
                raise GiveUp("null in a non-null position")
            return None
        for is_type_of, candidate, exact, candidate_id in candidates:
            # A row of a class the type renders needs no call (its purge tag is noted with
            # its level: `Run.objects`).
            if type(value) in exact or (
                is_type_of(value, check) if is_type_of is not None else only
            ):
                child, child_id = candidate, candidate_id
                break
        else:
            raise GiveUp("no type renders this value")
        target: dict[str, Any] = {}
        entry = pending.get(child_id)
        if entry is None:
            entry = pending[child_id] = (child, [])
        entry[1].append((value, (parent, key), target))
        return target

    return composite
