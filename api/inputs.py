"""What a client may send, by kind of value: the rules every boundary applies, in one place.

PostgreSQL cannot store some values that JSON and GraphQL can express, and a few shapes of input
cost far more to handle than they are worth. Each rule here is applied once, where input enters:
JSON variables and extensions by the HTTP layer (api/http/protocol.py), GraphQL literals by a
validation rule (schema/extensions/input_rules.py), global ids where they are decoded
(schema/relay.py), date-times by the DateTime scalar (schema/scalars.py). Nothing behind those
boundaries ever sees such a value, so no resolver, service or query has to think about it.

- Text: U+0000 (PostgreSQL rejects it in text) and unpaired UTF-16 surrogates (not encodable as
  UTF-8) are refused wherever they appear.
- Integers: database keys are 64-bit; an id outside that range names nothing.
- Date-times: a time whose UTC form falls outside years 1-9999 cannot be stored or compared.
- JSON: nesting deeper than `MAX_JSON_DEPTH` or more than `MAX_JSON_VALUES` values in one request
  is refused before anything walks it.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

PG_BIGINT_MAX = 2**63 - 1
MAX_JSON_DEPTH = 20  # the deepest legitimate variable is an input object in a list: depth 4
MAX_JSON_VALUES = 10_000

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class UnacceptableInput(ValueError):
    """A value no boundary lets through; the message says why, for the client."""


def unstorable_character(text: str) -> str | None:
    """Why `text` cannot be stored (a NUL or an unpaired surrogate), or None when it can."""
    found = _UNSTORABLE.search(text)
    if found is None:
        return None
    if found.group() == "\x00":
        return "contains a NUL character (U+0000), which cannot be stored"
    return f"contains an unpaired surrogate (U+{ord(found.group()):04X}), which is not valid text"


def is_database_id(number: int) -> bool:
    """Whether `number` can be a primary key (a positive 64-bit integer)."""
    return 0 < number <= PG_BIGINT_MAX


def storable_moment(moment: datetime) -> datetime:
    """`moment`, if its UTC form is a date-time the database can hold; else UnacceptableInput."""
    if moment.tzinfo is None:
        return moment
    try:
        moment.astimezone(UTC)
    except OverflowError:
        raise UnacceptableInput(
            f"{moment.isoformat()} is outside the range of dates this API stores "
            "(0001-01-01 to 9999-12-31, UTC)."
        ) from None
    return moment


def check_json(value: Any, name: str) -> None:
    """Refuse JSON that nests too deeply, holds too many values, or holds unstorable text.

    Iterative, so a hostile nesting cannot exhaust the stack of whoever checks it.
    """
    count = 0
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        count += 1
        if count > MAX_JSON_VALUES:
            raise UnacceptableInput(f"`{name}` holds more than {MAX_JSON_VALUES} values.")
        if depth > MAX_JSON_DEPTH:
            raise UnacceptableInput(f"`{name}` is nested more than {MAX_JSON_DEPTH} levels deep.")
        if isinstance(item, str):
            if (why := unstorable_character(item)) is not None:
                raise UnacceptableInput(f"A string in `{name}` {why}.")
        elif isinstance(item, dict):
            for key, child in item.items():
                if (why := unstorable_character(key)) is not None:
                    raise UnacceptableInput(f"A key in `{name}` {why}.")
                pending.append((child, depth + 1))
        elif isinstance(item, list):
            pending.extend((child, depth + 1) for child in item)
