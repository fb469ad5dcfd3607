"""What a sync page holds: the current state of what changed, tombstones for what left the
caller's view, and the token to continue with."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import strawberry

from schema.relay import Node


@strawberry.enum(description="The kinds of object sync follows.")
class SyncKind(enum.Enum):
    ARTICLE = "article"
    NEWSLETTER_ISSUE = "newsletter_issue"


@strawberry.type(description="Something the caller may have received before and must now drop.")
class Tombstone:
    id: strawberry.ID = strawberry.field(description="Its global id (as `node(id:)` takes).")
    kind: SyncKind
    removed_at: datetime = strawberry.field(
        description="When it was deleted, unpublished or otherwise left the caller's view."
    )


@strawberry.type(description="One page of a sync.")
class SyncPage:
    changed: list[Any] = strawberry.field(
        graphql_type=list[Node],
        description="Articles and newsletter issues, as they are now, that were created, "
        "changed or published (on the first sync: everything the caller may see).",
    )
    tombstones: list[Tombstone] = strawberry.field(
        description="Objects deleted, unpublished or otherwise out of the caller's view. "
        "One may name an object never received: ignore it."
    )
    next_token: str = strawberry.field(
        description="Pass it as `token` next time: at once while `hasMore`, else later, to "
        "get what changed in between. Opaque, signed; valid for the change log's retention."
    )
    has_more: bool = strawberry.field(
        description="More pages are ready now; ask again with `nextToken` straight away."
    )
