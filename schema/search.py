"""Search: full-text search over visible articles, by relevance, with highlighted passages."""

from __future__ import annotations

from dataclasses import replace

import strawberry

from api.queries.articles import ArticleOrder
from schema.articles import (
    Article,
    ArticleFilter,
    article_connection,
    criteria_from,
    validate_search_text,
)
from schema.connections import Connection
from schema.context import Info
from schema.errors import BadUserInput


@strawberry.type
class SearchQueries:
    @strawberry.field(
        description="Web-search syntax (quotes, -word, OR); by relevance, with `highlight` set. "
        "Shares its implementation with `articles(filter: {query})`."
    )
    async def search(
        self,
        info: Info,
        query: str,
        first: int | None = None,
        after: str | None = None,
        filter: ArticleFilter | None = None,
    ) -> Connection[Article]:
        if filter is not None and filter.query is not None:
            raise BadUserInput("`search` takes its text in `query`; leave `filter.query` unset.")
        criteria = replace(criteria_from(filter), query=validate_search_text(query))
        return await article_connection(
            info, criteria=criteria, order=ArticleOrder.RELEVANCE, first=first, after=after
        )
