"""Starting the servers under test as a user would, and measuring what they cost.

`broadsheet serve` (through the installed console script's module, `python -m api.cli`) and the
hand-written endpoint (uvicorn, same settings: one or more workers, uvloop, httptools, access
log on) run as separate processes; CPU time is read from /proc for the process and its workers.
Each server's output goes to a file in a temporary directory of the run's own (printed at the
end), shown when the server fails to start.
"""

from __future__ import annotations

import asyncio
import os
import socket
import sys
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@cache
def log_directory() -> Path:
    """Where this run's servers write their output (access logs included), one file each: a
    directory of this run's own, so concurrent runs never mix or delete each other's logs."""
    return Path(tempfile.mkdtemp(prefix="broadsheet-bench-"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """User + system CPU of `pid` and its children (uvicorn workers), living ones included."""
    total = 0.0
    pids = [pid, *_children(pid)]
    for each in pids:
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # utime, stime, cutime, cstime (fields 14-17 of stat; 12-15 after the name)
        total += sum(int(value) for value in fields[11:15]) / CLOCK_TICKS
    return total


def _children(pid: int) -> list[int]:
    found = []
    for path in Path("/proc").glob("[0-9]*/stat"):
        try:
            parts = path.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(parts[1]) == pid:
            child = int(path.parent.name)
            found += [child, *_children(child)]
    return found


@dataclass
class Server:
    name: str
    port: int
    process: asyncio.subprocess.Process
    log: Path  # the server's stdout and stderr, for when something goes wrong

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def cpu(self) -> float:
        return cpu_seconds(self.process.pid)

    async def stop(self) -> None:
        if self.process.returncode is None:
            self.process.terminate()
            try:
                await asyncio.wait_for(self.process.wait(), timeout=15)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()


async def start(name: str, command: list[str], env: dict[str, str], port: int) -> Server:
    log = log_directory() / f"{name}-{port}.log"
    with log.open("wb") as output:  # the child keeps its own descriptor
        process = await asyncio.create_subprocess_exec(
            *command, cwd=ROOT, env={**os.environ, **env}, stdout=output, stderr=output
        )
    server = Server(name, port, process, log)
    async with httpx.AsyncClient() as client:
        for _ in range(300):
            if process.returncode is not None:
                raise RuntimeError(f"{name} exited with {process.returncode}:\n{server.log_tail()}")
            try:
                await client.post(f"{server.url}/graphql", json={})
                return server
            except httpx.TransportError:
                await asyncio.sleep(0.1)
    await server.stop()
    raise RuntimeError(f"{name} did not come up on port {port}:\n{server.log_tail()}")


async def broadsheet(workers: int, env: dict[str, str], name: str = "broadsheet") -> Server:
    port = free_port()
    command = [sys.executable, "-m", "api.cli", "serve", "--port", str(port)]
    return await start(name, [*command, "--workers", str(workers)], env, port)


async def handwritten(workers: int, env: dict[str, str]) -> Server:
    port = free_port()
    command = [
        sys.executable,
        *("-m", "uvicorn", "bench.handwritten:app", "--port", str(port)),
        *("--workers", str(workers), "--log-level", "info"),
    ]
    return await start("hand-written", command, env, port)
