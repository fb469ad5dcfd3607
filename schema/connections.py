"""Relay cursor connections, generic over the node type (ArticleConnection, SourceConnection...)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

import strawberry

from api.queries.pagination import Page
from schema.relay import CountFn, CursorCodec, PageInfo, page_info

NodeT = TypeVar("NodeT")


@strawberry.type
class Edge(Generic[NodeT]):
    cursor: str
    node: NodeT


@strawberry.type
class Connection(Generic[NodeT]):
    edges: list[Edge[NodeT]]
    page_info: PageInfo
    count: strawberry.Private[CountFn]

    @strawberry.field(description="The nodes of `edges`, for clients that need no cursors.")
    def nodes(self) -> list[NodeT]:
        return [edge.node for edge in self.edges]

    @strawberry.field(description="How many items the whole list has; counted only when asked.")
    async def total_count(self) -> int:
        return await self.count()


def build_connection(
    codec: CursorCodec,
    kind: str,
    page: Page[Any],
    to_node: Callable[[Any], NodeT],
    count: CountFn,
) -> Connection[NodeT]:
    cursors, info = page_info(codec, kind, page)
    nodes: Sequence[NodeT] = [to_node(item) for item in page.items]
    return Connection(
        edges=[Edge(cursor=cursor, node=node) for cursor, node in zip(cursors, nodes, strict=True)],
        page_info=info,
        count=count,
    )
