"""Global ids: the opaque id of any object (`Article:12` in URL-safe base64, unpadded).

The GraphQL schema exposes them as `ID`s (schema/relay.py); webhooks, sync and feeds name
objects by the same ids, so a partner can fetch whatever it hears about with `node(id:)`.
"""

from __future__ import annotations

import base64
import binascii
from functools import lru_cache

from api.inputs import is_database_id


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


_URLSAFE = bytes.maketrans(b"+/", b"-_")


@lru_cache(maxsize=16384)  # the stories being read now, their sections, sources and bylines
def global_id(type_name: str, pk: int) -> str:
    """The global id of the `type_name` object with primary key `pk`: URL-safe base64 without
    padding, made by C calls alone (a page renders one per object, most of them again and
    again: remembered)."""
    encoded = binascii.b2a_base64(f"{type_name}:{pk}".encode(), newline=False)
    return encoded.translate(_URLSAFE).rstrip(b"=").decode("ascii")


def parse_global_id(value: str) -> tuple[str, int] | None:
    """(type name, primary key), or None when `value` is not one of ours."""
    try:
        type_name, _, pk = _b64decode(value).decode("ascii").partition(":")
        number = int(pk)
    except (ValueError, UnicodeDecodeError, binascii.Error):
        return None
    # A number the database cannot hold as a key names nothing (api/inputs.py).
    if not type_name or not is_database_id(number) or global_id(type_name, number) != value:
        return None
    return type_name, number
