"""The command line: serving refuses a database this code's migrations have not reached."""

from __future__ import annotations

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
