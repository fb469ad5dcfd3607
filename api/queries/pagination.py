"""Keyset pagination: a page costs the same at position 5,000 as at position 1.

A `Window` says which slice of an ordered query to fetch (first/after, last/before) with the
cursor positions already decoded to key tuples; `fetch_page` runs it as one statement.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import BindParameter, ColumnElement, Select, bindparam, literal, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from api.queries.driver import rows

T = TypeVar("T")

Key = tuple[Any, ...]
SortKey = ColumnElement[Any] | InstrumentedAttribute[Any]
DEFAULT_SIZE = 20


@dataclass(frozen=True)
class Window:
    first: int | None = None
    after: Key | None = None
    last: int | None = None
    before: Key | None = None

    @property
    def backward(self) -> bool:
        return self.last is not None


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    keys: list[Key]
    has_next_page: bool
    has_previous_page: bool


def first_column(row: Sequence[Any]) -> Any:
    return row[0]


def _beyond(keys: Sequence[SortKey], position: Sequence[Any], descending: bool) -> Any:
    """Rows strictly past `position` in the feed's direction (a row-value comparison)."""
    row = tuple_(*keys)
    return row < tuple_(*position) if descending else row > tuple_(*position)


def _before(keys: Sequence[SortKey], position: Sequence[Any], descending: bool) -> Any:
    row = tuple_(*keys)
    return row > tuple_(*position) if descending else row < tuple_(*position)


def _position(name: str, keys: Sequence[SortKey]) -> list[BindParameter[Any]]:
    return [bindparam(f"{name}_{i}", type_=key.type) for i, key in enumerate(keys)]


def page_statement(
    statement: Select[Any], keys: Sequence[SortKey], window: Window, *, descending: bool
) -> Select[Any]:
    """`statement` narrowed to `window`'s slice, with the keys selected last. Cursor positions
    are bound parameters (`window_parameters`) and the page size a literal (the planner knows
    it), so one statement serves every page of a given size: callers may keep it and run it
    again (api/visibility.py reuses a kept statement's criteria-bearing form)."""
    statement = statement.add_columns(*keys)
    if window.after is not None:
        statement = statement.where(_beyond(keys, _position("after", keys), descending))
    if window.before is not None:
        statement = statement.where(_before(keys, _position("before", keys), descending))
    size = window.last if window.backward else window.first
    size = DEFAULT_SIZE if size is None else size
    order = page_order(keys, window, descending=descending)
    return statement.order_by(*order).limit(literal(size + 1, literal_execute=True))


def page_order(
    keys: Sequence[SortKey], window: Window, *, descending: bool
) -> list[ColumnElement[Any]]:
    """The ORDER BY of `window`'s slice: the feed's direction, reversed when paging backward
    (`fetch_page` turns the rows round again)."""
    ascending = descending == window.backward
    return [key.asc() if ascending else key.desc() for key in keys]


def window_parameters(window: Window) -> dict[str, Any]:
    """The cursor positions `page_statement`'s statement binds."""
    parameters: dict[str, Any] = {}
    for name, position in (("after", window.after), ("before", window.before)):
        if position is not None:
            parameters.update({f"{name}_{i}": value for i, value in enumerate(position)})
    return parameters


# What about a window changes its statement (not the cursor values): after? before? first, last.
WindowShape = tuple[bool, bool, int | None, int | None]


def shape_of(window: Window) -> WindowShape:
    return (window.after is not None, window.before is not None, window.first, window.last)


def window_of(shape: WindowShape) -> Window:
    """A window of this shape (empty positions: `page_statement` binds the real ones)."""
    after, before, first, last = shape
    return Window(first, () if after else None, last, () if before else None)


async def fetch_page(
    session: AsyncSession,
    statement: Select[Any],
    window: Window,
    width: int,
    build: Callable[[Sequence[Any]], T] = first_column,
    parameters: dict[str, Any] | None = None,
) -> Page[T]:
    """Run `statement` (made by `page_statement` for this window's shape, its last `width`
    columns the sort keys) and make the page: one row more than the page is read to learn
    whether another follows; `build` makes each item from its row."""
    size = window.last if window.backward else window.first
    size = DEFAULT_SIZE if size is None else size
    bound = {**window_parameters(window), **(parameters or {})}
    found = await rows(session, statement, bound)
    more = len(found) > size
    found = found[:size]
    if window.backward:
        found.reverse()
        has_previous, has_next = more, window.before is not None
    else:
        has_next, has_previous = more, window.after is not None
    return Page(
        items=list(map(build, found)),
        keys=[tuple(row[-width:]) for row in found],
        has_next_page=has_next,
        has_previous_page=has_previous,
    )
