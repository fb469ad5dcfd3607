"""The catalogue articles hang off: sources, sections and authors, created or updated by slug.

Each write validates the whole input first (reads only) and writes nothing when anything is
wrong; otherwise it writes, records an audit entry naming the API key, and flushes. The caller
commits (api/transactions.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.models import Author, Section, Source, max_length
from api.services import audit
from api.services.listing import Touched, relist
from api.services.outcome import Outcome
from api.services.rows import assign, save
from api.services.validation import (
    MISSING,
    NOT_FOUND,
    Missing,
    Path,
    Problems,
    checked,
    input_path,
)

CatalogRow = TypeVar("CatalogRow", Source, Section, Author)
ApiKeyId = int | None

# Length limits: the model's column sizes, and sane caps where a column is unbounded text.
NAME_MAX = max_length(Source.name)  # sources, sections and authors alike
CATALOG_SLUG_MAX = max_length(Source.slug)
DESCRIPTION_MAX = 10_000  # unbounded text: a sane cap
MAX_POSITION = 10_000


async def by_slug(session: AsyncSession, model: type[CatalogRow], slug: str) -> CatalogRow | None:
    return await session.scalar(select(model).where(model.slug == slug))


async def reference(
    session: AsyncSession,
    problems: Problems,
    path: Path,
    model: type[CatalogRow],
    slug: str,
) -> CatalogRow | None:
    """The row a slug refers to, or a NOT_FOUND problem."""
    row = await by_slug(session, model, slug.strip())
    if row is None:
        problems.add(path, f"No {model.__name__.lower()} with slug {slug.strip()!r}.", NOT_FOUND)
    return row


def _name_and_slug(p: Problems, name: str, slug: str | None) -> tuple[str | None, str | None]:
    """A catalogue entry's name, and its slug (derived from the name when absent)."""
    cleaned = p.text(input_path("name"), name, required=True, max_length=NAME_MAX)
    return cleaned, p.slug_or_derived(
        input_path("slug"), slug, cleaned, max_length=CATALOG_SLUG_MAX
    )


def _long_text(p: Problems, field: str, value: str | Missing | None) -> str | Missing | None:
    return checked(value, lambda v: p.text(input_path(field), v, max_length=DESCRIPTION_MAX))


@dataclass(frozen=True)
class SourceData:
    name: str
    slug: str | None = None
    description: str | Missing | None = MISSING
    url: str | Missing | None = MISSING
    country: str | Missing | None = MISSING
    language: str | Missing | None = MISSING


async def upsert_source(
    session: AsyncSession, api_key_id: ApiKeyId, data: SourceData
) -> Outcome[Source]:
    """Create the source with this slug (derived from the name when absent), or update it."""
    p = Problems()
    name, slug = _name_and_slug(p, data.name, data.slug)
    description = _long_text(p, "description", data.description)
    url = checked(data.url, lambda v: p.url(input_path("url"), v))
    country = checked(data.country, lambda v: p.country(input_path("country"), v))
    if data.language is None:
        p.add(input_path("language"), "A source always has a language; omit the field to keep it.")
    language = checked(data.language, lambda v: p.language(input_path("language"), v))
    if p:
        return Outcome.failed(p)
    return await _upsert(
        session,
        api_key_id,
        await by_slug(session, Source, slug or ""),
        lambda: Source(slug=slug, language="en"),
        name=name,
        description=description,
        url=url,
        country=country,
        language=language,
    )


@dataclass(frozen=True)
class SectionData:
    name: str
    slug: str | None = None
    description: str | Missing | None = MISSING
    parent: str | Missing | None = MISSING  # a section slug; null makes it top-level
    position: int | Missing | None = MISSING
    listed: bool | Missing | None = MISSING  # shown to readers before any story is in it


