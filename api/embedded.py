"""The embedded PostgreSQL used when DATABASE_URL is unset, so a fresh machine needs only Python.

It is a real PostgreSQL server (the `pgserver` package ships the binaries) whose data lives under
the user's data directory and is reused across runs; the server stops when the process that
started it exits. Nothing else in Broadsheet knows the difference.
"""

from __future__ import annotations

import json
import logging
import os
import warnings
from pathlib import Path
from typing import Any

import platformdirs

logger = logging.getLogger(__name__)

DATABASE_NAME = "broadsheet"
_server: Any = None


class EmbeddedUnavailable(RuntimeError):
    """The embedded PostgreSQL is needed (no DATABASE_URL) but `pgserver` is not installed."""


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("broadsheet")) / "pgdata"


def start_embedded_postgres(data_dir: Path | None = None) -> str:
    """Start (or attach to) the embedded server and return an asyncpg URL for its database."""
    global _server
    pgdata = (data_dir or default_data_dir()).expanduser().resolve()
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        # pgserver locks under the user's runtime dir; without XDG_RUNTIME_DIR platformdirs warns.
        warnings.simplefilter("ignore")
        try:
            import pgserver
        except ImportError:
            raise EmbeddedUnavailable(
                "DATABASE_URL is not set and the embedded PostgreSQL is not installed: set "
                "DATABASE_URL to your PostgreSQL, or install broadsheet[embedded] for development."
            ) from None

        _forget_dead_handles(pgdata)
        _server = pgserver.get_server(pgdata, cleanup_mode="stop")
    # DATABASE_NAME is a constant of ours, not input.
    exists = _server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")  # noqa: S608
    if "(1 row)" not in exists:
        _server.psql(f"CREATE DATABASE {DATABASE_NAME};")
        logger.info("created database %s in %s", DATABASE_NAME, pgdata)
    info = _server.get_postmaster_info()
    return f"postgresql+asyncpg://postgres@/{DATABASE_NAME}?host={info.socket_dir}&port={info.port}"


def _forget_dead_handles(pgdata: Path) -> None:
    """Drop processes that no longer exist from pgserver's list of the server's users.

    pgserver stops the server when the last process listed there exits; a process that was
    killed outright stays listed forever, and the server would then never be stopped.
    """
    handles = pgdata / ".handle_pids.json"
    try:
        pids = json.loads(handles.read_text())
    except (OSError, ValueError):
        return
    alive = [pid for pid in pids if _running(pid)]
    if alive != pids:
        handles.write_text(json.dumps(alive))


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def resolve_database_url(configured: str | None, data_dir: str | None = None) -> str:
    """The URL to use: the configured one, else the embedded server's.

    The embedded URL is exported as DATABASE_URL so that uvicorn worker processes and alembic,
    which read settings afresh, connect to the same server instead of starting another.
    """
    if configured:
        return normalize_database_url(configured)
    url = start_embedded_postgres(Path(data_dir) if data_dir else None)
    os.environ["DATABASE_URL"] = url
    return url


def normalize_database_url(url: str) -> str:
    """Accept the common spellings (postgres://, postgresql://) and use the asyncpg driver."""
    for prefix in (
        "postgres://",
        "postgresql://",
        "postgresql+psycopg://",
        "postgresql+psycopg2://",
    ):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    return url
