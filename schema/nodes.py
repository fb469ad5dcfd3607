"""`node` and `nodes`: fetch any object by its global id; unknown or invisible ids give null."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import strawberry
from strawberry.dataloader import DataLoader

from schema.articles import Article
from schema.authors import Author
from schema.context import Info
from schema.errors import BadUserInput
from schema.loaders import Loaders
from schema.newsletters import Newsletter, NewsletterIssue
from schema.relay import MAX_PAGE_SIZE, Node, from_global_id
from schema.sections import Section
from schema.sources import Source
from schema.tags import Tag

# Each Node type: the loader that fetches its rows (applying visibility) and its constructor.
NODE_TYPES: dict[str, tuple[Callable[[Loaders], DataLoader[int, Any]], Callable[[Any], Node]]] = {
    "Article": (lambda loaders: loaders.article_by_id, Article.from_row),
    "Section": (lambda loaders: loaders.section_by_id, Section.from_row),
    "Source": (lambda loaders: loaders.source_by_id, Source.from_row),
    "Author": (lambda loaders: loaders.author_by_id, Author.from_row),
    "Tag": (lambda loaders: loaders.tag_by_id, Tag.from_row),
    "Newsletter": (lambda loaders: loaders.newsletter_by_id, Newsletter.from_row),
    "NewsletterIssue": (lambda loaders: loaders.issue_by_id, NewsletterIssue.from_row),
}


async def resolve_node(info: Info, global_id: str) -> Node | None:
    decoded = from_global_id(global_id)
    if decoded is None or decoded[0] not in NODE_TYPES:
        return None
    type_name, pk = decoded
    loader, build = NODE_TYPES[type_name]
    row = await loader(info.context.loaders).load(pk)
    return build(row) if row is not None else None


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
