"""API keys: the shape of a key, hashing at rest, lookup, `last_used_at`, and the keys CLI."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession
from typer.testing import CliRunner

from api.access.authentication import LastUsedRecorder
from api.cli import app as cli
from api.database import Database, open_session
from api.http.app import create_app
from api.models import ApiKey, AuditEntry
from api.services import keys
from api.settings import Settings, get_settings
from api.visibility import EVERYTHING
from tests.api_clients import close_app, issue_key, post

VIEWER = "{ viewer { keyName scopes } }"


async def test_a_key_is_recognisable_and_stored_only_as_a_hash(db_session: AsyncSession) -> None:
    issued = await keys.create_key(db_session, "hash-check", ["content:read"])
    plaintext = issued.plaintext
    assert plaintext.startswith(f"bsk_live_{issued.row.prefix}_")
    assert len(plaintext) > 60

    stored = (
        await db_session.execute(
            text("SELECT t::text FROM api_keys AS t WHERE id = :id"), {"id": issued.row.id}
        )
    ).scalar_one()
    secret_part = plaintext.removeprefix(f"bsk_live_{issued.row.prefix}_")  # may contain "_"
    assert len(secret_part) >= 40
    assert plaintext not in stored
    assert secret_part[-20:] not in stored
    assert issued.row.secret_hash == hashlib.sha256(plaintext.encode()).hexdigest()
    # The audit trail records the creation, and no trace of the secret or its hash.
    trail = (
        await db_session.execute(
            text(
                "SELECT t::text FROM audit_log AS t "
                " WHERE entity_type = 'ApiKey' AND entity_id = :id"
            ),
            {"id": issued.row.id},
        )
    ).scalar_one()
    assert plaintext not in trail
    assert issued.row.secret_hash not in trail


async def test_lookup_needs_the_whole_exact_secret_of_an_active_key(
    db_session: AsyncSession,
) -> None:
    issued = await keys.create_key(db_session, "lookup-check", ["content:read"])
    plaintext = issued.plaintext
    assert (await keys.find_active_key(db_session, plaintext)) is issued.row

    last = plaintext[-1]
    tampered = plaintext[:-1] + ("A" if last != "A" else "B")
    assert await keys.find_active_key(db_session, tampered) is None
    assert await keys.find_active_key(db_session, plaintext + "x") is None
    assert await keys.find_active_key(db_session, "bsk_live_000000000000_" + "a" * 43) is None
    assert await keys.find_active_key(db_session, "not a key at all") is None
    assert await keys.find_active_key(db_session, "") is None

    assert await keys.revoke_key(db_session, issued.row)
    assert not await keys.revoke_key(db_session, issued.row)  # twice: nothing more to do
    assert await keys.find_active_key(db_session, plaintext) is None


async def test_key_requests_are_validated(db_session: AsyncSession) -> None:
    await keys.create_key(db_session, "taken-name", ["content:read"])
    bad: list[tuple[dict[str, Any], str]] = [
        ({"name": "  ", "scopes": ["content:read"]}, "name"),
        ({"name": "x" * 121, "scopes": ["content:read"]}, "name"),
        ({"name": "taken-name", "scopes": ["content:read"]}, "name"),
        ({"name": "ok", "scopes": []}, "scopes"),
        ({"name": "ok", "scopes": ["content:read", "superuser"]}, "scopes"),
        ({"name": "ok", "scopes": ["admin"], "rate_limit_per_minute": 0}, "rateLimitPerMinute"),
    ]
    for arguments, field in bad:
        with pytest.raises(keys.KeyManagementError) as refused:
            await keys.create_key(db_session, **arguments)
        assert refused.value.field == field, arguments

    assert keys.parse_rate_limit("600/minute") == 600
    assert keys.parse_rate_limit("5/min") == 5
    assert keys.parse_rate_limit("42") == 42
    for text_ in ("", "five", "5/hour", "0/minute", "-1"):
        with pytest.raises(keys.KeyManagementError):
            keys.parse_rate_limit(text_)


def test_scopes_imply_each_other_as_the_contract_says() -> None:
    read, write, admin = (
        keys.Scope.CONTENT_READ,
        keys.Scope.CONTENT_WRITE,
        keys.Scope.ADMIN,
    )
    assert keys.effective_scopes(["content:read"]) == {read}
    assert keys.effective_scopes(["content:write"]) == {read, write}
    assert keys.effective_scopes(["admin"]) == {read, write, admin}
    assert keys.effective_scopes(["retired-scope"]) == set()


def test_last_used_is_written_at_most_once_a_minute_per_key() -> None:
    now = [1000.0]
    recorder = LastUsedRecorder(resolution_s=60, clock=lambda: now[0])
    assert recorder.due(1)
    assert recorder.due(2)  # another key has its own clock
    now[0] += 59
    assert not recorder.due(1)
    now[0] += 2
    assert recorder.due(1)


async def test_requests_set_last_used_without_a_write_each_time(
    client: httpx.AsyncClient, db_session: AsyncSession, statement_counter: Any
) -> None:
    key = await issue_key(db_session, "content:read")
    row = await keys.find_active_key(db_session, key)
    assert row is not None
    assert row.last_used_at is None

    statement_counter.statements.clear()
    for _ in range(3):
        response = await post(client, VIEWER, key)
        assert response.status_code == 200
    updates = [
        s for s in statement_counter.statements if s.lstrip().upper().startswith("UPDATE API_KEYS")
    ]
    assert len(updates) == 1, updates
    used = await db_session.scalar(
        select(ApiKey.last_used_at)
        .where(ApiKey.id == row.id)
        .execution_options(populate_existing=True)
    )
    assert used is not None


# --- The CLI, end to end: its writes are committed, so the app here uses a real Database. ---


@pytest.fixture
def cli_database_url(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("COLUMNS", "250")  # rich tables: one line per key
    get_settings.cache_clear()
    yield database_url
    get_settings.cache_clear()


def run_cli(*arguments: str) -> Any:
    return CliRunner().invoke(cli, list(arguments))


async def test_cli_create_use_list_revoke(cli_database_url: str, settings: Settings) -> None:
    name = f"cli-partner-{uuid.uuid4().hex[:8]}"
    created = await asyncio.to_thread(
        run_cli,
        "keys",
        "create",
        "--name",
        name,
        "--scope",
        "content:read",
        "--scope",
        "content:write",
        "--rate-limit",
        "50/minute",
    )
    assert created.exit_code == 0, created.output
    key = created.stdout.strip().splitlines()[-1]
    assert key.startswith("bsk_live_")
    assert key not in created.stderr

    database = Database.connect(cli_database_url, settings)
    app = create_app(settings, database=database)
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        ) as client:
            used = await post(client, VIEWER, key)
            assert used.status_code == 200
            assert used.json()["data"]["viewer"] == {
                "keyName": name,
                "scopes": ["content:read", "content:write"],
            }
            assert used.headers["RateLimit-Limit"] == "50"

            listed = await asyncio.to_thread(run_cli, "keys", "list")
            assert listed.exit_code == 0, listed.output
            line = next(row for row in listed.stdout.splitlines() if name in row)
            assert "50/minute" in line
            async with open_session(database.sessions, EVERYTHING) as session:
                row = (await session.scalars(select(ApiKey).where(ApiKey.name == name))).one()
                assert row.last_used_at is not None
            assert key not in listed.stdout
            assert key.removeprefix(f"bsk_live_{row.prefix}_")[:12] not in listed.stdout
            assert row.secret_hash[:12] not in listed.stdout

            revoked = await asyncio.to_thread(run_cli, "keys", "revoke", name)
            assert revoked.exit_code == 0, revoked.output
            refused = await post(client, VIEWER, key)
            assert refused.status_code == 401
            assert refused.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"

            again = await asyncio.to_thread(run_cli, "keys", "revoke", str(row.id))
            assert again.exit_code == 0
            assert "already revoked" in again.stderr
            missing = await asyncio.to_thread(run_cli, "keys", "revoke", f"no-such-{name}")
            assert missing.exit_code == 1
    finally:
        await close_app(app)
        async with open_session(database.sessions, EVERYTHING) as session:
            key_id = (await session.scalars(select(ApiKey.id).where(ApiKey.name == name))).one()
            await session.execute(
                AuditEntry.__table__.delete().where(AuditEntry.entity_id == key_id)
            )
            await session.execute(ApiKey.__table__.delete().where(ApiKey.id == key_id))
            await session.commit()
        await database.dispose()


async def test_cli_refuses_bad_requests_without_printing_a_key(cli_database_url: str) -> None:
    for arguments in (
        ("--name", "x", "--scope", "superuser"),
        ("--name", "x", "--scope", "content:read", "--rate-limit", "lots"),
    ):
        result = await asyncio.to_thread(run_cli, "keys", "create", *arguments)
        assert result.exit_code == 1
        assert "bsk_live_" not in result.stdout
