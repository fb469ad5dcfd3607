"""Relay plumbing: the Node interface, opaque global ids, tamper-checked keyset cursors,
page-size rules and PageInfo.

Object types render domain rows directly (api/queries returns them): a resolver returns a row,
and each Node type says which rows it renders with `is_type_of` (`renders`), which also records
the entity in the response's purge tags (api/caching.py). So type modules never construct each
other's objects and never import each other.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

import orjson
import strawberry

from api.errors import BadUserInput
from api.global_ids import global_id, parse_global_id
from api.queries.pagination import Key, Page, Window
from api.queries.records import RECORD_OF
from schema.batching import computed

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


@strawberry.interface(description="An object with an opaque, globally unique id.")
class Node:
    id: strawberry.ID


class Row(Protocol):
    """A domain row a Node type renders: anything with a primary key."""

    @property
    def id(self) -> int: ...


def id_field(type_name: str) -> Any:
    """The `id` field of a Node type: the row's primary key as an opaque global id."""
    return computed(lambda row: global_id(type_name, row.id), strawberry.ID)


def renders(model: type[Any], type_name: str) -> Any:
    """`is_type_of` for a Node type rendering rows of `model`: its entities (what a mutation
    has written) and the records the read side returns (api/queries/records.py). Notes each in
    the purge tags."""
    row_classes = (model, RECORD_OF[model]) if model in RECORD_OF else (model,)

    def is_type_of(cls: type, obj: Any, info: Any) -> bool:
        if not isinstance(obj, row_classes):
            return False
        tags = getattr(info.context, "tags", None)
        if tags is not None:
            tags.record(type_name, obj.id)
        return True

    is_type_of.rendered = Rendered(frozenset(row_classes), type_name)  # type: ignore[attr-defined]
    return classmethod(is_type_of)


@dataclass(frozen=True)
class Rendered:
    """What a `renders` check accepts, for executors that check a whole level at once
    (schema/planned): these exact classes, noted in the purge tags as `type_name`."""

    classes: frozenset[type]
    type_name: str


def rendered_by(is_type_of: Any) -> Rendered | None:
    """The `Rendered` of an `is_type_of` made by `renders` (bound or not), else None."""
    function = getattr(is_type_of, "__func__", is_type_of)
    rendered: Rendered | None = getattr(function, "rendered", None)
    return rendered


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def to_global_id(type_name: str, pk: int) -> strawberry.ID:
    return strawberry.ID(global_id(type_name, pk))


def from_global_id(value: str) -> tuple[str, int] | None:
    """(type name, primary key), or None when the id is not one of ours."""
    return parse_global_id(value)


def pk_of(global_id: str, type_name: str) -> int | None:
    """The primary key when `global_id` names an object of `type_name`, else None."""
    decoded = from_global_id(global_id)
    if decoded is None or decoded[0] != type_name:
        return None
    return decoded[1]


class CursorCodec:
    """Cursors are keyset positions, signed so a tampered or foreign cursor is refused.

    A cursor names the ordering it belongs to (`kind`), so a cursor from another feed order
    or another connection type cannot be replayed against this one.
    """

    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def _sign(self, payload: bytes) -> bytes:
        return hmac.new(self._secret, payload, hashlib.sha256).digest()[:12]

    def encode(self, kind: str, key: Key) -> str:
        values = [_encode_value(value) for value in key]
        payload = orjson.dumps([kind, values])
        return _b64encode(self._sign(payload) + payload)

    def decode(self, kind: str, cursor: str, argument: str) -> Key:
        try:
            raw = _b64decode(cursor)
        except (ValueError, binascii.Error):
            raise BadUserInput(f"`{argument}` is not a valid cursor.", argument=argument) from None
        signature, payload = raw[:12], raw[12:]
        if not hmac.compare_digest(signature, self._sign(payload)):
            raise BadUserInput(f"`{argument}` is not a valid cursor.", argument=argument)
        found_kind, values = orjson.loads(payload)
        if found_kind != kind:
            raise BadUserInput(
                f"`{argument}` is a cursor from a different list or ordering.", argument=argument
            )
        return tuple(_decode_value(value) for value in values)


def _encode_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"t": value.isoformat()}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    return value


def _decode_value(value: Any) -> Any:
    if isinstance(value, dict):
        if "t" in value:
            return datetime.fromisoformat(value["t"])
        return date.fromisoformat(value["d"])
    return value


def page_window(
    codec: CursorCodec,
    kind: str,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
) -> Window:
    """Validate Relay arguments. Wrong sizes are an error, never silently clamped."""
    if first is not None and last is not None:
        raise BadUserInput("Pass `first` or `last`, not both.")
    for name, size in (("first", first), ("last", last)):
        if size is not None and not 0 <= size <= MAX_PAGE_SIZE:
            raise BadUserInput(
                f"`{name}` must be between 0 and {MAX_PAGE_SIZE}; got {size}.",
                argument=name,
                maximum=MAX_PAGE_SIZE,
            )
    if last is None and first is None:
        first = DEFAULT_PAGE_SIZE if before is None else None
        last = DEFAULT_PAGE_SIZE if before is not None else None
    return Window(
        first=first,
        after=codec.decode(kind, after, "after") if after is not None else None,
        last=last,
        before=codec.decode(kind, before, "before") if before is not None else None,
    )


CountFn = Callable[[], Awaitable[int]]


def page_info(codec: CursorCodec, kind: str, page: Page[Any]) -> PageInfo:
    keys = page.keys
    return PageInfo(
        has_next_page=page.has_next_page,
        has_previous_page=page.has_previous_page,
        start_cursor=codec.encode(kind, keys[0]) if keys else None,
        end_cursor=codec.encode(kind, keys[-1]) if keys else None,
    )
