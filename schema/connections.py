"""Relay cursor connections, generic over the node type (ArticleConnection, SourceConnection...).

A resolver returns a `ConnectionValue` (rows, their cursors, page info and a way to count);
the generic `Connection[T]` type renders it, so the module serving a feed need not know the
node's GraphQL type.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import strawberry
from sqlalchemy import Select

from api.models import Author, Source
from api.queries import catalogue
from api.queries.pagination import Key, Page
from schema.batching import BATCH, BatchInfo, reads
from schema.context import Info
from schema.relay import CountFn, CursorCodec, PageInfo, page_info, page_window

NodeT = TypeVar("NodeT")


@dataclass(frozen=True)
class EdgeValue:
    """A node and its position; the signed cursor is made only if a client asks for it."""

    node: Any
    key: Key
    kind: str
    codec: CursorCodec

    @property
    def cursor(self) -> str:
        return self.codec.encode(self.kind, self.key)


@dataclass(frozen=True)
class ConnectionValue:
    """One page of a list: what `Connection` renders."""

    edges: list[EdgeValue]
    page_info: PageInfo
    count: CountFn


async def _counts(parents: Sequence[Any], info: BatchInfo) -> list[int]:
    return [await parent.count() for parent in parents]


@strawberry.type
class Edge(Generic[NodeT]):
    @strawberry.field(metadata=reads(lambda edge: edge.cursor))
    def cursor(self, root: strawberry.Parent[EdgeValue]) -> str:
        return root.cursor

    @strawberry.field(metadata=reads(lambda edge: edge.node))
    def node(self, root: strawberry.Parent[EdgeValue]) -> NodeT:
        return root.node  # type: ignore[no-any-return]


@strawberry.type
class Connection(Generic[NodeT]):
    @strawberry.field(metadata=reads(lambda connection: connection.edges))
    def edges(self, root: strawberry.Parent[ConnectionValue]) -> list[Edge[NodeT]]:
        return root.edges  # type: ignore[return-value]

    @strawberry.field(metadata=reads(lambda connection: connection.page_info))
    def page_info(self, root: strawberry.Parent[ConnectionValue]) -> PageInfo:
        return root.page_info

    @strawberry.field(
        description="The nodes of `edges`, for clients that need no cursors.",
        metadata=reads(lambda connection: [edge.node for edge in connection.edges]),
    )
    def nodes(self, root: strawberry.Parent[ConnectionValue]) -> list[NodeT]:
        return [edge.node for edge in root.edges]

    @strawberry.field(
        description="How many items the whole list has; counted only when asked.",
        metadata={BATCH: _counts},
    )
    async def total_count(self, root: strawberry.Parent[ConnectionValue]) -> int:
        return await root.count()


def build_connection(
    codec: CursorCodec, kind: str, page: Page[Any], count: CountFn
) -> ConnectionValue:
    return ConnectionValue(
        edges=[
            EdgeValue(node, key, kind, codec)
            for node, key in zip(page.items, page.keys, strict=True)
        ],
        page_info=page_info(codec, kind, page),
        count=count,
    )


async def directory_connection(
    info: Info,
    kind: str,
    statement: Select[Any],
    model: type[Source | Author],
    first: int | None,
    after: str | None,
) -> ConnectionValue:
    """A name-ordered directory (sources, authors) as a connection."""
    context = info.context
    window = page_window(context.cursors, kind, first, after)
    page = await context.db.run(catalogue.name_page, statement, model, window)

    async def count() -> int:
        return await context.db.run(catalogue.count_rows, statement)

    return build_connection(context.cursors, kind, page, count)
