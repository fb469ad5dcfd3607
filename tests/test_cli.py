"""The command line: serving refuses a database this code's migrations have not reached."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from api import migrations
from api.cli import app
from api.settings import get_settings


@pytest.fixture
def runner_env(empty_database: str) -> Iterator[dict[str, str]]:
    get_settings.cache_clear()
    yield {"DATABASE_URL": empty_database}
    get_settings.cache_clear()


def test_serve_refuses_an_unmigrated_database(runner_env: dict[str, str]) -> None:
    result = CliRunner().invoke(app, ["serve", "--port", "1"], env=runner_env)
    assert result.exit_code == 2
    assert "broadsheet db upgrade" in " ".join(result.output.split())


def test_schema_state_follows_migrations(empty_database: str) -> None:
    before = migrations.schema_state(empty_database)
    assert before.current is None
    assert before.behind
    migrations.upgrade("head", empty_database)
    after = migrations.schema_state(empty_database)
    assert after.current == after.head
    assert not after.behind


def test_without_database_url_or_the_embedded_postgres_the_cli_says_what_to_do() -> None:
    # A production install has no pgserver (it is the `embedded` extra): simulate its absence.
    script = (
        "import sys; sys.modules['pgserver'] = None; "
        "from api.cli import main; sys.argv = ['broadsheet', 'db', 'current']; main()"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "BROADSHEET_ENV")}
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    message = " ".join(result.stderr.split())
    assert "DATABASE_URL is not set and the embedded PostgreSQL is not installed" in message
    assert "broadsheet[embedded]" in message


def test_seed_synthetic_reports_rows_and_phases_without_a_bar_off_a_terminal(
    runner_env: dict[str, str],
) -> None:
    migrations.upgrade("head", runner_env["DATABASE_URL"])
    args = ["seed", "synthetic", "--articles", "60", "--sources", "2", "--seed", "3"]
    result = CliRunner().invoke(app, args, env=runner_env)
    assert result.exit_code == 0, result.output
    assert "articles" in result.output
    assert " 60" in result.output
    assert "loaded in" in result.output
    assert "━" not in result.output  # stderr is not a terminal here: no progress bar
