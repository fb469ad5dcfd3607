"""Queries for the things articles hang off: sources, sections, authors, tags and images.

Rows come back as records (api/queries/records.py), looked up by an array of ids
(`= ANY(:ids)`) so a statement is built once and its SQL is the same for every page.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from functools import cache
from typing import Any, TypeVar

from sqlalchemy import BigInteger, Select, String, any_, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from api.models import Author, Image, Section, Source, Tag
from api.queries.driver import rows
from api.queries.pagination import Page, SortKey, Window, fetch_page, page_statement
from api.queries.records import (
    RECORD_OF,
    AuthorRecord,
    SectionRecord,
    SourceRecord,
    columns,
)

Model = type[Source] | type[Section] | type[Author] | type[Tag] | type[Image]
Record = TypeVar("Record")
_IDS = bindparam("ids", type_=ARRAY(BigInteger))


@cache
def _by_ids(model: Model) -> Select[Any]:
    return select(*columns(RECORD_OF[model])).where(model.id == any_(_IDS))


@cache
def _by_slug(model: Model) -> Select[Any]:
    if model is Image:
        raise TypeError("images have no slug")
    slug = model.slug  # type: ignore[union-attr]
    return select(*columns(RECORD_OF[model])).where(slug == bindparam("slug", type_=String))


async def rows_by_ids(session: AsyncSession, model: Model, ids: Sequence[int]) -> dict[int, Any]:
    """Records of a catalogue table by primary key (tags, authors and sections only once
    visible: api/visibility.py)."""
    make = RECORD_OF[model]._make
    found = await rows(session, _by_ids(model), {"ids": list(ids)})
    return {row[0]: make(row) for row in found}


async def row_by_slug(session: AsyncSession, model: Model, slug: str) -> Any | None:
    found = await rows(session, _by_slug(model), {"slug": slug})  # slugs are unique
    return RECORD_OF[model]._make(found[0]) if found else None


_SECTION_ORDER = (Section.position, Section.name)
_TOP_LEVEL = (
    select(*columns(SectionRecord)).where(Section.parent_id.is_(None)).order_by(*_SECTION_ORDER)
)
_CHILDREN = (
    select(*columns(SectionRecord)).where(Section.parent_id == any_(_IDS)).order_by(*_SECTION_ORDER)
)


async def top_level_sections(session: AsyncSession) -> list[SectionRecord]:
    return [SectionRecord._make(row) for row in await rows(session, _TOP_LEVEL)]


async def sections_by_parent(
    session: AsyncSession, parent_ids: Sequence[int]
) -> dict[int, list[SectionRecord]]:
    result: dict[int, list[SectionRecord]] = defaultdict(list)
    for row in await rows(session, _CHILDREN, {"ids": list(parent_ids)}):
        section = SectionRecord._make(row)
        assert section.parent_id is not None
        result[section.parent_id].append(section)
    return result


def sources_in(country: str | None) -> Select[Any]:
    """The sources directory, optionally of one country."""
    statement = select(*columns(SourceRecord))
    return statement if country is None else statement.where(Source.country == country.upper())


def authors_of(source_slug: str | None) -> Select[Any]:
    """The authors directory, optionally those affiliated with one source."""
    statement = select(*columns(AuthorRecord))
    if source_slug is None:
        return statement
    source_id = select(Source.id).where(Source.slug == source_slug).scalar_subquery()
    return statement.where(Author.source_id == source_id)


async def name_page(
    session: AsyncSession, statement: Select[Any], model: type[Source | Author], window: Window
) -> Page[Any]:
    """A directory page in name order."""
    keys: list[SortKey] = [model.name, model.id]
    record = RECORD_OF[model]
    width = len(record._fields)
    paged = page_statement(statement, keys, window, descending=False)
    return await fetch_page(
        session, paged, window, len(keys), lambda row: record._make(row[:width])
    )


async def count_rows(session: AsyncSession, statement: Select[Any]) -> int:
    subquery = statement.subquery()
    return int((await session.execute(select(func.count()).select_from(subquery))).scalar_one())
