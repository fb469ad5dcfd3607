"""Articles: the Article and Image types, ArticleFilter, feeds, and the `article(s)` queries."""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from api import models
from api.queries import articles as queries
from api.queries.articles import ArticleCriteria, ArticleFeed, ArticleOrder
from schema.connections import Connection, build_connection
from schema.context import Info
from schema.errors import BadUserInput
from schema.relay import MAX_PAGE_SIZE, Node, page_window, pk_of, to_global_id

if TYPE_CHECKING:
    from schema.authors import Author
    from schema.sections import Section
    from schema.sources import Source
    from schema.tags import Tag

strawberry.enum(ArticleOrder, description="How a feed is ordered; RELEVANCE needs a search query.")
MAX_FILTER_VALUES = 50
DEFAULT_RELATED = 5


@strawberry.type
class Image:
    url: str
    caption: str | None
    credit: str | None
    width: int | None
    height: int | None

    @classmethod
    def from_row(cls, row: models.Image) -> Image:
        return cls(
            url=row.url, caption=row.caption, credit=row.credit, width=row.width, height=row.height
        )


async def load_image(info: Info, image_id: int | None) -> Image | None:
    if image_id is None:
        return None
    row = await info.context.loaders.image_by_id.load(image_id)
    return Image.from_row(row) if row else None


@strawberry.input(description="Narrows a feed. OR within a field (tags: AND), AND across fields.")
class ArticleFilter:
    sections: list[str] | None = strawberry.field(
        default=None, description="Section slugs, OR-ed; a section includes its children."
    )
    sources: list[str] | None = strawberry.field(default=None, description="Source slugs, OR-ed.")
    authors: list[str] | None = strawberry.field(default=None, description="Author slugs, OR-ed.")
    tags: list[str] | None = strawberry.field(default=None, description="Tag slugs, AND-ed.")
    countries: list[str] | None = strawberry.field(
        default=None, description="ISO 3166-1 alpha-2 codes, OR-ed."
    )
    published_after: datetime | None = strawberry.field(default=None, description="Inclusive.")
    published_before: datetime | None = strawberry.field(default=None, description="Exclusive.")
    query: str | None = strawberry.field(
        default=None, description="Full-text search: quotes, -word, OR."
    )


def _values(name: str, values: list[str] | None) -> tuple[str, ...]:
    if not values:
        return ()
    if len(values) > MAX_FILTER_VALUES:
        raise BadUserInput(
            f"`filter.{name}` takes at most {MAX_FILTER_VALUES} values.", argument=name
        )
    return tuple(dict.fromkeys(values))


def _utc(moment: datetime | None, name: str) -> datetime | None:
    if moment is not None and moment.tzinfo is None:
        raise BadUserInput(f"`filter.{name}` needs a time zone (e.g. 2018-09-20T00:00:00Z).")
    return moment


def criteria_from(
    article_filter: ArticleFilter | None, base: ArticleCriteria | None = None
) -> ArticleCriteria:
    """Validate a client's filter and combine it with the page it is nested in."""
    base = base or ArticleCriteria()
    if article_filter is None:
        return base
    query = None
    if article_filter.query is not None:
        query = validate_search_text(article_filter.query)
    return replace(
        base,
        sections=_values("sections", article_filter.sections),
        sources=_values("sources", article_filter.sources),
        authors=_values("authors", article_filter.authors),
        tags=_values("tags", article_filter.tags),
        countries=_values("countries", article_filter.countries),
        published_after=_utc(article_filter.published_after, "publishedAfter"),
        published_before=_utc(article_filter.published_before, "publishedBefore"),
        query=query,
    )


def validate_search_text(text: str) -> str:
    cleaned = " ".join(text.replace("\x00", " ").split())
    if not cleaned:
        raise BadUserInput("The search query is empty.", argument="query")
    if len(cleaned) > queries.MAX_SEARCH_QUERY_LENGTH:
        raise BadUserInput(
            f"The search query is longer than {queries.MAX_SEARCH_QUERY_LENGTH} characters.",
            argument="query",
        )
    return cleaned


