"""Writing rows: set the values a client sent, flush, and reload what the database filled in."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from api.models import Base
from api.services.validation import Missing


def assign(row: Base, **values: Any) -> None:
    """Set the attributes whose new value was sent (not MISSING)."""
    for name, value in values.items():
        if not isinstance(value, Missing):
            setattr(row, name, value)


async def save(session: AsyncSession, row: Base) -> None:
    """Flush and reload, so server-side values (ids, timestamps) are there to return."""
    session.add(row)
    await session.flush()
    await session.refresh(row)
