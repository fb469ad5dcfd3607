"""The deployment files, checked as far as this machine can (it cannot run Docker): the compose
file parses and wires what the README promises (a migration step before the API, two API
processes on one Redis and one secret, the worker), its settings are real settings and its
commands real commands, and the image leaves the embedded PostgreSQL out."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from api.cli import app
from api.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
BROADSHEET_SERVICES = ("migrate", "api-1", "api-2", "worker")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "deploy" / "compose.yaml").read_text())
    return loaded


def test_compose_runs_migrations_before_two_api_processes(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert set(services) == {"postgres", "redis", *BROADSHEET_SERVICES}
    migrate = services["migrate"]
    assert migrate["command"] == ["broadsheet", "db", "upgrade"]
    assert migrate["restart"] == "no"
    assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in ("api-1", "api-2", "worker"):
        depends = services[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully"
        assert depends["redis"]["condition"] == "service_healthy"
    for name in ("api-1", "api-2"):
        assert services[name]["command"][:2] == ["broadsheet", "serve"]
        grace = int(services[name]["stop_grace_period"].rstrip("s"))
        timeout = int(services[name]["environment"]["BROADSHEET_SHUTDOWN_TIMEOUT_SECONDS"])
        assert grace > timeout  # the orchestrator waits for the graceful shutdown
    assert services["worker"]["command"] == ["broadsheet", "worker"]
    ports = [services[name]["ports"][0].split(":")[0] for name in ("api-1", "api-2")]
    assert len(set(ports)) == 2


def test_every_process_shares_redis_and_the_cursor_secret(compose: dict[str, Any]) -> None:
    environments = [compose["services"][name]["environment"] for name in BROADSHEET_SERVICES]
    for variable in ("DATABASE_URL", "REDIS_URL", "BROADSHEET_SECRET_KEY"):
        assert len({environment[variable] for environment in environments}) == 1, variable
    assert environments[0]["REDIS_URL"].startswith("redis://redis:")
    assert "@postgres:5432/" in environments[0]["DATABASE_URL"]


def test_compose_settings_and_commands_exist(compose: dict[str, Any]) -> None:
    known = {name.upper() for name in Settings.model_fields}
    for name in BROADSHEET_SERVICES:
        unknown = set(compose["services"][name]["environment"]) - known
        assert not unknown, f"{name}: {unknown} are not settings (api/settings.py)"
    commands = {command.name or command.callback.__name__ for command in app.registered_commands}
    groups = {group.name for group in app.registered_groups}
    assert {"serve", "demo"} <= commands
    assert "db" in groups
    # `broadsheet worker` comes with the outbox (another branch); compose already runs it.


def test_the_image_leaves_the_embedded_postgres_out() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert not any(d.startswith("pgserver") for d in project["dependencies"])
    extras = project["optional-dependencies"]
    assert any(d.startswith("pgserver") for d in extras["embedded"])
    assert any(d.startswith("pgserver") for d in extras["test"])  # the quickstart's install
    dockerfile = (ROOT / "Dockerfile").read_text()
    built = re.search(r"pip wheel .* '\.\[(\w+)\]'", dockerfile)
    assert built is not None
    assert built.group(1) == "otel"
    assert "embedded" not in dockerfile.split("FROM")[1].split("pip wheel")[1]
