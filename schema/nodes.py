"""`node` and `nodes`: fetch any object by its global id; unknown or invisible ids give null."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import strawberry
from strawberry.dataloader import DataLoader

from api.errors import BadUserInput
from schema.context import Info
from schema.loaders import Loaders
from schema.relay import MAX_PAGE_SIZE, Node, from_global_id

# The loader that fetches each Node type's rows (visibility applies to every statement).
LOADERS: dict[str, Callable[[Loaders], DataLoader[int, Any]]] = {
    "Article": lambda loaders: loaders.article_by_id,
    "Section": lambda loaders: loaders.section_by_id,
    "Source": lambda loaders: loaders.source_by_id,
    "Author": lambda loaders: loaders.author_by_id,
    "Tag": lambda loaders: loaders.tag_by_id,
    "Newsletter": lambda loaders: loaders.newsletter_by_id,
    "NewsletterIssue": lambda loaders: loaders.issue_by_id,
}


async def resolve_node(info: Info, global_id: str) -> Any:
    """The row a global id names, or None; its Node type renders it (schema/relay.py)."""
    decoded = from_global_id(global_id)
    if decoded is None or decoded[0] not in LOADERS:
        return None
    type_name, pk = decoded
    return await LOADERS[type_name](info.context.loaders).load(pk)


async def _node(info: Info, id: strawberry.ID) -> Any:
    return await resolve_node(info, id)


async def _nodes(info: Info, ids: list[strawberry.ID]) -> list[Any]:
    if len(ids) > MAX_PAGE_SIZE:
        raise BadUserInput(f"`nodes` takes at most {MAX_PAGE_SIZE} ids; got {len(ids)}.")
    return list(await asyncio.gather(*(resolve_node(info, global_id) for global_id in ids)))


@strawberry.type
class NodeQueries:
    node: Any = strawberry.field(
        resolver=_node,
        graphql_type=Node | None,
        description="Any object by its global id; null when unknown or not visible.",
    )
    nodes: list[Any] = strawberry.field(
        resolver=_nodes,
        graphql_type=list[Node | None],
        description="Several objects by global id, in the order asked; null for unknown ones.",
    )
