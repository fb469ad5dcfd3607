"""Relay cursor connections, generic over the node type (ArticleConnection, SourceConnection...)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

import strawberry
from sqlalchemy import Select

from api.models import Author, Source
from api.queries import catalog
from api.queries.pagination import Page
from schema.context import Info
from schema.relay import CountFn, CursorCodec, PageInfo, page_info, page_window

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


async def directory_connection(
    info: Info,
    kind: str,
    statement: Select[Any],
    model: type[Source | Author],
    to_node: Callable[[Any], NodeT],
    first: int | None,
    after: str | None,
) -> Connection[NodeT]:
    """A name-ordered directory (sources, authors) as a connection."""
    context = info.context
    window = page_window(context.cursors, kind, first, after)
    page = await context.db.run(catalog.name_page, statement, model, window)

    async def count() -> int:
        return await context.db.run(catalog.count_rows, statement)

    return build_connection(context.cursors, kind, page, to_node, count)
