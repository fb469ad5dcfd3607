"""Rows as the read side returns them: named tuples of the columns a page renders.

Reading ORM entities costs an identity-map entry, instrumented state and attribute events per
row, none of which a read needs; a front page of twenty stories with their sections, sources,
pictures, bylines and tags is some 150 rows. The read queries select these columns instead and
build one of the records below from each row. Records carry the same attribute names as the
models, so a GraphQL type renders a record and an entity alike (schema/relay.py `renders`), and
a mutation can answer with the entity it has just written.

Statements stay ORM-enabled (they select the models' attributes), so the session's visibility
criteria apply to them exactly as to entity queries (api/visibility.py).

An article record leaves the bodies out: a card never shows them. `article_texts` fetches them
for the pages that do.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy.orm import InstrumentedAttribute

from api.models import (
    Article,
    ArticleStatus,
    Author,
    Image,
    Newsletter,
    NewsletterIssue,
    NewsletterItem,
    Section,
    Source,
    Tag,
)


class ArticleRecord(NamedTuple):
    """An article without its bodies (`body_html`, `body_text`) or search vector."""

    id: int
    source_id: int
    section_id: int
    slug: str
    external_id: str | None
    status: ArticleStatus
    published_at: datetime | None
    headline: str
    dek: str | None
    excerpt: str
    language: str
    url: str
    image_id: int | None
    reading_time_minutes: int
    created_at: datetime
    updated_at: datetime


class SectionRecord(NamedTuple):
    id: int
    slug: str
    name: str
    description: str | None
    parent_id: int | None
    position: int


class SourceRecord(NamedTuple):
    id: int
    slug: str
    name: str
    description: str | None
    url: str | None
    country: str | None
    language: str
    logo_id: int | None


class AuthorRecord(NamedTuple):
    id: int
    slug: str
    name: str
    bio: str | None
    is_organization: bool
    source_id: int | None
    avatar_id: int | None


class TagRecord(NamedTuple):
    id: int
    slug: str
    name: str


class ImageRecord(NamedTuple):
    id: int
    url: str
    caption: str | None
    credit: str | None
    width: int | None
    height: int | None


class NewsletterRecord(NamedTuple):
    id: int
    slug: str
    name: str
    description: str | None


class IssueRecord(NamedTuple):
    id: int
    newsletter_id: int
    date: date
    title: str
    intro: str | None
    published_at: datetime | None


class ItemRecord(NamedTuple):
    """One story of a newsletter issue, in the issue's editorial order."""

    issue_id: int
    position: int
    article_id: int
    blurb: str | None


class ArticleText(NamedTuple):
    """The bodies of an article, for the pages that show them."""

    body_html: str
    body_text: str


# Each record with the model its columns come from.
RECORDS: dict[type[Any], type[Any]] = {
    ArticleRecord: Article,
    SectionRecord: Section,
    SourceRecord: Source,
    AuthorRecord: Author,
    TagRecord: Tag,
    ImageRecord: Image,
    NewsletterRecord: Newsletter,
    IssueRecord: NewsletterIssue,
    ItemRecord: NewsletterItem,
}
RECORD_OF: dict[type[Any], type[Any]] = {model: record for record, model in RECORDS.items()}


def columns(record: type[Any], entity: Any = None) -> list[InstrumentedAttribute[Any]]:
    """The columns to select for `record`, from its model or from `entity` (an alias of it)."""
    source = RECORDS[record] if entity is None else entity
    return [getattr(source, name) for name in record._fields]


WIDTH = {record: len(record._fields) for record in RECORDS}  # columns per record
_new = tuple.__new__  # a named tuple from exactly its fields' values (`_make` without a check)


def build(record: type[Any], row: Sequence[Any], start: int = 0) -> Any:
    """The record made of `row[start:]`'s first columns (None when its id is NULL: an outer
    join found nothing)."""
    values = row[start : start + WIDTH[record]]
    return None if values[0] is None else _new(record, values)
