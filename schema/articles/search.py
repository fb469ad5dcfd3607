"""`search`: full-text search over visible articles, by relevance, with highlighted passages."""

from __future__ import annotations

from dataclasses import replace

import strawberry

from api.errors import BadUserInput
from api.queries.articles import ArticleOrder
from api.queries.search import SEARCH_CANDIDATES
from schema.connections import ConnectionValue
from schema.context import Info
from schema.feeds import (
    ArticleConnection,
    ArticleFilter,
    article_connection,
    criteria_from,
    validate_search_text,
)


async def _search(
    info: Info,
    query: str,
    first: int | None = None,
    after: str | None = None,
    filter: ArticleFilter | None = None,
) -> ConnectionValue:
    if filter is not None and filter.query is not None:
        raise BadUserInput("`search` takes its text in `query`; leave `filter.query` unset.")
    criteria = replace(criteria_from(filter), query=validate_search_text(query))
    return await article_connection(
        info.context,
        tuple(info.path.as_list()),
        criteria=criteria,
        order=ArticleOrder.RELEVANCE,
        first=first,
        after=after,
    )


@strawberry.type
class SearchQueries:
    search: ConnectionValue = strawberry.field(
        resolver=_search,
        graphql_type=ArticleConnection,
        description="Web-search syntax (quotes, -word, OR); by relevance, with `highlight` set. "
        "Shares its implementation with `articles(filter: {query})`. Considers the "
        f"{SEARCH_CANDIDATES:,} most recent matches (totalCount included).",
    )
