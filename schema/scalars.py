"""Scalars whose parsing Broadsheet tightens at the boundary (api/inputs.py says why).

`DateTime` parses ISO 8601 as Strawberry's does, and refuses a moment whose UTC form falls
outside what the database stores, so no resolver or service ever meets one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import dateutil.parser
from graphql import GraphQLError
from strawberry.types.scalar import ScalarDefinition

from api.inputs import UnacceptableInput, storable_moment


def parse_datetime(value: Any) -> datetime:
    if not isinstance(value, str):
        raise GraphQLError(f'Value cannot represent a DateTime: "{value}". Expected a string.')
    try:
        moment = dateutil.parser.isoparse(value)
    except (ValueError, OverflowError) as error:
        raise GraphQLError(f'Value cannot represent a DateTime: "{value}". {error}') from None
    try:
        return storable_moment(moment)
    except UnacceptableInput as error:
        raise GraphQLError(str(error)) from None


DateTime = ScalarDefinition(
    name="DateTime",
    description="Date with time (isoformat)",
    specified_by_url=None,
    serialize=datetime.isoformat,
    parse_value=parse_datetime,
    parse_literal=None,
    origin=datetime,
)

SCALAR_OVERRIDES: dict[object, Any] = {datetime: DateTime}
