"""Real servers for end-to-end tests: `broadsheet serve`, `broadsheet reader` and `broadsheet
worker` as subprocesses on free ports, each stopped (SIGTERM, then SIGKILL) when done."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.http_support import free_port

BROADSHEET = str(Path(sys.executable).with_name("broadsheet"))
# Variables of the developer's shell that would change what the servers do.
CLEARED = (
    "REDIS_URL",
    "SMTP_URL",
    "BROADSHEET_CORS_ORIGINS",
    "BROADSHEET_SITE_URL",
    "BROADSHEET_WORKER_IN_SERVE",
)


def server_env(**overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in CLEARED}
    env.update(overrides)
    return env


@contextmanager
def process(args: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as output:
        child = subprocess.Popen(
            [BROADSHEET, *args], env=env, stdout=output, stderr=subprocess.STDOUT
        )
        try:
            yield child
        finally:
            child.send_signal(signal.SIGTERM)
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()


def wait_until_up(url: str, child: subprocess.Popen[bytes], log: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if child.poll() is not None:
            raise AssertionError(f"{url} exited early:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{url} did not come up:\n{log.read_text()[-3000:]}")


@contextmanager
def api_server(env: dict[str, str], logs: Path) -> Iterator[str]:
    """`broadsheet serve` on a free port; its GraphQL URL."""
    port = free_port()
    log = logs / f"api-{port}.log"
    with process(["serve", "--port", str(port)], env, log) as child:
        wait_until_up(f"http://127.0.0.1:{port}/healthz", child, log)
        yield f"http://127.0.0.1:{port}/graphql"


@contextmanager
def reader_server(
    api_url: str, logs: Path, port: int | None = None, browser_api: str | None = None
) -> Iterator[str]:
    """`broadsheet reader` on `port` (or a free one); its base URL."""
    port = port or free_port()
    log = logs / f"reader-{port}.log"
    args = ["reader", "--api", api_url, "--port", str(port)]
    if browser_api:
        args += ["--browser-api", browser_api]
    with process(args, server_env(), log) as child:
        wait_until_up(f"http://127.0.0.1:{port}/healthz", child, log)
        yield f"http://127.0.0.1:{port}"


@contextmanager
def worker_process(env: dict[str, str], logs: Path) -> Iterator[subprocess.Popen[bytes]]:
    """`broadsheet worker`, draining the outbox until stopped."""
    log = logs / "worker.log"
    with process(["worker"], env, log) as child:
        time.sleep(0.5)
        if child.poll() is not None:
            raise AssertionError(f"the worker exited:\n{log.read_text()[-3000:]}")
        yield child
