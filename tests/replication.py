"""A PostgreSQL primary and a streaming replica of their own, for the read-replica tests.

Built from the machine's PostgreSQL binaries (`/usr/lib/postgresql/*/bin`): `initdb` a primary
in a temporary directory, start it on a free port, `pg_basebackup -R` a standby from it, start
that on another port. PostgreSQL refuses to run as root, so when the tests run as root (CI) the
servers run as the `postgres` user, with directories it owns. Everything is stopped and removed
by `close()`, which the fixture calls in a `finally`.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from tests.servers import free_port

TIMEOUT_S = 60


def postgres_bin() -> Path | None:
    """The newest PostgreSQL server binaries on the machine, or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_basebackup"))
    return Path(found[-1]).parent if found else None


def _as_postgres() -> list[str]:
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


class PostgresNode:
    """One server: a data directory and a port."""

    def __init__(self, binaries: Path, data: Path, port: int) -> None:
        self.binaries = binaries
        self.data = data
        self.port = port
        self.log = data.parent / f"{data.name}.log"

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"

    def run(self, tool: str, *args: str) -> None:
        subprocess.run(
            [*_as_postgres(), str(self.binaries / tool), *args],
            check=True,
            capture_output=True,
            timeout=TIMEOUT_S,
        )

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.data}"
        self.run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        self.run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def running(self) -> bool:
        status = subprocess.run(
            [*_as_postgres(), str(self.binaries / "pg_ctl"), "-D", str(self.data), "status"],
            capture_output=True,
            check=False,
        )
        return status.returncode == 0


class ReplicatedPostgres:
    """A primary and one streaming standby (hot_standby: it answers reads)."""

    def __init__(self, binaries: Path) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="bs-repl-"))
        self.root.chmod(0o755)
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        self.primary = PostgresNode(binaries, self.root / "primary", free_port())
        self.replica = PostgresNode(binaries, self.root / "replica", free_port())

    def start(self) -> None:
        primary = self.primary
        primary.run(
            "initdb", "-D", str(primary.data), "-U", "postgres", "--auth=trust", "-E", "UTF8"
        )
        with (primary.data / "postgresql.conf").open("a") as conf:
            conf.write("wal_level = replica\nmax_wal_senders = 4\nfsync = off\n")
            conf.write("synchronous_commit = off\nfull_page_writes = off\n")
        with (primary.data / "pg_hba.conf").open("a") as hba:
            hba.write("host replication postgres 127.0.0.1/32 trust\n")
        primary.start()
        primary.run(
            "pg_basebackup",
            "-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres",
            "-D", str(self.replica.data), "-R", "-X", "stream", "-c", "fast",
        )  # fmt: skip
        self.replica.start()
        self._wait_streaming()

    def _wait_streaming(self) -> None:
        deadline = time.monotonic() + TIMEOUT_S
        while time.monotonic() < deadline:
            state = subprocess.run(
                [
                    *_as_postgres(),
                    str(self.primary.binaries / "psql"),
                    "-h", "127.0.0.1", "-p", str(self.primary.port), "-U", "postgres", "-tAc",
                    "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'",
                ],
                capture_output=True,
                text=True,
                check=False,
            )  # fmt: skip
            if state.stdout.strip() == "1":
                return
            time.sleep(0.1)
        raise RuntimeError("the replica did not start streaming")

    def close(self) -> None:
        for node in (self.replica, self.primary):
            with contextlib.suppress(Exception):
                if node.running():
                    node.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)


@contextlib.contextmanager
def replicated_postgres(binaries: Path) -> Iterator[ReplicatedPostgres]:
    cluster = ReplicatedPostgres(binaries)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.close()
