"""API keys: issuing, hashing, looking up and revoking the secrets partners and the desk send.

A key reads ``bsk_live_<prefix>_<secret>``. The fixed ``bsk_live_`` start lets secret scanners
(GitHub's, gitleaks, ...) recognise a leaked key; ``<prefix>`` is stored in clear and finds
the row; only a SHA-256 of the whole key is stored. The secret carries 256 bits of entropy,
so a plain (unsalted, fast) hash is safe: there is nothing to brute-force. Comparison is
constant-time. The plaintext exists once, in the return value of `create_key`. Like every
service, these flush and never commit.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from api.models import ApiKey, max_length
from api.services import audit
from api.services.outcome import Outcome
from api.services.validation import FieldError

KEY_START = "bsk_live_"
# Revocations are announced here (payload: the key's hash), so every process drops the key from
# its cache the moment the revoke commits (api/access/revocations.py).
KEY_REVOKED_CHANNEL = "broadsheet_key_revoked"
PREFIX_HEX_LENGTH = 12
MAX_NAME_LENGTH = max_length(ApiKey.name)
MAX_RATE_LIMIT = 1_000_000
_KEY_SHAPE = re.compile(rf"^{KEY_START}([0-9a-f]{{{PREFIX_HEX_LENGTH}}})_([A-Za-z0-9_-]{{43}})$")
_RATE_LIMIT_SHAPE = re.compile(r"^\s*(\d+)\s*(?:/\s*(?:m|min|minute))?\s*$", re.IGNORECASE)
# Compared against when no row matches, so an unknown prefix costs what a wrong secret costs.
_DUMMY_HASH = hashlib.sha256(b"broadsheet: no such key").hexdigest()


class Scope(enum.StrEnum):
    """What a key may do. `admin` implies everything; `content:write` implies reading."""

    CONTENT_READ = "content:read"
    CONTENT_WRITE = "content:write"
    ADMIN = "admin"


_IMPLIED: dict[Scope, frozenset[Scope]] = {
    Scope.CONTENT_READ: frozenset({Scope.CONTENT_READ}),
    Scope.CONTENT_WRITE: frozenset({Scope.CONTENT_READ, Scope.CONTENT_WRITE}),
    Scope.ADMIN: frozenset(Scope),
}


def effective_scopes(granted: Iterable[str]) -> frozenset[Scope]:
    """Every scope a key holds, implied ones included; unknown names are ignored."""
    held: set[Scope] = set()
    for name in granted:
        if name in Scope._value2member_map_:
            held |= _IMPLIED[Scope(name)]
    return frozenset(held)


class KeyManagementError(ValueError):
    """A key management request that cannot be honoured; the message is for the operator.

    `field` names the offending input (as the GraphQL input spells it).
    """

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class IssuedKey:
    row: ApiKey
    plaintext: str


def hash_key(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


def split_key(presented: str) -> str | None:
    """The lookup prefix of a well-formed key, or None for anything that cannot be ours."""
    match = _KEY_SHAPE.match(presented)
    return match.group(1) if match else None


def parse_rate_limit(text: str) -> int:
    """'120', '120/min' or '120/minute' -> 120 (requests per minute)."""
    match = _RATE_LIMIT_SHAPE.match(text)
    if match is None:
        raise KeyManagementError(
            f"Rate limit {text!r} is not of the form N/minute.", field="rateLimitPerMinute"
        )
    value = int(match.group(1))
    if not 1 <= value <= MAX_RATE_LIMIT:
        raise KeyManagementError(
            f"Rate limit must be between 1 and {MAX_RATE_LIMIT} per minute.",
            field="rateLimitPerMinute",
        )
    return value


def validate_scopes(scopes: Sequence[str]) -> list[str]:
    """Known scopes, deduplicated in the order given; at least one."""
    unknown = [scope for scope in scopes if scope not in Scope._value2member_map_]
    if unknown:
        known = ", ".join(scope.value for scope in Scope)
        raise KeyManagementError(
            f"Unknown scope(s) {', '.join(unknown)}; known scopes: {known}.", field="scopes"
        )
    if not scopes:
        raise KeyManagementError("A key needs at least one scope.", field="scopes")
    return list(dict.fromkeys(scopes))


def validate_name(name: str) -> str:
    cleaned = name.strip()
    if not cleaned:
        raise KeyManagementError("A key needs a name.", field="name")
    if len(cleaned) > MAX_NAME_LENGTH:
        raise KeyManagementError(
            f"A key name is at most {MAX_NAME_LENGTH} characters.", field="name"
        )
    return cleaned


async def create_key(
    session: AsyncSession,
    name: str,
    scopes: Sequence[str],
    rate_limit_per_minute: int | None = None,
    *,
    actor_key_id: int | None = None,
) -> IssuedKey:
    """Add a key (flushed and audited, not committed). Its plaintext is in the result only.

    `actor_key_id` is the key that asked (an admin through the API); None from the CLI.
    """
    name = validate_name(name)
    scopes = validate_scopes(scopes)
    if rate_limit_per_minute is not None and not 1 <= rate_limit_per_minute <= MAX_RATE_LIMIT:
        raise KeyManagementError(
            f"Rate limit must be between 1 and {MAX_RATE_LIMIT} per minute.",
            field="rateLimitPerMinute",
        )
    if await session.scalar(select(ApiKey.id).where(ApiKey.name == name)) is not None:
        raise KeyManagementError(f"A key named {name!r} already exists.", field="name")
    prefix = secrets.token_hex(PREFIX_HEX_LENGTH // 2)
    plaintext = f"{KEY_START}{prefix}_{secrets.token_urlsafe(32)}"
    row = ApiKey(
        name=name,
        prefix=prefix,
        secret_hash=hash_key(plaintext),
        scopes=scopes,
        rate_limit_per_minute=rate_limit_per_minute,
    )
    session.add(row)
    await session.flush()
    await session.refresh(row)
    await audit.record(
        session,
        api_key_id=actor_key_id,
        action="api_key.create",
        entity=row,
        before=None,
        after=audit.snapshot(row),
    )
    return IssuedKey(row=row, plaintext=plaintext)


async def find_active_key(session: AsyncSession, presented: str) -> ApiKey | None:
    """The unrevoked key whose secret is `presented`, or None. Constant-time on the secret."""
    prefix = split_key(presented)
    row = None
    if prefix is not None:
        row = await session.scalar(select(ApiKey).where(ApiKey.prefix == prefix))
    expected = row.secret_hash if row is not None else _DUMMY_HASH
    matches = hmac.compare_digest(expected, hash_key(presented))
    if row is None or not matches or row.revoked_at is not None:
        return None
    return row


async def list_keys(session: AsyncSession) -> list[ApiKey]:
    return list(
        (await session.scalars(select(ApiKey).order_by(ApiKey.created_at, ApiKey.id))).all()
    )


async def key_by_name_or_id(session: AsyncSession, name_or_id: str) -> ApiKey | None:
    """A key by its exact name, else by its numeric id."""
    row = await session.scalar(select(ApiKey).where(ApiKey.name == name_or_id))
    if row is None and name_or_id.isdigit():
        row = await session.get(ApiKey, int(name_or_id))
    return row


async def revoke_key(
    session: AsyncSession, row: ApiKey, *, actor_key_id: int | None = None
) -> bool:
    """Revoke `row` (flushed and audited, not committed); False when it already was.

    The NOTIFY is part of the transaction: processes hear it when, and only if, it commits."""
    if row.revoked_at is not None:
        return False
    before = audit.snapshot(row)
    row.revoked_at = datetime.now(UTC)
    await session.flush()
    await session.execute(select(func.pg_notify(KEY_REVOKED_CHANNEL, row.secret_hash)))
    await audit.record(
        session,
        api_key_id=actor_key_id,
        action="api_key.revoke",
        entity=row,
        before=before,
        after=audit.snapshot(row),
    )
    return True


async def record_use(session: AsyncSession, key_id: int, at: datetime) -> Outcome[int]:
    """Set `last_used_at` (never moving it backwards)."""
    await session.execute(
        update(ApiKey)
        .where(ApiKey.id == key_id)
        .where((ApiKey.last_used_at.is_(None)) | (ApiKey.last_used_at < at))
        .values(last_used_at=at)
    )
    return Outcome(key_id)


async def issue_key(
    session: AsyncSession,
    actor_key_id: int | None,
    name: str,
    scopes: Sequence[str],
    rate_limit_per_minute: int | None,
) -> Outcome[IssuedKey]:
    """`create_key` for the admin API and the CLI: problems become input errors."""
    try:
        issued = await create_key(
            session, name, scopes, rate_limit_per_minute, actor_key_id=actor_key_id
        )
    except KeyManagementError as error:
        return Outcome(errors=[FieldError(("input", error.field), str(error))])
    return Outcome(issued)


async def revoke_key_by_id(
    session: AsyncSession, actor_key_id: int | None, key_id: int | None
) -> Outcome[ApiKey]:
    """`revoke_key` for the admin API (revoking twice changes nothing)."""
    row = await session.get(ApiKey, key_id) if key_id is not None else None
    if row is None:
        return Outcome.not_found(("id",), "API key")
    await revoke_key(session, row, actor_key_id=actor_key_id)
    return Outcome(row)
