"""What an article card renders with, by article id: the article with its section, source and
picture (one join), bylines, tags and countries, and (for pages that show them) the bodies.

A page of cards (a feed, an article looked up by id or slug) is one statement: `with_card`
selects each story's bylines and tags along with it, as two arrays of rows, and
`Loaders.prime_refs` answers the `authors`, `byline` and `tags` fields from them. The statements
by article id below serve the lists whose cards leave them out (related stories, newsletter
items).

Rows come back as records (api/queries/records.py); every statement is built once and run with
the ids bound as one array (`= ANY(:ids)`), so its SQL text, compiled form and PostgreSQL
prepared statement are the same for every page. The session's visibility applies as everywhere
(api/visibility.py).
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any, NamedTuple

from sqlalchemy import (
    BigInteger,
    ScalarSelect,
    Select,
    String,
    any_,
    bindparam,
    func,
    literal,
    null,
    select,
    true,
    tuple_,
)
from sqlalchemy.dialects.postgresql import ARRAY, aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import NullType

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
    WIDTH,
    ArticleRecord,
    ArticleText,
    AuthorRecord,
    ImageRecord,
    SectionRecord,
    SourceRecord,
    TagRecord,
    columns,
)


class ArticleRefs(NamedTuple):
    """An article with the rows nearly every client renders with it, fetched in one join;
    with its bylines and tags too when read by `with_card` (None: not read)."""

    article: ArticleRecord
    section: SectionRecord
    source: SourceRecord
    image: ImageRecord | None
    authors: list[AuthorRecord] | None = None
    tags: list[TagRecord] | None = None


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


class CardParts(enum.Flag):
    """What a card reads beyond its refs: a page that shows no tags reads none."""

    NONE = 0
    BYLINES = enum.auto()  # for `authors` and `byline`
    TAGS = enum.auto()
    ALL = BYLINES | TAGS


def with_card(
    statement: Select[Any], article: Any = Article, parts: CardParts = CardParts.ALL
) -> Select[Any]:
    """`with_refs`, and `article`'s bylines (in byline order) and tags (by name) as two more
    columns, each an array of rows (NULL for none; always NULL for a part not in `parts`);
    `CARD_BUILDERS[parts]` reads them back. The session's visibility applies inside them as
    anywhere (a reader sees only listed authors and tags)."""
    return with_refs(statement, article).add_columns(
        _bylines(article) if CardParts.BYLINES in parts else null().label("no_bylines"),
        _tags(article) if CardParts.TAGS in parts else null().label("no_tags"),
    )  # a part not read keeps its place (NULL): a card's columns never move


def _bylines(article: Any) -> ScalarSelect[Any]:
    author = _by_key(select(*columns(AuthorRecord)).where(Author.id == ArticleAuthor.author_id))
    return _listed(author, ArticleAuthor, ArticleAuthor.position, article)


def _tags(article: Any) -> ScalarSelect[Any]:
    tag = _by_key(select(*columns(TagRecord)).where(Tag.id == ArticleTag.tag_id))
    return _listed(tag, ArticleTag, tag.c.name, article)


def _by_key(lookup: Select[Any]) -> Any:
    """A catalogue row looked up by key for each link, as a lateral subquery kept apart by
    `OFFSET 0`: merged into a join, it lets the planner read the whole (small) catalogue table
    for every card to hash it, some 0.2 ms a card where a primary-key lookup takes microseconds."""
    return lookup.offset(literal(0, literal_execute=True)).lateral()


def _listed(row: Any, link: Any, order: Any, article: Any) -> ScalarSelect[Any]:
    """The `row`s `link` ties to `article`, in `order`, as one array (NULL for none)."""
    return (
        select(func.array_agg(aggregate_order_by(tuple_(*row.c), order), type_=NullType()))
        .select_from(link)
        .join(row, true())
        .where(link.article_id == article.id)
        .scalar_subquery()
    )


_SECTION_AT = WIDTH[ArticleRecord]
_SOURCE_AT = _SECTION_AT + WIDTH[SectionRecord]
_IMAGE_AT = _SOURCE_AT + WIDTH[SourceRecord]
_BYLINES_AT = _IMAGE_AT + WIDTH[ImageRecord]  # the columns `with_card` adds to `with_refs`'
_TAGS_AT = _BYLINES_AT + 1


# Records from exactly their columns, by C calls alone (a page of cards makes some 150).
_new = tuple.__new__
_author = partial(_new, AuthorRecord)
_tag = partial(_new, TagRecord)


def _joined(row: Sequence[Any], start: int) -> tuple[Any, ...]:
    """The article, section, source and image `with_refs` added, from `row[start:]`."""
    image = row[start + _IMAGE_AT : start + _BYLINES_AT]
    return (
        _new(ArticleRecord, row[start : start + _SECTION_AT]),  # inner joins: never NULL
        _new(SectionRecord, row[start + _SECTION_AT : start + _SOURCE_AT]),
        _new(SourceRecord, row[start + _SOURCE_AT : start + _IMAGE_AT]),
        None if image[0] is None else _new(ImageRecord, image),  # an outer join
    )


def refs_of(row: Sequence[Any], start: int = 0) -> ArticleRefs:
    """The records `with_refs` added to a statement, from `row[start:]`."""
    return _new(ArticleRefs, (*_joined(row, start), None, None))


def _card(read_bylines: bool, read_tags: bool, row: Sequence[Any]) -> ArticleRefs:
    """The records `with_card` added to a statement (its first columns); a part not read
    stays None."""
    bylines = list(map(_author, row[_BYLINES_AT] or ())) if read_bylines else None
    tags = list(map(_tag, row[_TAGS_AT] or ())) if read_tags else None
    return _new(ArticleRefs, (*_joined(row, 0), bylines, tags))


# Reads a card back from a `with_card(..., parts)` row.
CARD_BUILDERS: dict[CardParts, Callable[[Sequence[Any]], ArticleRefs]] = {
    parts: partial(_card, CardParts.BYLINES in parts, CardParts.TAGS in parts)
    for parts in (CardParts.NONE, CardParts.BYLINES, CardParts.TAGS, CardParts.ALL)
}
card_of = CARD_BUILDERS[CardParts.ALL]  # all parts read


_BY_IDS = bindparam("ids", type_=ARRAY(BigInteger))
_ARTICLES_BY_IDS = with_card(select()).where(Article.id == any_(_BY_IDS))


async def articles_by_ids(session: AsyncSession, ids: Sequence[int]) -> dict[int, ArticleRefs]:
    """Articles as cards (with their section, source, image, bylines and tags), by id."""
    found = await rows(session, _ARTICLES_BY_IDS, {"ids": list(ids)})
    return {refs.article.id: refs for refs in map(card_of, found)}


_TEXTS = select(Article.id, Article.body_html, Article.body_text).where(Article.id == any_(_BY_IDS))


async def article_texts(session: AsyncSession, ids: Sequence[int]) -> dict[int, ArticleText]:
    """The bodies of the articles (records leave them out)."""
    found = await rows(session, _TEXTS, {"ids": list(ids)})
    return {row[0]: ArticleText(row[1], row[2]) for row in found}


_BY_SLUG = (
    with_card(select())
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
    return [card_of(row) for row in found]


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
