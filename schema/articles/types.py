"""The Article type: a story, rendered from an article row, with its byline, section, source,
tags, countries, picture, related stories and (in a search) highlighted passage."""

from __future__ import annotations

import html
from datetime import datetime

import strawberry

from api import models
from api.content import format_byline
from api.errors import BadUserInput
from api.queries.search import HIGHLIGHT_START, HIGHLIGHT_STOP
from schema.articles import metadata
from schema.context import Info
from schema.images import Image, load_image
from schema.refs import ArticleRef, AuthorRef, SectionRef, SourceRef, TagRef
from schema.relay import MAX_PAGE_SIZE, Node, id_field, renders

DEFAULT_RELATED = 5

ArticleRow = models.Article


async def _byline(root: strawberry.Parent[ArticleRow], info: Info) -> str:
    authors = await info.context.loaders.authors_by_article.load(root.id)
    if authors:
        return format_byline([author.name for author in authors])
    source = await info.context.loaders.source_by_id.load(root.source_id)
    return format_byline([source.name] if source else [])


async def _section(root: strawberry.Parent[ArticleRow], info: Info) -> models.Section:
    row = await info.context.loaders.section_by_id.load(root.section_id)
    assert row is not None
    return row


async def _source(root: strawberry.Parent[ArticleRow], info: Info) -> models.Source:
    row = await info.context.loaders.source_by_id.load(root.source_id)
    assert row is not None
    return row


async def _authors(root: strawberry.Parent[ArticleRow], info: Info) -> list[models.Author]:
    return await info.context.loaders.authors_by_article.load(root.id)


async def _tags(root: strawberry.Parent[ArticleRow], info: Info) -> list[models.Tag]:
    return await info.context.loaders.tags_by_article.load(root.id)


async def _countries(root: strawberry.Parent[ArticleRow], info: Info) -> list[str]:
    return await info.context.loaders.countries_by_article.load(root.id)


async def _image(root: strawberry.Parent[ArticleRow], info: Info) -> models.Image | None:
    return await load_image(info, root.image_id)


async def _related(
    root: strawberry.Parent[ArticleRow], info: Info, first: int | None = DEFAULT_RELATED
) -> list[ArticleRow]:
    first = DEFAULT_RELATED if first is None else first
    if not 0 <= first <= MAX_PAGE_SIZE:
        raise BadUserInput(f"`related(first:)` must be between 0 and {MAX_PAGE_SIZE}; got {first}.")
    if first == 0:
        return []
    return await info.context.loaders.related_by_article.load((root.id, first))


def search_query_of(info: Info) -> str | None:
    """The search whose connection this article is a node of (`search` or a filtered feed)."""
    path = tuple(info.path.as_list())
    searches = info.context.searches
    # ...connection, nodes, i, highlight  or  ...connection, edges, i, node, highlight
    return searches.get(path[:-3]) or searches.get(path[:-4])


async def _highlight(root: strawberry.Parent[ArticleRow], info: Info) -> str | None:
    query = search_query_of(info)
    if query is None:
        return None
    marked = await info.context.loaders.highlight_by_article.load((query, root.id))
    if marked is None:
        return None
    safe = html.escape(marked, quote=False)
    return safe.replace(HIGHLIGHT_START, "<mark>").replace(HIGHLIGHT_STOP, "</mark>")


def _body(root: strawberry.Parent[ArticleRow]) -> str:
    return root.body_html


@strawberry.type
class Article(Node):
    is_type_of = renders(ArticleRow, "Article")

    id: strawberry.ID = id_field("Article")
    slug: str = strawberry.field(description="Unique per source.")
    url: str = strawberry.field(description="Canonical URL at the source.")
    headline: str
    dek: str | None = strawberry.field(description="Standfirst under the headline.")
    excerpt: str = strawberry.field(
        description="Plain-text teaser, at most 300 characters, never cut mid-word."
    )
    body: str = strawberry.field(resolver=_body, description="Sanitized HTML.")
    body_text: str
    language: str = strawberry.field(description='BCP-47, e.g. "en".')
    published_at: datetime | None
    updated_at: datetime
    reading_time_minutes: int
    byline: str = strawberry.field(
        resolver=_byline,
        description='"By Cod Satrusayang"; the source\'s name when no author is credited.',
    )
    section: models.Section = strawberry.field(
        resolver=_section,
        graphql_type=SectionRef,
    )
    source: models.Source = strawberry.field(resolver=_source, graphql_type=SourceRef)
    authors: list[models.Author] = strawberry.field(
        resolver=_authors,
        graphql_type=list[AuthorRef],
        description="In byline order.",
    )
    tags: list[models.Tag] = strawberry.field(resolver=_tags, graphql_type=list[TagRef])
    countries: list[str] = strawberry.field(
        resolver=_countries,
        description="ISO 3166-1 alpha-2 codes of the countries the story is about.",
    )
    image: models.Image | None = strawberry.field(resolver=_image, graphql_type=Image | None)
    related: list[ArticleRow] = strawberry.field(
        resolver=_related,
        graphql_type=list[ArticleRef],
        description="Other published stories to read next, ranked by shared tags, countries, "
        "section and source, with recency; never the article itself.",
    )
    highlight: str | None = strawberry.field(
        resolver=_highlight,
        description="The matching passage with <mark> around terms; null outside a search.",
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
