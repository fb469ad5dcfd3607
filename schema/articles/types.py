"""The Article type: a story, rendered from an article row, with its byline, section, source,
tags, countries, picture, related stories and (in a search) highlighted passage."""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import strawberry

from api import models
from api.content import format_byline
from api.errors import BadUserInput
from api.queries.records import ArticleRecord
from api.queries.related import RELATED_KEPT
from api.queries.search import HIGHLIGHT_START, HIGHLIGHT_STOP
from schema.articles import metadata
from schema.batching import BATCH, WITH_ARGUMENTS, BatchInfo, batched, loaded, trail_of
from schema.context import Context, Info
from schema.images import Image
from schema.refs import ArticleRef, AuthorRef, SectionRef, SourceRef, TagRef
from schema.relay import MAX_PAGE_SIZE, Node, id_field, renders

DEFAULT_RELATED = 5

ArticleRow = models.Article | ArticleRecord  # an entity, or a record of the read side


async def _bylines(articles: Sequence[ArticleRow], context: Context) -> list[str]:
    """ "By A, B and C"; the source's name when no author is credited."""
    loaders = context.loaders
    authors = await loaders.authors_by_article.load_many([a.id for a in articles])
    uncredited = [a.source_id for a, names in zip(articles, authors, strict=True) if not names]
    sources = iter(await loaders.source_by_id.load_many(uncredited) if uncredited else [])
    bylines = []
    for names in authors:
        if names:
            bylines.append(format_byline([author.name for author in names]))
        else:
            source = next(sources)
            bylines.append(format_byline([source.name] if source else []))
    return bylines


def _text_field(attribute: str, description: str) -> str:
    """A body field: records leave the bodies out, so they are loaded for the page's articles
    at once (one statement), only when asked for."""

    async def texts(articles: Sequence[ArticleRow], context: Context) -> list[str]:
        found = await context.loaders.text_by_article.load_many([a.id for a in articles])
        return [getattr(text, attribute) if text else "" for text in found]

    return batched(texts, str, description)  # type: ignore[no-any-return]


async def _related_many(
    articles: Sequence[ArticleRow], context: Context, first: int | None, bare: bool = False
) -> list[list[ArticleRow]]:
    """`bare`: the lists show only the stories' own fields (`_OWN_FIELDS`)."""
    first = DEFAULT_RELATED if first is None else first
    if not 0 <= first <= MAX_PAGE_SIZE:
        raise BadUserInput(f"`related(first:)` must be between 0 and {MAX_PAGE_SIZE}; got {first}.")
    if first == 0:
        return [[] for _ in articles]
    keys = [(article.id, first, bare) for article in articles]
    return [list(found) for found in await context.loaders.related_by_article.load_many(keys)]


async def _related(
    root: strawberry.Parent[ArticleRow], info: Info, first: int | None = DEFAULT_RELATED
) -> list[ArticleRow]:
    return (await _related_many([root], info.context, first))[0]


# Fields read from an article's own row: a related list showing only these needs no section,
# source or picture read along (the planned executor says what is selected).
_OWN_FIELDS = frozenset(
    {
        *("__typename", "id", "slug", "url", "headline", "dek", "excerpt", "language"),
        *("publishedAt", "updatedAt", "readingTimeMinutes"),
    }
)


async def _related_batch(articles: Sequence[ArticleRow], info: BatchInfo) -> list[Any]:
    bare = info.selected is not None and info.selected <= _OWN_FIELDS
    return await _related_many(articles, info.context, info.arguments.get("first"), bare)


def search_of(
    searches: dict[tuple[str | int, ...], str], path: tuple[str | int, ...]
) -> str | None:
    """The search whose connection the article at `path` is a node of (`search`, or a feed
    filtered by a query): `...connection, nodes, i, highlight` or `..., edges, i, node, ...`."""
    return searches.get(path[:-3]) or searches.get(path[:-4])


