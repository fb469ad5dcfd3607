"""`node` and `nodes`: fetch any object by its global id; unknown or invisible ids give null."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import strawberry

from schema.articles import Article
from schema.authors import Author
from schema.context import Info
from schema.errors import BadUserInput
from schema.newsletters import Newsletter, NewsletterIssue
from schema.relay import MAX_PAGE_SIZE, Node, from_global_id
from schema.sections import Section
from schema.sources import Source
from schema.tags import Tag

Resolver = Callable[[Info, int], Awaitable[Node | None]]


async def _article(info: Info, pk: int) -> Node | None:
    row = await info.context.loaders.article_by_id.load(pk)
    return Article.from_row(row) if row else None


async def _section(info: Info, pk: int) -> Node | None:
    row = await info.context.loaders.section_by_id.load(pk)
    return Section.from_row(row) if row else None


async def _source(info: Info, pk: int) -> Node | None:
    row = await info.context.loaders.source_by_id.load(pk)
    return Source.from_row(row) if row else None


async def _author(info: Info, pk: int) -> Node | None:
    row = await info.context.loaders.author_by_id.load(pk)
    return Author.from_row(row) if row else None


async def _tag(info: Info, pk: int) -> Node | None:
    row = await info.context.loaders.tag_by_id.load(pk)
    return Tag.from_row(row) if row else None


async def _newsletter(info: Info, pk: int) -> Node | None:
    row = await info.context.loaders.newsletter_by_id.load(pk)
    return Newsletter.from_row(row) if row else None


async def _issue(info: Info, pk: int) -> Node | None:
    row = await info.context.loaders.issue_by_id.load(pk)
    return NewsletterIssue.from_row(row) if row else None


RESOLVERS: dict[str, Resolver] = {
    "Article": _article,
    "Section": _section,
    "Source": _source,
    "Author": _author,
    "Tag": _tag,
    "Newsletter": _newsletter,
    "NewsletterIssue": _issue,
}


async def resolve_node(info: Info, global_id: str) -> Node | None:
    decoded = from_global_id(global_id)
    if decoded is None or decoded[0] not in RESOLVERS:
        return None
    type_name, pk = decoded
    return await RESOLVERS[type_name](info, pk)


@strawberry.type
class NodeQueries:
    @strawberry.field(description="Any object by its global id; null when unknown or not visible.")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        return await resolve_node(info, id)

    @strawberry.field(
        description="Several objects by global id, in the order asked; null for unknown ones."
    )
    async def nodes(self, info: Info, ids: list[strawberry.ID]) -> list[Node | None]:
        if len(ids) > MAX_PAGE_SIZE:
            raise BadUserInput(f"`nodes` takes at most {MAX_PAGE_SIZE} ids; got {len(ids)}.")
        return list(await asyncio.gather(*(resolve_node(info, global_id) for global_id in ids)))
