"""What an article card renders with, by article id: the article with its section, source and
picture (one join), bylines, tags and countries, and (for pages that show them) the bodies.

Rows come back as records (api/queries/records.py); every statement is built once and run with
the ids bound as one array (`= ANY(:ids)`), so its SQL text, compiled form and PostgreSQL
prepared statement are the same for every page. The session's visibility applies as everywhere
(api/visibility.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any, NamedTuple

from sqlalchemy import BigInteger, Select, String, any_, bindparam, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from api.models import (
    Article,
    ArticleAuthor,
    ArticleCountry,
    ArticleTag,
    Author,
    Image,
    Section,
    Source,
    Tag,
)
from api.queries.driver import rows
from api.queries.records import (
    ArticleRecord,
    ArticleText,
    AuthorRecord,
    ImageRecord,
    SectionRecord,
    SourceRecord,
    TagRecord,
    build,
    columns,
)


class ArticleRefs(NamedTuple):
    """An article with the rows nearly every client renders with it, fetched in one join."""

    article: ArticleRecord
    section: SectionRecord
    source: SourceRecord
    image: ImageRecord | None


def with_refs(statement: Select[Any], article: Any = Article) -> Select[Any]:
    """Add `article`'s columns with its section, source and image (cheap primary-key joins) to
    `statement`; `refs_of` reads them back from a row."""
    return (
        statement.add_columns(
            *columns(ArticleRecord, article),
            *columns(SectionRecord),
            *columns(SourceRecord),
            *columns(ImageRecord),
        )
        .join(Section, Section.id == article.section_id)
        .join(Source, Source.id == article.source_id)
        .outerjoin(Image, Image.id == article.image_id)
    )


def refs_of(row: Sequence[Any], start: int = 0) -> ArticleRefs:
    """The records `with_refs` added to a statement, from `row[start:]`."""
    article = build(ArticleRecord, row, start)
    at = start + len(ArticleRecord._fields)
    section = build(SectionRecord, row, at)
    at += len(SectionRecord._fields)
    source = build(SourceRecord, row, at)
    at += len(SourceRecord._fields)
    return ArticleRefs(article, section, source, build(ImageRecord, row, at))


_BY_IDS = bindparam("ids", type_=ARRAY(BigInteger))
_ARTICLES_BY_IDS = with_refs(select()).where(Article.id == any_(_BY_IDS))


async def articles_by_ids(session: AsyncSession, ids: Sequence[int]) -> dict[int, ArticleRefs]:
    """Articles with their section, source and image, by id."""
    found = await rows(session, _ARTICLES_BY_IDS, {"ids": list(ids)})
    return {refs.article.id: refs for refs in map(refs_of, found)}


_TEXTS = select(Article.id, Article.body_html, Article.body_text).where(Article.id == any_(_BY_IDS))


async def article_texts(session: AsyncSession, ids: Sequence[int]) -> dict[int, ArticleText]:
    """The bodies of the articles (records leave them out)."""
    found = await rows(session, _TEXTS, {"ids": list(ids)})
    return {row[0]: ArticleText(row[1], row[2]) for row in found}


_BY_SLUG = (
    with_refs(select())
    .where(Article.slug == bindparam("slug", type_=String))
    .order_by(Article.id)
    .limit(2)
)
_BY_SLUG_AT_SOURCE = _BY_SLUG.where(Source.slug == bindparam("source", type_=String))


async def article_by_slug(
    session: AsyncSession, slug: str, source_slug: str | None
) -> list[ArticleRefs]:
    """Visible articles with this slug (several when the slug is used by several sources)."""
    if source_slug is None:
        found = await rows(session, _BY_SLUG, {"slug": slug})
    else:
        parameters = {"slug": slug, "source": source_slug}
        found = await rows(session, _BY_SLUG_AT_SOURCE, parameters)
    return [refs_of(row) for row in found]


_AUTHORS = (
    select(ArticleAuthor.article_id, *columns(AuthorRecord))
    .join(Author, Author.id == ArticleAuthor.author_id)
    .where(ArticleAuthor.article_id == any_(_BY_IDS))
    .order_by(ArticleAuthor.article_id, ArticleAuthor.position)
)


async def authors_by_article(
    session: AsyncSession, article_ids: Sequence[int]
) -> dict[int, list[AuthorRecord]]:
    result: dict[int, list[AuthorRecord]] = defaultdict(list)
    for row in await rows(session, _AUTHORS, {"ids": list(article_ids)}):
        result[row[0]].append(AuthorRecord._make(row[1:]))
    return result


_TAGS = (
    select(ArticleTag.article_id, *columns(TagRecord))
    .join(Tag, Tag.id == ArticleTag.tag_id)
    .where(ArticleTag.article_id == any_(_BY_IDS))
    .order_by(ArticleTag.article_id, Tag.name)
)


async def tags_by_article(
    session: AsyncSession, article_ids: Sequence[int]
) -> dict[int, list[TagRecord]]:
    result: dict[int, list[TagRecord]] = defaultdict(list)
    for row in await rows(session, _TAGS, {"ids": list(article_ids)}):
        result[row[0]].append(TagRecord._make(row[1:]))
    return result


_COUNTRIES = (
    select(ArticleCountry.article_id, ArticleCountry.country)
    .where(ArticleCountry.article_id == any_(_BY_IDS))
    .order_by(ArticleCountry.article_id, ArticleCountry.country)
)


async def countries_by_article(
    session: AsyncSession, article_ids: Sequence[int]
) -> dict[int, list[str]]:
    result: dict[int, list[str]] = defaultdict(list)
    for article_id, country in await rows(session, _COUNTRIES, {"ids": list(article_ids)}):
        result[article_id].append(country)
    return result
