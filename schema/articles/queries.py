"""`article` (by id or slug) and `articles` (every visible story, as a filtered feed)."""

from __future__ import annotations

import strawberry

from api.errors import BadUserInput
from api.queries import cards
from api.queries.criteria import ArticleCriteria
from api.queries.records import ArticleRecord
from schema.context import Info
from schema.feeds import feed_field
from schema.refs import ArticleRef
from schema.relay import pk_of


async def _article(
    info: Info,
    id: strawberry.ID | None = None,
    slug: str | None = None,
    source: str | None = None,
) -> ArticleRecord | None:
    if (id is None) == (slug is None):
        raise BadUserInput("Pass exactly one of `id` or `slug`.")
    context = info.context
    if id is not None:
        pk = pk_of(id, "Article")
        return await context.loaders.article_by_id.load(pk) if pk else None
    assert slug is not None
    rows = await context.db.run(cards.article_by_slug, slug, source)
    if len(rows) > 1:
        raise BadUserInput(
            f"Several sources use the slug {slug!r}; pass `source` too.", argument="source"
        )
    context.loaders.prime_refs(rows)
    return rows[0].article if rows else None


@strawberry.type
class ArticleQueries:
    article: ArticleRecord | None = strawberry.field(
        resolver=_article,
        graphql_type=ArticleRef | None,
        description="An article by id, or by slug (add `source` when the slug is ambiguous).",
    )
    articles = feed_field(
        lambda _: ArticleCriteria(), "Every visible article, newest first unless ordered otherwise."
    )
