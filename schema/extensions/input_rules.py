"""GraphQL literals meet the same input rules as JSON variables (api/inputs.py): a string literal
the database cannot store is refused while the document is validated, before anything runs."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError, StringValueNode, ValidationRule
from strawberry.extensions import AddValidationRules

from api.errors import ErrorCode
from api.inputs import unstorable_character


class StorableStrings(ValidationRule):
    """Every string literal in a document must be storable text."""

    def enter_string_value(self, node: StringValueNode, *_: Any) -> None:
        if (why := unstorable_character(node.value)) is not None:
            self.report_error(
                GraphQLError(
                    f"A string in the document {why}.",
                    node,
                    extensions={"code": ErrorCode.BAD_USER_INPUT.value},
                )
            )


def input_rules() -> AddValidationRules:
    """The extension that adds Broadsheet's input rules to graphql-core's validation."""
    return AddValidationRules([StorableStrings])
