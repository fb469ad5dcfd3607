"""Keyset pagination: a page costs the same at position 5,000 as at position 1.

A `Window` says which slice of an ordered query to fetch (first/after, last/before) with the
cursor positions already decoded to key tuples; `fetch_page` runs it as one statement.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

T = TypeVar("T")

Key = tuple[Any, ...]
SortKey = ColumnElement[Any] | InstrumentedAttribute[Any]


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
    rows: list[tuple[Any, ...]]  # everything selected per item (the item first), keys excluded


def _beyond(keys: Sequence[SortKey], position: Key, descending: bool) -> Any:
    """Rows strictly past `position` in the feed's direction (a row-value comparison)."""
    row = tuple_(*keys)
    return row < tuple_(*position) if descending else row > tuple_(*position)


def _before(keys: Sequence[SortKey], position: Key, descending: bool) -> Any:
    row = tuple_(*keys)
    return row > tuple_(*position) if descending else row < tuple_(*position)


async def fetch_page(
    session: AsyncSession,
    statement: Select[Any],
    keys: Sequence[SortKey],
    window: Window,
    *,
    descending: bool,
) -> Page[Any]:
    """Fetch one page of `statement`, ordered by `keys` (all in one direction).

    The statement selects the item first (and may select related entities after it); the keys
    are appended here. One extra row is read to learn whether another page follows.
    """
    statement = statement.add_columns(*keys)
    if window.after is not None:
        statement = statement.where(_beyond(keys, window.after, descending))
    if window.before is not None:
        statement = statement.where(_before(keys, window.before, descending))
    forward_order = [key.desc() if descending else key.asc() for key in keys]
    backward_order = [key.asc() if descending else key.desc() for key in keys]
    if window.backward:
        assert window.last is not None
        rows = (
            await session.execute(statement.order_by(*backward_order).limit(window.last + 1))
        ).all()
        more = len(rows) > window.last
        rows = list(reversed(rows[: window.last]))
        has_previous, has_next = more, window.before is not None
    else:
        size = window.first if window.first is not None else 20
        rows = (await session.execute(statement.order_by(*forward_order).limit(size + 1))).all()
        more = len(rows) > size
        rows = rows[:size]
        has_next, has_previous = more, window.after is not None
    width = len(keys)
    return Page(
        items=[row[0] for row in rows],
        keys=[tuple(row[-width:]) for row in rows],
        has_next_page=has_next,
        has_previous_page=has_previous,
        rows=[tuple(row[:-width]) for row in rows],
    )
