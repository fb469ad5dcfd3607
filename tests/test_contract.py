"""The public contract: every name in ../shared/CONTRACT.graphql exists with the same type,
and schema.graphql in the repository equals `broadsheet schema export`."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    parse,
    print_ast,
)
from graphql.language import (
    EnumTypeDefinitionNode,
    InputObjectTypeDefinitionNode,
    InterfaceTypeDefinitionNode,
    ObjectTypeDefinitionNode,
)
from typer.testing import CliRunner

from api.cli import app as cli
from schema.root import schema

ROOT = Path(__file__).resolve().parent.parent
CONTRACT = ROOT.parent / "shared" / "CONTRACT.graphql"
ours = schema._schema


def contract_document():  # type: ignore[no-untyped-def]
    if not CONTRACT.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CONTRACT} is missing")
        pytest.skip(f"{CONTRACT} is not beside this checkout")
    return parse(CONTRACT.read_text())


def contract_problems() -> list[str]:
    problems: list[str] = []
    for definition in contract_document().definitions:
        name = getattr(definition, "name", None)
        if name is None:
            continue
        type_name = name.value
        found = ours.type_map.get(type_name)
        if found is None:
            problems.append(f"type {type_name} is missing")
            continue
        if isinstance(definition, EnumTypeDefinitionNode):
            assert isinstance(found, GraphQLEnumType), type_name
            for value in definition.values or ():
                if value.name.value not in found.values:
                    problems.append(f"enum value {type_name}.{value.name.value} is missing")
            continue
        if isinstance(definition, (ObjectTypeDefinitionNode, InterfaceTypeDefinitionNode)):
            assert isinstance(found, (GraphQLObjectType, GraphQLInterfaceType)), type_name
            for interface in definition.interfaces or ():
                if interface.name.value not in {i.name for i in found.interfaces}:
                    problems.append(f"{type_name} does not implement {interface.name.value}")
        elif isinstance(definition, InputObjectTypeDefinitionNode):
            assert isinstance(found, GraphQLInputObjectType), type_name
        for field in getattr(definition, "fields", None) or ():
            our_field = found.fields.get(field.name.value)  # type: ignore[union-attr]
            where = f"{type_name}.{field.name.value}"
            if our_field is None:
                problems.append(f"field {where} is missing")
                continue
            if str(our_field.type) != print_ast(field.type):
                problems.append(
                    f"{where} is {our_field.type}, contract says {print_ast(field.type)}"
                )
            for argument in getattr(field, "arguments", None) or ():
                our_argument = our_field.args.get(argument.name.value)
                if our_argument is None:
                    problems.append(f"argument {where}({argument.name.value}) is missing")
                elif str(our_argument.type) != print_ast(argument.type):
                    problems.append(
                        f"{where}({argument.name.value}) is {our_argument.type}, "
                        f"contract says {print_ast(argument.type)}"
                    )
    return problems


def test_every_contract_name_exists_with_its_type() -> None:
    assert contract_problems() == []


def test_schema_file_matches_export() -> None:
    result = CliRunner().invoke(cli, ["schema", "export"])
    assert result.exit_code == 0, result.output
    assert (ROOT / "schema.graphql").read_text() == result.output, (
        "schema.graphql is stale: run `broadsheet schema export > schema.graphql`"
    )
