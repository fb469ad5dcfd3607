"""The ASGI application: `/graphql` and the feeds behind the access guard, health checks and
metrics, and (with BROADSHEET_WORKER_IN_SERVE) a background worker.

`create_app` wires the shared resources once per process: database engines, the one Redis
client (api/redis.py), access control, persisted queries and the response cache. Migrations are
a deploy step (`broadsheet db upgrade`), never a side effect of starting the app.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any

from sqlalchemy import text
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute

from api.access.authentication import Authenticator
from api.access.key_cache import KeyCache
from api.access.policy import Access, AccessPolicy
from api.access.ratelimit import create_rate_limiter
from api.access.revocations import RevocationListener
from api.caching import create_response_cache
from api.database import Database
from api.embedded import normalize_database_url
from api.fanout import LiveHub
from api.heap import settle_heap
from api.http.admission import Admission, AdmissionPolicy
from api.http.clients import ClientIdentity
from api.http.feeds import FeedEndpoints
from api.http.graphql import GraphQLEndpoint, HTTPConfig
from api.http.guard import AccessGuard
from api.http.metrics import Metrics
from api.http.middleware import http_middleware
from api.http.persisted import create_persisted_queries
from api.http.prefetch import CachePrefetch
from api.http.tracing import Tracing, provider_from_settings
from api.http.worker import in_process_worker
from api.logs import configure_logging
from api.read_your_writes import WriteMarks
from api.redis import connect as connect_redis
from api.related_lists import refreshing
from api.replica import Replica
from api.secret_box import deployment_secret
from api.settings import Settings, get_settings
from schema.relay import CursorCodec
from schema.root import build_schema, schema

logger = logging.getLogger(__name__)


def cursor_secret(settings: Settings) -> bytes:
    """The key cursors are signed with: the deployment's secret (api/secret_box.py)."""
    return deployment_secret(settings)


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    database: Database = request.app.state.database
    try:
        async with database.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception:
        logger.warning("readiness check failed: database unreachable")
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok"})


def connect_database(settings: Settings) -> Database:
    if settings.database_url is None:
        raise RuntimeError(
            "DATABASE_URL is not set (the CLI starts an embedded PostgreSQL for you)"
        )
    read_url = settings.database_read_url.get_secret_value() if settings.database_read_url else None
    return Database.connect(
        normalize_database_url(settings.database_url.get_secret_value()), settings, read_url
    )


def create_app(
    settings: Settings | None = None,
    database: Database | None = None,
    tracer_provider: Any | None = None,
) -> Starlette:
    """Build the application. Pass `database` to share engines (tests); otherwise one is made.
    Traces go to `tracer_provider`, or to OTEL_EXPORTER_OTLP_ENDPOINT when set (tracing.py)."""
    settings = settings or get_settings()
    owns_database = database is None
    database = database or connect_database(settings)
    redis = connect_redis(settings)
    if database.read_engine is not database.engine and database.replica is None:
        marks = WriteMarks(
            redis, settings.broadsheet_redis_prefix, settings.broadsheet_read_your_writes_seconds
        )
        database = replace(database, replica=Replica.from_settings(database, marks, settings))
    replica = database.replica
    tracer_provider = tracer_provider or provider_from_settings(settings)
    tracing = Tracing(tracer_provider, database, redis) if tracer_provider is not None else None
    primary_url = database.engine.url.render_as_string(hide_password=False)
    live = LiveHub(primary_url)
    key_cache = KeyCache(settings.broadsheet_key_cache_seconds)
    revocations = RevocationListener(primary_url, key_cache)
    limiter = create_rate_limiter(redis, settings.broadsheet_redis_prefix)
    access = Access(
        Authenticator(database, cache=key_cache), limiter, AccessPolicy.from_settings(settings)
    )
    metrics = Metrics(database, live)
    response_cache = create_response_cache(settings, redis)
    persisted = create_persisted_queries(settings, redis)
    graphql = GraphQLEndpoint(
        database,
        CursorCodec(cursor_secret(settings)),
        access,
        HTTPConfig.from_settings(settings),
        persisted,
        response_cache,
        live,
        build_schema(tracer_provider) if tracer_provider is not None else schema,
        express=tracer_provider is None,
    )
    feeds = FeedEndpoints(database, settings, response_cache)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        monitor = asyncio.create_task(replica.monitor()) if replica is not None else None
        if key_cache.enabled:
            revocations.start()
        # Every serve process keeps the stored related lists current (api/related_lists.py).
        async with in_process_worker(settings, database, response_cache), refreshing(database):
            settle_heap(settings.broadsheet_gc_freeze, settings.broadsheet_gc_gen0_threshold)
            yield
        await revocations.stop()
        if monitor is not None:
            monitor.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await monitor
        await live.stop()
        if redis is not None:
            await redis.aclose()
        if owns_database:
            await database.dispose()
            logger.info("stopped: database pools closed")
        if tracing is not None:
            tracing.close()

    app = Starlette(
        routes=[
            Route(
                "/graphql",
                Admission(
                    AccessGuard(
                        graphql, access, CachePrefetch.create(limiter, response_cache, persisted)
                    ),
                    AdmissionPolicy.from_settings(settings),
                    metrics.registry,
                ),
            ),
            WebSocketRoute("/graphql", graphql),  # subscriptions: authenticated by connection_init
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/metrics", metrics.endpoint),
            *feeds.routes(access),
        ],
        lifespan=lifespan,
        # Metrics outermost, so every response is counted, preflights and refusals included;
        # then the request id and client address, which everything inside relies on.
        middleware=[
            *([Middleware(tracing.wrap)] if tracing is not None else []),
            Middleware(metrics.middleware),
            Middleware(ClientIdentity, trusted_proxies=settings.trusted_proxies),
            *http_middleware(settings),
        ],
    )
    app.state.settings = settings
    app.state.graphql = graphql
    app.state.database = database
    app.state.access = access
    app.state.redis = redis
    app.state.live = live
    app.state.revocations = revocations
    app.state.tracing = tracing
    return app


def serve_app() -> Starlette:
    """The app as `broadsheet serve` runs it (uvicorn's factory, in every worker process):
    logging configured from the settings first, then `create_app`."""
    settings = get_settings()
    configure_logging(settings.broadsheet_log_format, settings.broadsheet_log_level)
    return create_app(settings)
