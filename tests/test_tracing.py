"""OpenTelemetry: with a tracer provider (here the SDK's in-memory exporter; in production
OTEL_EXPORTER_OTLP_ENDPOINT) a request is one trace: the HTTP server span, one span for the
GraphQL operation named by its operation name, a span per SQL statement and per Redis command.
Personal data in arguments stays out of the spans."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from api.database import Database
from api.http.app import create_app
from api.settings import Settings
from tests.api_clients import close_app, require_redis, unique_prefix
from tests.http_support import drop_redis_prefix

FRONT_PAGE = "query FrontPage { articles(first: 3) { nodes { headline section { name } } } }"
SIGN_UP = """
mutation SignUp { subscribeToNewsletter(newsletter: "eastern-briefings", email: "reader@example.org", consent: true) { userErrors { message } } }
"""


@pytest.fixture
async def traced(
    settings: Settings, database: Database
) -> AsyncIterator[tuple[httpx.AsyncClient, InMemorySpanExporter]]:
    redis_url = await require_redis()
    prefix = unique_prefix()
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    overrides = {"redis_url": redis_url, "broadsheet_redis_prefix": prefix}
    app = create_app(
        Settings(**{**settings.model_dump(), **overrides}), database, tracer_provider=provider
    )
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        ) as client:
            yield client, exporter
    finally:
        app.state.tracing.close()
        await close_app(app)
        await drop_redis_prefix(redis_url, prefix)


def named(spans: tuple[ReadableSpan, ...], prefix: str) -> list[ReadableSpan]:
    return [span for span in spans if span.name.startswith(prefix)]


async def test_one_trace_per_request_with_operation_sql_and_redis_spans(
    traced: tuple[httpx.AsyncClient, InMemorySpanExporter],
) -> None:
    client, exporter = traced
    response = await client.post("/graphql", json={"query": FRONT_PAGE})
    assert response.status_code == 200
    spans = exporter.get_finished_spans()
    operations = named(spans, "GraphQL Query")
    assert [span.name for span in operations] == ["GraphQL Query: FrontPage"]
    server = [span for span in spans if span.name == "POST /graphql"]
    assert len(server) == 1
    trace_id = server[0].context.trace_id
    sql = [span for span in spans if (span.attributes or {}).get("db.system") == "postgresql"]
    redis = [span for span in spans if (span.attributes or {}).get("db.system") == "redis"]
    assert sql, [span.name for span in spans]
    assert redis, [span.name for span in spans]  # the rate limiter's budget, in Redis
    for span in [operations[0], *sql, *redis]:
        assert span.context.trace_id == trace_id


async def test_personal_data_stays_out_of_spans(
    traced: tuple[httpx.AsyncClient, InMemorySpanExporter],
) -> None:
    client, exporter = traced
    response = await client.post("/graphql", json={"query": SIGN_UP})
    assert response.status_code == 200
    spans = exporter.get_finished_spans()
    assert named(spans, "GraphQL Query: SignUp")
    for span in spans:
        for value in (span.attributes or {}).values():
            assert "reader@example.org" not in str(value), span.name
