"""What an operator sees: one JSON log line per request (request id, operation, key name but
never its secret, status, duration, SQL statements) and per-operation Prometheus metrics with
bounded labels, cache hits and misses, refusals and connection waits."""

from __future__ import annotations

import json
import logging
import re

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from api.database import Database
from api.http.metrics import OperationLabels
from api.logs import JsonFormatter
from api.services.keys import KEY_START
from api.settings import Settings
from api.telemetry import count_statements
from tests.api_clients import app_client, issue_key

FRONT_PAGE = "query FrontPage { articles(first: 3) { nodes { headline section { name } } } }"


def sample(exposition: str, name: str) -> float:
    found = re.search(rf"^{re.escape(name)} (\S+)$", exposition, re.MULTILINE)
    assert found, name
    return float(found.group(1))


async def test_one_json_log_line_per_request_naming_the_key_never_its_secret(
    client: httpx.AsyncClient,
    db_session: AsyncSession,
    engine: AsyncEngine,
    caplog: pytest.LogCaptureFixture,
) -> None:
    count_statements(engine)
    key = await issue_key(db_session, "content:read", name="partner-app")
    with caplog.at_level(logging.INFO, logger="broadsheet.requests"):
        response = await client.post(
            "/graphql",
            json={"query": FRONT_PAGE},
            headers={"Authorization": f"Bearer {key}", "X-Request-ID": "trace-me-123"},
        )
    assert response.status_code == 200
    records = [r for r in caplog.records if r.name == "broadsheet.requests"]
    assert len(records) == 1
    line = JsonFormatter().format(records[0])
    entry = json.loads(line)
    assert entry["request_id"] == "trace-me-123"
    assert entry["operation"] == "FrontPage"
    assert entry["operation_type"] == "query"
    assert entry["key"] == "partner-app"
    assert entry["status"] == 200
    assert entry["duration_ms"] > 0
    assert entry["sql_statements"] >= 2
    assert entry["level"] == "info"
    assert key not in line
    secret = key.removeprefix(KEY_START).split("_", 1)[1]  # may itself hold "_"
    assert secret not in line


async def test_metrics_per_operation_cache_refusals_and_waits(
    settings: Settings, database: Database
) -> None:
    async with app_client(
        settings,
        database,
        broadsheet_response_cache=True,
        broadsheet_rate_limit_anonymous=4,
    ) as (client, _):
        for _ in range(2):
            await client.post("/graphql", json={"query": FRONT_PAGE})
        await client.post("/graphql", json={"query": "{ sections { slug } }"})
        await client.post("/graphql", json={"query": "{ sections { slug } }"})
        refused = await client.post("/graphql", json={"query": "{ sections { slug } }"})
        assert refused.status_code == 429
        text = (await client.get("/metrics")).text
    labels = 'operation="FrontPage",type="query"'
    assert sample(text, f"broadsheet_graphql_operation_duration_seconds_count{{{labels}}}") == 2
    anonymous = 'operation="anonymous",type="query"'
    assert sample(text, f"broadsheet_graphql_operation_duration_seconds_count{{{anonymous}}}") == 2
    assert sample(text, 'broadsheet_response_cache_lookups_total{result="hit"}') == 2
    assert sample(text, 'broadsheet_response_cache_lookups_total{result="miss"}') == 2
    assert sample(text, 'broadsheet_refusals_total{reason="rate_limit"}') == 1
    assert sample(text, "broadsheet_db_pool_wait_seconds_count") >= 2
    assert "broadsheet_subscriptions 0.0" in text


def test_operation_name_labels_are_bounded() -> None:
    labels = OperationLabels(limit=2)
    assert labels.label(None) == "anonymous"
    assert labels.label("FrontPage") == "FrontPage"
    assert labels.label("not a name; drop table") == "other"
    assert labels.label("Section") == "Section"
    assert labels.label("Third") == "other"  # over the limit
    assert labels.label("FrontPage") == "FrontPage"
