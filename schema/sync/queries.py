"""`sync(token:, first:)`: everything a caller may see, then only what changed since.

The token is the domain's sync position (api/sync/pages.py), signed like a cursor so a tampered
or foreign token is BAD_USER_INPUT. It is bound to what the caller sees: a reader's token cannot
continue an editorial sync, nor the reverse.
"""

from __future__ import annotations

from typing import Any

import strawberry

from api.errors import BadUserInput
from api.global_ids import global_id
from api.sync import pages
from api.sync.pages import SyncExpired, SyncPosition
from schema.context import Info
from schema.relay import MAX_PAGE_SIZE
from schema.sync.types import SyncKind, SyncPage, Tombstone

SYNC_CURSOR_KIND = "sync:v1"
DEFAULT_SYNC_PAGE = 100
GLOBAL_TYPES = {"article": "Article", "newsletter_issue": "NewsletterIssue"}


def _encode(info: Info, position: SyncPosition) -> str:
    key: tuple[Any, ...] = (
        position.audience,
        position.phase,
        position.snapshot,
        position.taken_at,
        position.until,
        position.until_taken_at,
        *position.after,
    )
    return info.context.cursors.encode(SYNC_CURSOR_KIND, key)


def _decode(info: Info, token: str, audience: str) -> SyncPosition:
    try:
        key = info.context.cursors.decode(SYNC_CURSOR_KIND, token, "token")
        audience_of, phase, snapshot, taken_at, until, until_taken_at, after_a, after_b = key
        position = SyncPosition(
            str(audience_of),
            str(phase),
            str(snapshot),
            float(taken_at),
            None if until is None else str(until),
            None if until_taken_at is None else float(until_taken_at),
            (int(after_a), int(after_b)),
        )
    except (BadUserInput, ValueError, TypeError):
        raise BadUserInput("`token` is not a valid sync token.", argument="token") from None
    if position.audience != audience:
        raise BadUserInput(
            "This sync token was issued to a caller who sees other content; "
            "sync again without a token.",
            argument="token",
        )
    return position


@strawberry.type
class SyncQueries:
    @strawberry.field(
        description="Delta sync. Without `token`: everything you may see, page by page. With "
        "the `nextToken` of the last page: only what changed since (created, updated, "
        "published) plus tombstones for what left your view. Never skips a change."
    )
    async def sync(
        self, info: Info, token: str | None = None, first: int | None = DEFAULT_SYNC_PAGE
    ) -> SyncPage:
        size = DEFAULT_SYNC_PAGE if first is None else first
        if not 1 <= size <= MAX_PAGE_SIZE:
            raise BadUserInput(
                f"`first` must be between 1 and {MAX_PAGE_SIZE}; got {size}.", argument="first"
            )
        context = info.context
        audience = pages.EDITORIAL if context.visibility.include_unpublished else pages.PUBLIC
        if token is None:
            position = await context.db.run(pages.start, audience)
        else:
            position = _decode(info, token, audience)
        retention = context.settings.broadsheet_sync_retention_days * 86_400.0
        try:
            page = await context.db.run(pages.sync_page, position, size, retention)
        except SyncExpired:
            raise BadUserInput(
                "This sync token has expired (older than the change log); "
                "sync again without a token.",
                argument="token",
            ) from None
        return SyncPage(
            changed=list(page.changed),
            tombstones=[
                Tombstone(
                    id=strawberry.ID(global_id(GLOBAL_TYPES[t.kind], t.id)),
                    kind=SyncKind(t.kind),
                    removed_at=t.at,
                )
                for t in page.tombstones
            ],
            next_token=_encode(info, page.next),
            has_more=page.has_more,
        )
