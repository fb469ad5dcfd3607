"""Article feeds, shared by every type that has one: the front page, a section's, source's,
author's or tag's page, and search. Holds `ArticleFilter`, its validation, and the `articles`
connection field, so domain types need not import each other to offer a feed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from functools import lru_cache
from typing import Any

import strawberry
from strawberry.types.base import get_object_definition
from strawberry.utils.str_converters import to_camel_case

from api.errors import BadUserInput
from api.queries import articles as queries
from api.queries.articles import ArticleFeed, ArticleOrder
from api.queries.cards import CardParts
from api.queries.criteria import ArticleCriteria
from api.queries.pagination import Page
from api.queries.search import MAX_SEARCH_QUERY_LENGTH, has_search_terms
from schema.batching import BATCH, WITH_ARGUMENTS, BatchInfo
from schema.connections import Connection, ConnectionValue, build_connection
from schema.context import Context, Info
from schema.refs import ArticleRef
from schema.relay import page_window

strawberry.enum(ArticleOrder, description="How a feed is ordered; RELEVANCE needs a search query.")
MAX_FILTER_VALUES = 50

ArticleConnection = Connection[ArticleRef]


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


def validate_search_text(text: str) -> str:
    cleaned = " ".join(text.replace("\x00", " ").split())
    if not cleaned:
        raise BadUserInput("The search query is empty.", argument="query")
    if len(cleaned) > MAX_SEARCH_QUERY_LENGTH:
        raise BadUserInput(
            f"The search query is longer than {MAX_SEARCH_QUERY_LENGTH} characters.",
            argument="query",
        )
    return cleaned


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


def _feed_kind(feed: ArticleFeed) -> str:
    # A relevance cursor is only meaningful for the same query.
    if feed.order is ArticleOrder.RELEVANCE:
        return f"article:relevance:{feed.criteria.query}"
    return f"article:{feed.order.value.lower()}"


async def article_connection(
    context: Context,
    path: tuple[str | int, ...],
    *,
    criteria: ArticleCriteria,
    order: ArticleOrder | None,
    first: int | None,
    after: str | None,
    last: int | None = None,
    before: str | None = None,
    parts: CardParts = CardParts.ALL,
) -> ConnectionValue:
    """Any article feed: the front page, a section/source/author/tag page, or a search, at
    `path` in the response (a search's highlights find their query by it); its cards read
    `parts` along (`card_parts`)."""
    if order is ArticleOrder.RELEVANCE and criteria.query is None:
        raise BadUserInput("`orderBy: RELEVANCE` needs a search query (`filter.query`).")
    if criteria.query is not None:
        if not await context.db.run(has_search_terms, criteria.query):
            raise BadUserInput(
                "The search query has no searchable words (only stop words or punctuation).",
                argument="query",
            )
        # Articles of this connection render `highlight` for the query (schema/articles).
        context.searches[path] = criteria.query
    feed = ArticleFeed(criteria=criteria, order=order or ArticleOrder.PUBLISHED_AT_DESC)
    kind = _feed_kind(feed)
    window = page_window(context.cursors, kind, first, after, last, before)
    page = await context.db.run(queries.article_page, feed, window, parts)
    context.loaders.prime_refs(page.items)
    articles: Page[Any] = Page(
        [refs.article for refs in page.items], page.keys, page.has_next_page, page.has_previous_page
    )

    async def count() -> int:
        return await context.db.run(queries.count_articles, criteria)

    return build_connection(context.cursors, kind, articles, count)


def feed_field(pin: Callable[[Any], ArticleCriteria], description: str) -> Any:
    """An `articles` field: the feed `pin` gives for the parent row (a section's, a source's,
    or everything for Query), narrowed by the client's `filter`. The planned executor asks its
    batch function, which reads the arguments as GraphQL coerced them; Strawberry calls the
    resolver with them converted."""

    async def articles(
        root: strawberry.Parent[Any],
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: ArticleFilter | None = None,
        order_by: ArticleOrder | None = None,
    ) -> ConnectionValue:
        return await article_connection(
            info.context,
            tuple(info.path.as_list()),
            criteria=criteria_from(filter, pin(root)),
            order=order_by,
            first=first,
            after=after,
            last=last,
            before=before,
        )

    async def pages(parents: Sequence[Any], info: BatchInfo) -> list[ConnectionValue]:
        arguments = info.arguments
        article_filter = filter_of(arguments.get("filter"))
        order = arguments.get("orderBy")
        parts = CardParts.ALL if info.selected is None else card_parts(info.selected)
        found = []
        for parent, path in zip(parents, info.paths, strict=True):
            found.append(
                await article_connection(
                    info.context,
                    path,
                    criteria=criteria_from(article_filter, pin(parent)),
                    order=None if order is None else ArticleOrder(order),
                    first=arguments.get("first"),
                    after=arguments.get("after"),
                    last=arguments.get("last"),
                    before=arguments.get("before"),
                    parts=parts,
                )
            )
        return found

    return strawberry.field(
        resolver=articles,
        description=description,
        graphql_type=ArticleConnection,
        metadata={BATCH: pages, WITH_ARGUMENTS: True},
    )


# Where a connection's articles are, and which of their fields read which part of a card.
_NODES = ("nodes.", "edges.node.")
_PARTS_READ_BY = {"authors": CardParts.BYLINES, "byline": CardParts.BYLINES, "tags": CardParts.TAGS}


@lru_cache(maxsize=256)
def card_parts(selected: frozenset[str]) -> CardParts:
    """What the cards of a connection must read for the fields selected below it (its
    `BatchInfo.selected`): bylines for `authors` or `byline`, tags for `tags`. A part left out
    costs nothing if some other field wants it after all: its loader asks for it."""
    parts = CardParts.NONE
    for path in selected:
        for nodes in _NODES:
            if path.startswith(nodes):
                parts |= _PARTS_READ_BY.get(path[len(nodes) :], CardParts.NONE)
    return parts


# ArticleFilter's fields by their GraphQL names (the schema camel-cases them).
_FILTER_FIELDS = {
    field.graphql_name or to_camel_case(field.python_name): field.python_name
    for field in get_object_definition(ArticleFilter, strict=True).fields
}


def filter_of(coerced: dict[str, Any] | None) -> ArticleFilter | None:
    """The ArticleFilter of a `filter` argument as GraphQL coerced it (its fields by their
    GraphQL names, values already parsed), as Strawberry would have converted it."""
    if coerced is None:
        return None
    return ArticleFilter(**{_FILTER_FIELDS[name]: value for name, value in coerced.items()})