async def upsert_section(
    session: AsyncSession, api_key_id: ApiKeyId, data: SectionData
) -> Outcome[Section]:
    """Create the section with this slug (derived from the name when absent), or update it."""
    p = Problems()
    name, slug = _name_and_slug(p, data.name, data.slug)
    description = _long_text(p, "description", data.description)
    position: int | Missing | None = data.position
    if position is None:
        position = MISSING  # null: leave the order as it is
    elif not isinstance(position, Missing) and not 0 <= position <= MAX_POSITION:
        p.add(input_path("position"), f"Must be between 0 and {MAX_POSITION}.")
    existing = await by_slug(session, Section, slug) if slug else None
    parent_id: int | Missing | None = MISSING
    if isinstance(data.parent, str):
        parent = await reference(session, p, input_path("parent"), Section, data.parent)
        if parent is not None:
            parent_id = parent.id
            if existing is not None and await _is_descendant(session, parent, existing.id):
                p.add(
                    input_path("parent"), "A section cannot be nested under itself or its children."
                )
    elif data.parent is None:
        parent_id = None
    if p:
        return Outcome.failed(p)
    return await _upsert(
        session,
        api_key_id,
        existing,
        lambda: Section(slug=slug, listed=False),
        name=name,
        description=description,
        parent_id=parent_id,
        position=position,
        listed=MISSING if data.listed is None else data.listed,
    )


async def _is_descendant(session: AsyncSession, section: Section, ancestor_id: int) -> bool:
    """True when `section` is `ancestor_id` or lies below it."""
    current: Section | None = section
    seen: set[int] = set()
    while current is not None and current.id not in seen:
        if current.id == ancestor_id:
            return True
        seen.add(current.id)
        current = await session.get(Section, current.parent_id) if current.parent_id else None
    return False


@dataclass(frozen=True)
class AuthorData:
    name: str
    slug: str | None = None
    bio: str | Missing | None = MISSING
    is_organization: bool | Missing | None = MISSING
    source: str | Missing | None = MISSING  # a source slug (affiliation); null clears it
    listed: bool | Missing | None = MISSING  # shown to readers before any story has the byline


async def upsert_author(
    session: AsyncSession, api_key_id: ApiKeyId, data: AuthorData
) -> Outcome[Author]:
    """Create the author with this slug (derived from the name when absent), or update it."""
    p = Problems()
    name, slug = _name_and_slug(p, data.name, data.slug)
    bio = _long_text(p, "bio", data.bio)
    source_id: int | Missing | None = MISSING
    if isinstance(data.source, str):
        source = await reference(session, p, input_path("source"), Source, data.source)
        source_id = source.id if source is not None else MISSING
    elif data.source is None:
        source_id = None
    is_organization = MISSING if data.is_organization is None else data.is_organization
    if p:
        return Outcome.failed(p)
    return await _upsert(
        session,
        api_key_id,
        await by_slug(session, Author, slug or ""),
        lambda: Author(slug=slug, is_organization=False, listed=False),
        name=name,
        bio=bio,
        is_organization=is_organization,
        source_id=source_id,
        listed=MISSING if data.listed is None else data.listed,
    )


async def _upsert(
    session: AsyncSession,
    api_key_id: ApiKeyId,
    existing: CatalogRow | None,
    create: Callable[[], CatalogRow],
    **values: Any,
) -> Outcome[CatalogRow]:
    """Update `existing` (or a row from `create`) with the values sent, and audit the change."""
    before = audit.snapshot(existing) if existing is not None else None
    row = existing if existing is not None else create()
    # A section's old parent loses a child (and maybe its only stories): relist it too.
    old_parent = existing.parent_id if isinstance(existing, Section) else None
    assign(row, **values)
    await save(session, row)
    if isinstance(row, Section):
        await relist(session, Touched(sections={row.id} | ({old_parent} if old_parent else set())))
    elif isinstance(row, Author):
        await relist(session, Touched(authors={row.id}))
    kind = type(row).__name__.lower()
    await audit.record(
        session,
        api_key_id=api_key_id,
        action=f"{kind}.create" if before is None else f"{kind}.update",
        entity=row,
        before=before,
        after=audit.snapshot(row),
    )
    return Outcome(row)
