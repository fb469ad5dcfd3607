"""Queries for the things articles hang off: sources, sections, authors, tags and images."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.models import Author, Image, Section, Source, Tag
from api.queries.pagination import Page, SortKey, Window, fetch_page

Row = TypeVar("Row", Source, Section, Author, Tag, Image)


async def rows_by_ids(
    session: AsyncSession, model: type[Row], ids: Sequence[int]
) -> dict[int, Row]:
    """Rows of a catalogue table by primary key (none of them has a visibility rule)."""
    statement = select(model).where(model.id.in_(ids))
    return {row.id: row for row in (await session.scalars(statement)).all()}


async def row_by_slug(session: AsyncSession, model: type[Row], slug: str) -> Row | None:
    if model is Image:
        raise TypeError("images have no slug")
    return (await session.scalars(select(model).where(model.slug == slug))).one_or_none()  # type: ignore[attr-defined]


async def top_level_sections(session: AsyncSession) -> list[Section]:
    statement = (
        select(Section).where(Section.parent_id.is_(None)).order_by(Section.position, Section.name)
    )
    return list((await session.scalars(statement)).all())


async def sections_by_parent(
    session: AsyncSession, parent_ids: Sequence[int]
) -> dict[int, list[Section]]:
    statement = (
        select(Section)
        .where(Section.parent_id.in_(parent_ids))
        .order_by(Section.position, Section.name)
    )
    result: dict[int, list[Section]] = defaultdict(list)
    for section in (await session.scalars(statement)).all():
        assert section.parent_id is not None
        result[section.parent_id].append(section)
    return result


def sources_in(country: str | None) -> Select[Source]:
    """The sources directory, optionally of one country."""
    statement = select(Source)
    return statement if country is None else statement.where(Source.country == country.upper())


def authors_of(source_slug: str | None) -> Select[Author]:
    """The authors directory, optionally those affiliated with one source."""
    statement = select(Author)
    if source_slug is None:
        return statement
    source_id = select(Source.id).where(Source.slug == source_slug).scalar_subquery()
    return statement.where(Author.source_id == source_id)


async def name_page(
    session: AsyncSession, statement: Select[Any], model: type[Source | Author], window: Window
) -> Page[Any]:
    """A directory page in name order."""
    keys: list[SortKey] = [model.name, model.id]
    return await fetch_page(session, statement, keys, window, descending=False)


async def count_rows(session: AsyncSession, statement: Select[Any]) -> int:
    subquery = statement.subquery()
    return int((await session.execute(select(func.count()).select_from(subquery))).scalar_one())
