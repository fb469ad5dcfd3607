"""The API key cache (api/access/key_cache.py) and revocation across processes
(api/access/revocations.py): a cached key costs no query, a revoked key stops working on every
app instance as soon as the revoke commits, long before the cache's TTL."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

import httpx
from sqlalchemy import delete, event, select
from starlette.applications import Starlette

from api.access.key_cache import KeyCache
from api.access.principal import Principal
from api.database import Database, open_session
from api.http.app import create_app
from api.models import ApiKey, AuditEntry
from api.services import keys
from api.settings import Settings
from api.visibility import EVERYTHING
from tests.api_clients import post

VIEWER = "{ viewer { keyName } }"
PRINCIPAL = Principal(1, "partner", frozenset(), ("content:read",), None)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_cache_answers_only_while_trusted_and_within_its_ttl() -> None:
    clock = Clock()
    cache = KeyCache(5, clock)
    cache.put("h", PRINCIPAL, cache.generation)
    assert cache.get("h") is None  # not listening yet: nothing stored
    cache.trust()
    cache.put("h", PRINCIPAL, cache.generation)
    assert cache.get("h") == PRINCIPAL
    clock.now += 5
    assert cache.get("h") is None  # expired
    cache.put("h", PRINCIPAL, cache.generation)
    cache.distrust()
    assert cache.get("h") is None  # the listener went away: everything is looked up again


def test_a_lookup_that_raced_a_revocation_is_not_stored() -> None:
    cache = KeyCache(5, Clock())
    cache.trust()
    generation = cache.generation  # a lookup begins and finds the key active...
    cache.forget("h")  # ...while its revocation is heard
    cache.put("h", PRINCIPAL, generation)
    assert cache.get("h") is None


def test_zero_seconds_turns_the_cache_off() -> None:
    cache = KeyCache(0, Clock())
    cache.trust()
    cache.put("h", PRINCIPAL, cache.generation)
    assert cache.get("h") is None


@asynccontextmanager
async def running_app(settings: Settings, url: str) -> AsyncIterator[tuple[Starlette, Database]]:
    """An app instance with its lifespan running (so its revocation listener is), as one
    replica of a deployment is."""
    database = Database.connect(url, settings)
    app = create_app(settings, database=database)
    try:
        async with app.router.lifespan_context(app):
            await asyncio.wait_for(app.state.revocations.listening.wait(), 10)
            yield app, database
    finally:
        await database.dispose()


async def test_revocation_reaches_every_instance_before_the_ttl(
    settings: Settings, database_url: str
) -> None:
    settings = settings.model_copy(update={"broadsheet_key_cache_seconds": 300.0})
    name = f"cached-{uuid.uuid4().hex[:8]}"
    async with AsyncExitStack() as stack:
        apps = [await stack.enter_async_context(running_app(settings, database_url)) for _ in "ab"]
        writer = apps[0][1]
        async with open_session(writer.sessions, EVERYTHING) as session:
            issued = await keys.create_key(session, name, ["content:read"])
            await session.commit()
        clients = [
            await stack.enter_async_context(
                httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")
            )
            for app, _ in apps
        ]
        try:
            lookups = 0

            def count(conn: object, cursor: object, statement: str, *args: object) -> None:
                nonlocal lookups
                lookups += "FROM api_keys" in statement

            for client in clients:
                assert (await post(client, VIEWER, issued.plaintext)).status_code == 200
            for _, database in apps:
                event.listen(database.engine.sync_engine, "before_cursor_execute", count)
            for client in clients:
                for _ in range(3):
                    answer = await post(client, VIEWER, issued.plaintext)
                    assert answer.json()["data"]["viewer"]["keyName"] == name
            assert lookups == 0  # cached: no query for the key

            async with open_session(writer.sessions, EVERYTHING) as session:
                row = await session.get(ApiKey, issued.row.id)
                assert row is not None
                await keys.revoke_key(session, row)
                await session.commit()
            revoked_at = time.monotonic()
            for client in clients:
                while (answer := await post(client, VIEWER, issued.plaintext)).status_code == 200:
                    assert time.monotonic() - revoked_at < 1.0, "the revocation was not heard"
                    await asyncio.sleep(0.01)
                assert answer.status_code == 401
        finally:
            async with open_session(writer.sessions, EVERYTHING) as session:
                key_id = (await session.scalars(select(ApiKey.id).where(ApiKey.name == name))).one()
                await session.execute(delete(AuditEntry).where(AuditEntry.entity_id == key_id))
                await session.execute(delete(ApiKey).where(ApiKey.id == key_id))
                await session.commit()


async def test_without_a_listener_every_request_looks_the_key_up(
    settings: Settings, database_url: str
) -> None:
    settings = settings.model_copy(update={"broadsheet_key_cache_seconds": 300.0})
    async with running_app(settings, database_url) as (app, _):
        await app.state.revocations.stop()
        assert not app.state.access.authenticator.cache.trusted
