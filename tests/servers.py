"""Real servers for the tests that need several processes: `broadsheet serve`, `reader` and
`worker` as subprocesses on free ports, and a scratch database migrated and seeded with the demo
newsroom for them.

Every process is started with a deadline to come up, and stopped (SIGTERM, then SIGKILL after a
bound) in a `finally`, so a failing test leaves nothing running. Its output goes to a file that
a failing test prints.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Self

import httpx
from sqlalchemy import text

from api import migrations
from api.database import open_session, session_factory, short_lived_engine
from api.demo.newsroom import seed_demo
from api.services import keys
from api.visibility import EVERYTHING
from tests.api_clients import require_redis, unique_prefix
from tests.http_support import drop_redis_prefix

BROADSHEET = str(Path(sys.executable).with_name("broadsheet"))
START_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 30.0
# Variables of the developer's shell that would change what the servers do.
CLEARED = (
    "REDIS_URL",
    "SMTP_URL",
    "BROADSHEET_CORS_ORIGINS",
    "BROADSHEET_SITE_URL",
    "BROADSHEET_WORKER_IN_SERVE",
)


def server_env(**overrides: str) -> dict[str, str]:
    """This process's environment without the variables in CLEARED, plus `overrides`."""
    env = {k: v for k, v in os.environ.items() if k not in CLEARED}
    env.update(overrides)
    return env


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _seed(url: str) -> None:
    async with (
        short_lived_engine(url) as engine,
        open_session(session_factory(engine), EVERYTHING) as session,
    ):
        await seed_demo(session)
        await session.commit()
    async with short_lived_engine(url) as engine, engine.connect() as connection:
        # Planner statistics, as a deployment has them (autovacuum would take a minute).
        await connection.execute(text("ANALYZE"))
        await connection.commit()


def migrate_and_seed(url: str) -> None:
    migrations.upgrade("head", database_url=url)
    asyncio.run(_seed(url))


async def create_key(url: str, *scopes: str, rate_limit: int | None = None) -> str:
    """A new committed API key on the database at `url`; its plaintext."""
    async with (
        short_lived_engine(url) as engine,
        open_session(session_factory(engine), EVERYTHING) as session,
    ):
        issued = await keys.create_key(
            session, f"test-{os.urandom(5).hex()}", list(scopes), rate_limit
        )
        await session.commit()
        return issued.plaintext


class Child:
    """`broadsheet <args>` as a subprocess with exactly the environment `env`, its output in a
    log file; ready when `ready_url` answers 200 (or at once, without one)."""

    def __init__(self, args: list[str], env: dict[str, str], ready_url: str | None) -> None:
        self.args = args
        self.env = env
        self.ready_url = ready_url
        name = f"broadsheet-{args[0]}-"
        self.log = Path(tempfile.mkstemp(prefix=name, suffix=".log")[1])
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Self:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [BROADSHEET, *self.args],
                env=self.env,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        try:
            self.wait_ready()
        except BaseException:
            self.stop()  # never leave a half-started server behind
            raise
        return self

    def wait_ready(self, timeout: float = START_TIMEOUT_S) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.args[0]} exited early:\n{self.output()}")
            if self.ready_url is None:
                return
            try:
                if httpx.get(self.ready_url, timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{self.args[0]} did not come up in {timeout} s:\n{self.output()}")

    def terminate(self) -> None:
        """SIGTERM: stop accepting, finish what is in flight (uvicorn's graceful shutdown)."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)

    def wait(self, timeout: float = STOP_TIMEOUT_S) -> int:
        assert self.process is not None
        return self.process.wait(timeout)

    def stop(self) -> int | None:
        """Stop gracefully, or kill after STOP_TIMEOUT_S; the exit code (None if killed)."""
        if self.process is None:
            return None
        self.terminate()
        try:
            return self.process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.kill()
            self.process.wait()
            return None

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-20_000:]

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()
        self.log.unlink(missing_ok=True)


class ServerProcess(Child):
    """`broadsheet serve` on a free port of 127.0.0.1, with this process's environment plus
    `env` (or, with `inherit=False`, exactly `env`)."""

    def __init__(
        self,
        env: dict[str, str],
        workers: int = 1,
        port: int | None = None,
        *,
        inherit: bool = True,
    ) -> None:
        self.port = port or free_port()
        self.workers = workers
        args = ["serve", "--port", str(self.port), "--workers", str(workers)]
        super().__init__(args, {**os.environ, **env} if inherit else env, f"{self.url}/readyz")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/graphql"


@contextlib.contextmanager
def servers(*processes: ServerProcess) -> Iterator[tuple[ServerProcess, ...]]:
    """Start them all, and stop every one of them whatever happens."""
    try:
        for process in processes:
            process.start()
        yield processes
    finally:
        for process in processes:
            process.stop()
            process.log.unlink(missing_ok=True)


@contextlib.contextmanager
def sharing_redis(database_url: str, secret: str) -> Iterator[dict[str, str]]:
    """The environment of `broadsheet serve` processes of one deployment: one database, one
    secret, and a Redis prefix of their own, dropped afterwards."""
    redis_url = asyncio.run(require_redis())
    prefix = unique_prefix()
    try:
        yield {
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "BROADSHEET_REDIS_PREFIX": prefix,
            "BROADSHEET_SECRET_KEY": secret,
        }
    finally:
        asyncio.run(drop_redis_prefix(redis_url, prefix))


@contextlib.contextmanager
def api_server(env: dict[str, str]) -> Iterator[str]:
    """`broadsheet serve` on a free port, with exactly `env`; its GraphQL URL."""
    with ServerProcess(env, inherit=False) as server:
        yield f"{server.url}/graphql"


@contextlib.contextmanager
def reader_server(
    api_url: str, port: int | None = None, browser_api: str | None = None
) -> Iterator[str]:
    """`broadsheet reader` on `port` (or a free one), reading `api_url`; its base URL."""
    port = port or free_port()
    args = ["reader", "--api", api_url, "--port", str(port)]
    if browser_api:
        args += ["--browser-api", browser_api]
    with Child(args, server_env(), f"http://127.0.0.1:{port}/healthz"):
        yield f"http://127.0.0.1:{port}"


@contextlib.contextmanager
def worker_process(env: dict[str, str]) -> Iterator[Child]:
    """`broadsheet worker`, draining the outbox until stopped."""
    with Child(["worker"], env, None) as worker:
        time.sleep(0.5)
        worker.wait_ready()  # still running
        yield worker
