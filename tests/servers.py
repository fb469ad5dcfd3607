"""Real servers for the tests that need several processes: `broadsheet serve` as a subprocess on
a free port, and a scratch database migrated and seeded with the demo newsroom for them.

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
from typing import Any

import httpx
from sqlalchemy import text

from api import migrations
from api.database import open_session, session_factory, short_lived_engine
from api.demo.newsroom import seed_demo
from api.services import keys
from api.visibility import EVERYTHING

BROADSHEET = str(Path(sys.executable).with_name("broadsheet"))
START_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 30.0


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


class ServerProcess:
    """`broadsheet serve` on a free port of 127.0.0.1, with the given environment."""

    def __init__(self, env: dict[str, str], workers: int = 1, port: int | None = None) -> None:
        self.port = port or free_port()
        self.workers = workers
        self.env = {**os.environ, **env}
        self.log = Path(tempfile.mkstemp(prefix="broadsheet-serve-", suffix=".log")[1])
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/graphql"

    def start(self) -> ServerProcess:
        command = [BROADSHEET, "serve", "--port", str(self.port), "--workers", str(self.workers)]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command, env=self.env, stdout=log, stderr=log, start_new_session=True
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
                raise RuntimeError(f"server exited early:\n{self.output()}")
            try:
                if httpx.get(f"{self.url}/readyz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"server did not come up in {timeout} s:\n{self.output()}")

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

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()
        self.log.unlink(missing_ok=True)


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
