"""Global ids: the opaque id of any object (`Article:12` in URL-safe base64, unpadded).

The GraphQL schema exposes them as `ID`s (schema/relay.py); webhooks, sync and feeds name
objects by the same ids, so a partner can fetch whatever it hears about with `node(id:)`.
"""

from __future__ import annotations

import base64
import binascii


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def global_id(type_name: str, pk: int) -> str:
    """The global id of the `type_name` object with primary key `pk`."""
    return _b64encode(f"{type_name}:{pk}".encode())


def parse_global_id(value: str) -> tuple[str, int] | None:
    """(type name, primary key), or None when `value` is not one of ours."""
    try:
        type_name, _, pk = _b64decode(value).decode("ascii").partition(":")
        number = int(pk)
    except (ValueError, UnicodeDecodeError, binascii.Error):
        return None
    if not type_name or number <= 0 or global_id(type_name, number) != value:
        return None
    return type_name, number
