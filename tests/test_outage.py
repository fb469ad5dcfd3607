"""Failing well when PostgreSQL goes away: a throwaway server is started, migrated, stopped,
frozen and restarted under a running app. Requests fail fast and cleanly (SERVICE_UNAVAILABLE,
503, no internals), /readyz turns 503, and service resumes by itself."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import time
import warnings
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from starlette.applications import Starlette

from api import migrations
from api.http.app import create_app
from api.settings import Settings
from tests.api_clients import close_app

POOL_TIMEOUT = 2.0
QUERY = "{ articles(first: 3) { totalCount nodes { headline } } }"
LEAKS = ("asyncpg", "sqlalchemy", "Traceback", 'File "', "SELECT", "postgres", "socket")


class ThrowawayPostgres:
    """A PostgreSQL of the test's own (pgserver's binaries, data in a temporary directory)."""

    def __init__(self, pgdata: Path) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import pgserver

            self.server: Any = pgserver.get_server(pgdata, cleanup_mode="delete")
        self.pgdata = pgdata

    @property
    def url(self) -> str:
        info = self.server.get_postmaster_info()
        return f"postgresql+asyncpg://postgres@/postgres?host={info.socket_dir}&port={info.port}"

    def stop(self) -> None:
        from pgserver._commands import pg_ctl

        pg_ctl(["-w", "-m", "immediate", "stop"], pgdata=self.pgdata, user=self.server.system_user)

    def start(self) -> None:
        self.server.ensure_postgres_running()

    def postmaster_pid(self) -> int:
        return int(self.server.get_postmaster_info().pid)

    def cleanup(self) -> None:
        self.server.cleanup()


@pytest.fixture(scope="module")
def postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ThrowawayPostgres]:
    # Short path: the server's unix socket lives under it, and socket paths are limited.
    server = ThrowawayPostgres(tmp_path_factory.mktemp("pg"))
    migrations.upgrade("head", database_url=server.url)
    yield server
    try:
        server.start()  # a test that failed half-way may have left it stopped
    finally:
        server.cleanup()


@pytest.fixture
async def app(postgres: ThrowawayPostgres) -> AsyncIterator[Starlette]:
    settings = Settings(
        database_url=postgres.url,
        broadsheet_secret_key="outage",
        redis_url=None,
        db_pool_timeout=POOL_TIMEOUT,
        db_pool_size=1,
        db_max_overflow=0,
    )
    app = create_app(settings)
    yield app
    await close_app(app)
    await app.state.database.dispose()


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def timed_query(client: httpx.AsyncClient) -> tuple[httpx.Response, float]:
    started = time.perf_counter()
    response = await client.post("/graphql", json={"query": QUERY})
    return response, time.perf_counter() - started


def assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["retry-after"] == "5"
    assert response.headers["cache-control"] == "private, no-store"
    body = response.json()
    assert body["data"] is None
    codes = {error["extensions"]["code"] for error in body["errors"]}
    assert codes == {"SERVICE_UNAVAILABLE"}
    for leak in LEAKS:
        assert leak not in response.text, leak


async def test_stopped_database_fails_fast_then_recovers(
    postgres: ThrowawayPostgres, client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    healthy, _ = await timed_query(client)
    assert healthy.json() == {"data": {"articles": {"totalCount": 0, "nodes": []}}}
    assert (await client.get("/readyz")).status_code == 200

    postgres.stop()
    try:
        with caplog.at_level(logging.WARNING, logger="broadsheet.errors"):
            for _ in range(3):
                response, elapsed = await timed_query(client)
                assert_unavailable(response)
                assert elapsed < POOL_TIMEOUT + 1
        # One warning per request, no tracebacks.
        outage_logs = [r for r in caplog.records if r.name == "broadsheet.errors"]
        assert outage_logs
        assert all(r.levelno == logging.WARNING and r.exc_info is None for r in outage_logs)
        ready = await client.get("/readyz")
        assert ready.status_code == 503
        assert (await client.get("/healthz")).status_code == 200
    finally:
        postgres.start()

    # Back without a restart of the app: the pool notices the dead connections and reconnects.
    deadline = time.monotonic() + 10
    while True:
        response, _ = await timed_query(client)
        if response.status_code == 200:
            break
        assert time.monotonic() < deadline, response.text
        await asyncio.sleep(0.2)
    assert response.json()["data"]["articles"]["totalCount"] == 0
    assert (await client.get("/readyz")).status_code == 200


async def test_exhausted_pool_answers_within_the_pool_timeout(
    postgres: ThrowawayPostgres, app: Starlette, client: httpx.AsyncClient
) -> None:
    # The app's only connection is busy (pool_size=1, no overflow).
    engine = app.state.database.engine
    async with engine.connect() as busy:
        await busy.execute(text("SELECT 1"))
        response, elapsed = await timed_query(client)
    assert_unavailable(response)
    assert POOL_TIMEOUT - 0.2 <= elapsed < POOL_TIMEOUT + 1
    recovered, _ = await timed_query(client)
    assert recovered.status_code == 200


@pytest.mark.skipif(os.name != "posix", reason="needs SIGSTOP")
async def test_a_frozen_database_cannot_hang_requests(
    postgres: ThrowawayPostgres, app: Starlette, client: httpx.AsyncClient
) -> None:
    # New connections to a postmaster that stops answering wait for the connect timeout.
    await app.state.database.engine.dispose()
    pid = postgres.postmaster_pid()
    os.kill(pid, signal.SIGSTOP)
    try:
        response, elapsed = await timed_query(client)
    finally:
        os.kill(pid, signal.SIGCONT)
    assert_unavailable(response)
    assert elapsed < POOL_TIMEOUT + 1.5
    recovered, _ = await timed_query(client)
    assert recovered.status_code == 200


async def test_migrated_throwaway_server_is_real(postgres: ThrowawayPostgres) -> None:
    engine = create_async_engine(postgres.url)
    try:
        async with engine.connect() as connection:
            version = await connection.scalar(text("SHOW server_version"))
            tables = await connection.scalar(
                text("SELECT count(*) FROM pg_tables WHERE tablename = 'articles'")
            )
    finally:
        await engine.dispose()
    assert version
    assert tables == 1
