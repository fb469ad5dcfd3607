"""Writing to the change log from code (database triggers record every row change).

A story whose scheduled time comes changes no row, yet readers' view of it does: the worker
records that here (api/scheduling.py), so sync tokens see it become visible.
"""

from __future__ import annotations

from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncSession

from api.models_outbox import ChangeRecord

CURRENT_XID = text("pg_current_xact_id()::text::bigint")


async def record_change(
    session: AsyncSession, entity_type: str, entity_id: int, *, public: bool
) -> None:
    """Add a change-log row for `entity_type` `entity_id`, in `session`'s transaction."""
    await session.execute(
        insert(ChangeRecord).values(
            xid=CURRENT_XID, entity_type=entity_type, entity_id=entity_id, public=public
        )
    )
