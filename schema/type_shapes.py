"""What document analysis (schema/analysis.py) needs to know about the schema's types: which
fields are lists, which types are connections or Nodes, and how large introspection lists are."""

from __future__ import annotations

from functools import cache
from typing import Any

from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    SchemaMetaFieldDef,
    TypeMetaFieldDef,
    TypeNameMetaFieldDef,
    Undefined,
    get_named_type,
    value_from_ast,
)


def is_list(type_: GraphQLOutputType) -> bool:
    if isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    return isinstance(type_, GraphQLList)


def field_definition(parent: GraphQLNamedType | None, name: str) -> GraphQLField | None:
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
def introspection_sizes(schema: GraphQLSchema) -> dict[tuple[str, str], int]:
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


def is_node(named: GraphQLNamedType) -> bool:
    return isinstance(named, GraphQLObjectType) and any(
        interface.name == "Node" for interface in named.interfaces
    )


def is_connection(named: GraphQLNamedType) -> bool:
    return (
        isinstance(named, GraphQLObjectType)
        and named.name.endswith("Connection")
        and "nodes" in named.fields
    )


def connection_node(named: GraphQLNamedType) -> str | None:
    if not is_connection(named):
        return None
    assert isinstance(named, GraphQLObjectType)
    node_type: GraphQLNamedType = get_named_type(named.fields["nodes"].type)
    return node_type.name


def argument_default(argument: GraphQLArgument) -> Any:
    """An argument's default value (read from the SDL's literal when the schema was built from
    SDL, which leaves `default_value` undefined in graphql-core 3.3)."""
    if argument.default_value is not Undefined:
        return argument.default_value
    literal = argument.ast_node.default_value if argument.ast_node is not None else None
    return value_from_ast(literal, argument.type) if literal is not None else None
