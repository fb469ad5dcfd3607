"""OpenTelemetry tracing, on when OTEL_EXPORTER_OTLP_ENDPOINT is set (needs `broadsheet[otel]`).

Spans: one per HTTP request (the ASGI instrumentation, outermost, continuing a caller's
`traceparent`), one per GraphQL operation named by its operation name with parsing, validation
and resolvers beneath (schema/extensions/tracing.py), one per SQL statement (the SQLAlchemy
instrumentation, on both engines) and one per Redis command. Exported in batches over OTLP/HTTP
to the endpoint; the service is `OTEL_SERVICE_NAME` (default `broadsheet`). Tests pass their
own provider (an in-memory exporter).

The instrumentations of SQLAlchemy and Redis are process-wide: `Tracing.close` (the app's
shutdown) removes them.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from redis.asyncio import Redis
from starlette.types import ASGIApp

from api.database import Database
from api.settings import Settings

logger = logging.getLogger(__name__)


def provider_from_settings(settings: Settings) -> Any | None:
    """A tracer provider exporting to OTEL_EXPORTER_OTLP_ENDPOINT; None when unset or when
    OpenTelemetry is not installed (said once, in the log)."""
    if not settings.otel_exporter_otlp_endpoint:
        return None
    try:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor
    except ImportError:
        logger.error(
            "OTEL_EXPORTER_OTLP_ENDPOINT is set but OpenTelemetry is not installed: "
            "install broadsheet[otel]; serving without traces"
        )
        return None
    service = os.environ.get("OTEL_SERVICE_NAME", "broadsheet")
    provider = TracerProvider(resource=Resource.create({"service.name": service}))
    # The exporter reads OTEL_EXPORTER_OTLP_ENDPOINT (and _HEADERS, _TIMEOUT) itself.
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    return provider


class Tracing:
    """The instrumentations for one app, sending spans to `provider`."""

    def __init__(self, provider: Any, database: Database, redis: Redis | None) -> None:
        from opentelemetry.instrumentation.redis import RedisInstrumentor
        from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor

        self.provider = provider
        engines = {database.engine.sync_engine, database.read_engine.sync_engine}
        self._sqlalchemy = SQLAlchemyInstrumentor()
        # Its declared range stops below SQLAlchemy 2.1, whose engine events it uses unchanged
        # (tests/test_tracing.py proves the spans).
        self._sqlalchemy.instrument(
            engines=list(engines), tracer_provider=provider, skip_dep_check=True
        )
        self._redis = RedisInstrumentor() if redis is not None else None
        if self._redis is not None:
            self._redis.instrument(tracer_provider=provider)

    def wrap(self, app: ASGIApp) -> ASGIApp:
        """`app` inside a server span per request."""
        from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware

        wrapped: ASGIApp = OpenTelemetryMiddleware(
            app, tracer_provider=self.provider, excluded_urls="healthz,readyz,metrics"
        )
        return wrapped

    def close(self) -> None:
        """Remove the process-wide instrumentations and flush what is left to export."""
        self._sqlalchemy.uninstrument()
        if self._redis is not None:
            self._redis.uninstrument()
        flush = getattr(self.provider, "force_flush", None)
        if flush is not None:
            flush()