def format_byline(names: list[str]) -> str:
    if len(names) <= 1:
        return f"By {''.join(names)}"
    return f"By {', '.join(names[:-1])} and {names[-1]}"


@strawberry.type
class Article(Node):
    id: strawberry.ID
    slug: str = strawberry.field(description="Unique per source.")
    url: str = strawberry.field(description="Canonical URL at the source.")
    headline: str
    dek: str | None = strawberry.field(description="Standfirst under the headline.")
    excerpt: str = strawberry.field(
        description="Plain-text teaser, at most 300 characters, never cut mid-word."
    )
    body: str = strawberry.field(description="Sanitized HTML.")
    body_text: str
    language: str = strawberry.field(description='BCP-47, e.g. "en".')
    published_at: datetime | None
    updated_at: datetime
    reading_time_minutes: int
    row: strawberry.Private[models.Article]
    search_query: strawberry.Private[str | None] = None

    @classmethod
    def from_row(cls, row: models.Article, search_query: str | None = None) -> Article:
        return cls(
            id=to_global_id("Article", row.id),
            slug=row.slug,
            url=row.url,
            headline=row.headline,
            dek=row.dek,
            excerpt=row.excerpt,
            body=row.body_html,
            body_text=row.body_text,
            language=row.language,
            published_at=row.published_at,
            updated_at=row.updated_at,
            reading_time_minutes=row.reading_time_minutes,
            row=row,
            search_query=search_query,
        )

    @strawberry.field(
        description='"By Cod Satrusayang"; the source\'s name when no author is credited.'
    )
    async def byline(self, info: Info) -> str:
        authors = await info.context.loaders.authors_by_article.load(self.row.id)
        if authors:
            return format_byline([author.name for author in authors])
        source = await info.context.loaders.source_by_id.load(self.row.source_id)
        return format_byline([source.name] if source else [])

    @strawberry.field
    async def section(self, info: Info) -> Annotated[Section, strawberry.lazy("schema.sections")]:
        from schema.sections import Section

        row = await info.context.loaders.section_by_id.load(self.row.section_id)
        assert row is not None
        return Section.from_row(row)

    @strawberry.field
    async def source(self, info: Info) -> Annotated[Source, strawberry.lazy("schema.sources")]:
        from schema.sources import Source

        row = await info.context.loaders.source_by_id.load(self.row.source_id)
        assert row is not None
        return Source.from_row(row)

    @strawberry.field(description="In byline order.")
    async def authors(
        self, info: Info
    ) -> list[Annotated[Author, strawberry.lazy("schema.authors")]]:
        from schema.authors import Author

        return [
            Author.from_row(row)
            for row in await info.context.loaders.authors_by_article.load(self.row.id)
        ]

    @strawberry.field
    async def tags(self, info: Info) -> list[Annotated[Tag, strawberry.lazy("schema.tags")]]:
        from schema.tags import Tag

        return [
            Tag.from_row(row)
            for row in await info.context.loaders.tags_by_article.load(self.row.id)
        ]

    @strawberry.field(description="ISO 3166-1 alpha-2 codes of the countries the story is about.")
    async def countries(self, info: Info) -> list[str]:
        return await info.context.loaders.countries_by_article.load(self.row.id)

    @strawberry.field
    async def image(self, info: Info) -> Image | None:
        return await load_image(info, self.row.image_id)

    @strawberry.field(
        description="Other published stories to read next, ranked by shared tags, countries, "
        "section and source, with recency; never the article itself."
    )
    async def related(self, info: Info, first: int | None = DEFAULT_RELATED) -> list[Article]:
        first = DEFAULT_RELATED if first is None else first
        if not 0 <= first <= MAX_PAGE_SIZE:
            raise BadUserInput(
                f"`related(first:)` must be between 0 and {MAX_PAGE_SIZE}; got {first}."
            )
        if first == 0:
            return []
        rows = await info.context.loaders.related_by_article.load((self.row.id, first))
        return [Article.from_row(row) for row in rows]

    @strawberry.field(
        description="The matching passage with <mark> around terms; null outside a search."
    )
    async def highlight(self, info: Info) -> str | None:
        if self.search_query is None:
            return None
        marked = await info.context.loaders.highlight_by_article.load(
            (self.search_query, self.row.id)
        )
        if marked is None:
            return None
        safe = html.escape(marked, quote=False)
        return safe.replace(queries.HIGHLIGHT_START, "<mark>").replace(
            queries.HIGHLIGHT_STOP, "</mark>"
        )


