"""The audit trail: one `AuditEntry` per write, naming the key that made it, before and after."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncSession

from api.models import AuditEntry, Base

# Never copied into the trail: secrets, and generated columns that only restate other ones.
_OMITTED = frozenset(
    {
        "secret_hash",
        "secret_sealed",
        "search_vector",
        "confirmation_token_hash",
        "unsubscribe_token_hash",
    }
)


def _json_value(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_json_value(item) for item in value]
    return value


def snapshot(row: Base, **extra: Any) -> dict[str, Any]:
    """A row's loaded column values as JSON, plus `extra` (e.g. an article's author ids)."""
    state = inspect(row)
    values = {
        attribute.key: _json_value(state.attrs[attribute.key].loaded_value)
        for attribute in state.mapper.column_attrs
        if attribute.key not in _OMITTED and attribute.key not in state.unloaded
    }
    values.update({key: _json_value(value) for key, value in extra.items()})
    return values


async def record(
    session: AsyncSession,
    *,
    api_key_id: int | None,
    action: str,
    entity: Base,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    """Add an audit entry for `entity` (flushed with the write it describes)."""
    session.add(
        AuditEntry(
            api_key_id=api_key_id,
            action=action,
            entity_type=type(entity).__name__,
            entity_id=getattr(entity, "id", None),
            before=before,
            after=after,
        )
    )
