"""Shared fixtures: a real PostgreSQL test database, migrated once, seeded with the demo newsroom.

The server is TEST_DATABASE_URL or DATABASE_URL when set, else the embedded PostgreSQL. Each
test session creates its own database on it (dropped afterwards), migrates it with alembic and
loads the demo newsroom once. Each test then runs inside a transaction that is rolled back, so
tests see the demo data and never each other's changes.
"""

from __future__ import annotations

import asyncio
import gc
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager

import httpx
import pytest
from sqlalchemy import event, make_url, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, create_async_engine

from api import migrations, plans
from api.database import Database, SessionFactory, open_session, session_factory
from api.demo.newsroom import seed_demo
from api.embedded import normalize_database_url, start_embedded_postgres
from api.http.app import create_app
from api.settings import Settings
from api.visibility import EVERYTHING
from tests.servers import ServerProcess, migrate_and_seed, servers, sharing_redis


def _server_url() -> str:
    configured = os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if configured:
        return normalize_database_url(configured)
    return start_embedded_postgres()


@contextmanager
def scratch_database(server_url: str, prefix: str) -> Iterator[str]:
    """A new, empty database on the server of `server_url`, dropped afterwards."""
    server = make_url(server_url)

    async def admin(statement: str) -> None:
        engine = create_async_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
        async with engine.connect() as connection:
            await connection.execute(text(statement))
        await engine.dispose()

    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    """A fresh, migrated database for this test session."""
    with scratch_database(_server_url(), "broadsheet_test") as url:
        migrations.upgrade("head", database_url=url)
        yield url


@pytest.fixture
def empty_database(database_url: str) -> Iterator[str]:
    """Another, empty database on the test server (nothing migrated), dropped afterwards."""
    with scratch_database(database_url, "broadsheet_empty") as url:
        yield url


@pytest.fixture(autouse=True)
def _heap_left_unfrozen() -> Iterator[None]:
    """An app started in-process with settings of a test's own freezes the heap at start-up
    (api/heap.py), as a server should; the test process is no server, and Hypothesis needs
    gc.get_referrers to see everything, so whatever a test froze is thawed after it."""
    yield
    if gc.get_freeze_count():
        gc.unfreeze()


@pytest.fixture(scope="session")
def settings(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    # No Redis here even when REDIS_URL is set (CI): shared rate-limit buckets would make tests
    # depend on each other. Redis-backed tests build their own settings with a unique prefix.
    # Mail goes to a folder of the test session's own, never to a real server.
    # The test process is no server: a frozen heap would hide objects from gc.get_referrers,
    # which Hypothesis relies on (tests/test_heap.py tests the freeze itself).
    return Settings(
        database_url=database_url,
        broadsheet_secret_key="test-secret",
        redis_url=None,
        smtp_url=None,
        broadsheet_outbox_dir=str(tmp_path_factory.mktemp("outbox")),
        broadsheet_gc_freeze=False,
    )


@pytest.fixture(scope="session")
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    # Connections as the app's engine makes them (api/database.py), as far as plans go.
    server_settings = {"plan_cache_mode": plans.CUSTOM}
    engine = create_async_engine(
        database_url, pool_size=5, connect_args={"server_settings": server_settings}
    )
    plans.custom_plans_for_orm(engine)
    async with open_session(session_factory(engine), EVERYTHING) as session:
        await seed_demo(session)
        await session.commit()
    async with engine.connect() as connection:
        # Planner statistics, as a deployment has them (autovacuum would take a minute).
        await connection.execute(text("ANALYZE"))
        await connection.commit()
    yield engine
    await engine.dispose()


@pytest.fixture
async def connection(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection inside a transaction that is rolled back when the test ends."""
    async with engine.connect() as connection:
        transaction = await connection.begin()
        yield connection
        await transaction.rollback()


@pytest.fixture
def sessions(connection: AsyncConnection) -> SessionFactory:
    # Commits in the code under test release a savepoint; the outer transaction still rolls back.
    return session_factory(connection, join_transaction_mode="create_savepoint")


@pytest.fixture
async def db_session(sessions: SessionFactory) -> AsyncIterator[AsyncSession]:
    """A session of the test's own (the harness sees every row)."""
    async with open_session(sessions, EVERYTHING) as session:
        yield session


@pytest.fixture
def database(engine: AsyncEngine, sessions: SessionFactory) -> Database:
    """The app's Database, bound to the test's rolled-back connection."""
    return Database(engine=engine, read_engine=engine, sessions=sessions, read_sessions=sessions)


@pytest.fixture
async def client(settings: Settings, database: Database) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, database=database)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


class StatementCounter:
    """Counts the SQL statements sent on a connection (loaders included)."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, conn: object, cursor: object, statement: str, *args: object) -> None:
        # Savepoints come from the test harness's rolled-back transaction, not from the app.
        if (
            not statement.lstrip()
            .upper()
            .startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO"))
        ):
            self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def statement_counter(connection: AsyncConnection) -> Iterator[StatementCounter]:
    counter = StatementCounter()
    sync_engine = connection.sync_engine
    event.listen(sync_engine, "before_cursor_execute", counter)
    yield counter
    event.remove(sync_engine, "before_cursor_execute", counter)


@pytest.fixture(scope="session")
def served_database_url() -> Iterator[str]:
    """A database of their own, migrated and seeded, for tests that run real servers (their
    writes are committed, so they must not share the rolled-back test database)."""
    with scratch_database(_server_url(), "broadsheet_served") as url:
        migrate_and_seed(url)
        yield url


@pytest.fixture(scope="session")
def server_pair(served_database_url: str) -> Iterator[tuple[ServerProcess, ServerProcess]]:
    """Two separate `broadsheet serve` processes on one database and one Redis, with the
    response cache on and small limits, as two replicas of one deployment behind a balancer."""
    with sharing_redis(served_database_url, "pair-secret") as shared:
        env = {
            **shared,
            "BROADSHEET_RESPONSE_CACHE": "true",
            "BROADSHEET_MAX_COST": "2000",
            "BROADSHEET_COST_BUDGET_KEY": "3000",
            "BROADSHEET_LIVE_MAX_SUBSCRIPTIONS": "3",
            "BROADSHEET_LOG_FORMAT": "json",
        }
        with servers(ServerProcess(env), ServerProcess(env)) as (first, second):
            yield first, second