ArticleConnection = Connection[Article]


def _feed_kind(feed: ArticleFeed) -> str:
    # A relevance cursor is only meaningful for the same query.
    if feed.order is ArticleOrder.RELEVANCE:
        return f"article:relevance:{feed.criteria.query}"
    return f"article:{feed.order.value.lower()}"


async def article_connection(
    info: Info,
    *,
    criteria: ArticleCriteria,
    order: ArticleOrder | None,
    first: int | None,
    after: str | None,
    last: int | None = None,
    before: str | None = None,
) -> Connection[Article]:
    """Any article feed: the front page, a section/source/author/tag page, or a search."""
    if order is ArticleOrder.RELEVANCE and criteria.query is None:
        raise BadUserInput("`orderBy: RELEVANCE` needs a search query (`filter.query`).")
    context = info.context
    if criteria.query is not None and not await context.db.run(
        queries.has_search_terms, criteria.query
    ):
        raise BadUserInput(
            "The search query has no searchable words (only stop words or punctuation).",
            argument="query",
        )
    feed = ArticleFeed(criteria=criteria, order=order or ArticleOrder.PUBLISHED_AT_DESC)
    kind = _feed_kind(feed)
    window = page_window(context.cursors, kind, first, after, last, before)
    page = await context.db.run(queries.article_page, context.visibility, feed, window)
    context.loaders.prime_refs(queries.ArticleRefs(*row) for row in page.rows)

    async def count() -> int:
        return await context.db.run(queries.count_articles, context.visibility, criteria)

    return build_connection(
        context.cursors, kind, page, lambda row: Article.from_row(row, criteria.query), count
    )


def feed_field(pin: Callable[[Any], ArticleCriteria], description: str) -> Any:
    """An `articles` field: the feed `pin` gives for the parent (a section's, a source's, or
    everything for Query), narrowed by the client's `filter`."""

    async def articles(
        root: strawberry.Parent[Any],
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: ArticleFilter | None = None,
        order_by: ArticleOrder | None = None,
    ) -> Connection[Article]:
        return await article_connection(
            info,
            criteria=criteria_from(filter, pin(root)),
            order=order_by,
            first=first,
            after=after,
            last=last,
            before=before,
        )

    return strawberry.field(resolver=articles, description=description)


@strawberry.type
class ArticleQueries:
    @strawberry.field(
        description="An article by id, or by slug (add `source` when the slug is ambiguous)."
    )
    async def article(
        self,
        info: Info,
        id: strawberry.ID | None = None,
        slug: str | None = None,
        source: str | None = None,
    ) -> Article | None:
        if (id is None) == (slug is None):
            raise BadUserInput("Pass exactly one of `id` or `slug`.")
        context = info.context
        if id is not None:
            pk = pk_of(id, "Article")
            row = await context.loaders.article_by_id.load(pk) if pk else None
            return Article.from_row(row) if row else None
        assert slug is not None
        rows = await context.db.run(queries.article_by_slug, context.visibility, slug, source)
        if len(rows) > 1:
            raise BadUserInput(
                f"Several sources use the slug {slug!r}; pass `source` too.", argument="source"
            )
        return Article.from_row(rows[0]) if rows else None

    articles = feed_field(
        lambda _: ArticleCriteria(), "Every visible article, newest first unless ordered otherwise."
    )