async def _highlights(articles: Sequence[ArticleRow], info: BatchInfo) -> list[str | None]:
    """The matching passage of each article in a search, terms in <mark>; else null."""
    queries = [search_of(info.context.searches, path) for path in info.paths]
    wanted = [(query, a.id) for query, a in zip(queries, articles, strict=True) if query]
    found = iter(await info.context.loaders.highlight_by_article.load_many(wanted))
    passages: list[str | None] = []
    for query in queries:
        marked = next(found) if query else None
        if marked is None:
            passages.append(None)
            continue
        safe = html.escape(marked, quote=False)
        passages.append(safe.replace(HIGHLIGHT_START, "<mark>").replace(HIGHLIGHT_STOP, "</mark>"))
    return passages


async def _highlight(root: strawberry.Parent[ArticleRow], info: Info) -> str | None:
    parent = info.path.prev
    trail = None if parent is None else trail_of(parent.as_list())
    here = BatchInfo(info.context, [trail], str(info.path.key))
    (passage,) = await _highlights([root], here)
    return passage


@strawberry.type
class Article(Node):
    is_type_of = renders(models.Article, "Article")

    id: strawberry.ID = id_field("Article")
    slug: str = strawberry.field(description="Unique per source.")
    url: str = strawberry.field(description="Canonical URL at the source.")
    headline: str
    dek: str | None = strawberry.field(description="Standfirst under the headline.")
    excerpt: str = strawberry.field(
        description="Plain-text teaser, at most 300 characters, never cut mid-word."
    )
    body: str = _text_field("body_html", "Sanitized HTML.")
    body_text: str = _text_field("body_text", "The body as plain text.")
    language: str = strawberry.field(description='BCP-47, e.g. "en".')
    published_at: datetime | None
    updated_at: datetime
    reading_time_minutes: int
    byline: str = batched(
        _bylines, str, '"By Cod Satrusayang"; the source\'s name when no author is credited.'
    )
    section: models.Section = loaded(
        lambda ls: ls.section_by_id, lambda a: a.section_id, SectionRef
    )
    source: models.Source = loaded(lambda ls: ls.source_by_id, lambda a: a.source_id, SourceRef)
    authors: list[models.Author] = loaded(
        lambda ls: ls.authors_by_article, lambda a: a.id, list[AuthorRef], "In byline order."
    )
    tags: list[models.Tag] = loaded(lambda ls: ls.tags_by_article, lambda a: a.id, list[TagRef])
    countries: list[str] = loaded(
        lambda ls: ls.countries_by_article,
        lambda a: a.id,
        list[str],
        "ISO 3166-1 alpha-2 codes of the countries the story is about.",
    )
    image: models.Image | None = loaded(
        lambda ls: ls.image_by_id, lambda a: a.image_id, Image | None
    )
    related: list[ArticleRow] = strawberry.field(
        resolver=_related,
        metadata={BATCH: _related_batch, WITH_ARGUMENTS: True},
        graphql_type=list[ArticleRef],
        description="Other published stories to read next, ranked by shared tags, countries, "
        "section and source, with recency; never the article itself. At most "
        f"{RELATED_KEPT} (each story's stored list).",
    )
    highlight: str | None = strawberry.field(
        resolver=_highlight,
        description="The matching passage with <mark> around terms; null outside a search.",
        metadata={BATCH: _highlights},
    )
    canonical_url: str = strawberry.field(
        resolver=metadata.canonical_url,
        description="The URL a page showing the story credits (rel=canonical, og:url) and "
        "share links point to: the story at its source.",
    )
    share_links: list[metadata.ShareLink] = strawberry.field(
        resolver=metadata.share_links,
        description="Share dialogs (Facebook, X, LinkedIn, WhatsApp, e-mail) for the "
        "canonical URL.",
    )
    meta_tags: list[metadata.MetaTag] = strawberry.field(
        resolver=metadata.meta_tags,
        description="Open Graph and Twitter card `<meta>` elements for the page head.",
    )
    structured_data: str = strawberry.field(
        resolver=metadata.structured_data,
        description="schema.org NewsArticle as JSON-LD, safe to place inside "
        '<script type="application/ld+json"> as is.',
    )
