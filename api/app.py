"""The ASGI application: Starlette with the GraphQL endpoint, health checks and shared resources."""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import text
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from api.access import AccessControl, principal_of, rate_limit_of
from api.auth import visibility_for
from api.database import Database
from api.embedded import normalize_database_url
from api.http import GraphQLHTTP, HTTPConfig
from api.http_cache import ETagGzipSuffix, create_response_cache
from api.mailer import LoggingMailer
from api.metrics import Metrics
from api.persisted import create_persisted_queries
from api.settings import Settings, get_settings
from schema.context import Context, SerializedSession
from schema.loaders import Loaders
from schema.relay import CursorCodec
from schema.root import schema

logger = logging.getLogger(__name__)


def cursor_secret(settings: Settings) -> bytes:
    """The key cursors are signed with: configured, or derived from the database URL.

    Deriving it keeps every replica of one deployment agreeing without extra configuration.
    """
    if settings.broadsheet_secret_key is not None:
        return settings.broadsheet_secret_key.get_secret_value().encode()
    url = settings.database_url.get_secret_value() if settings.database_url else "embedded"
    return hashlib.sha256(b"broadsheet-cursors:" + url.encode()).digest()


def request_id_for(request: Request) -> str:
    """The caller's X-Request-ID when it is a sane token, else a new one."""
    offered = request.headers.get("x-request-id", "")
    if 8 <= len(offered) <= 64 and all(c.isalnum() or c in "-_." for c in offered):
        return offered
    return uuid.uuid4().hex


class BroadsheetGraphQL(GraphQLHTTP):
    """The GraphQL endpoint, building one Context (session, loaders, visibility) per request."""

    def __init__(self, database: Database, codec: CursorCodec, **options: Any) -> None:
        super().__init__(schema, **options)
        self.database = database
        self.codec = codec

    async def get_context(self, request: Request, response: Response) -> Context:  # type: ignore[override]
        db = SerializedSession(self.database.read_sessions, primary=self.database.sessions)
        request.state.db_session = db
        principal = principal_of(request)
        visibility = visibility_for(principal)
        request_id = request_id_for(request)
        response.headers["X-Request-ID"] = request_id
        return Context(
            request=request,
            response=response,
            db=db,
            visibility=visibility,
            loaders=Loaders.create(db, visibility),
            cursors=self.codec,
            request_id=request_id,
            principal=principal,
            rate_limit=rate_limit_of(request),
            mailer=request.app.state.mailer,
            access=request.app.state.access,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            db = scope.get("state", {}).get("db_session")
            if isinstance(db, SerializedSession):
                await db.close()


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


def http_middleware(settings: Settings) -> list[Middleware]:
    """CORS (outermost, so preflights are answered first), then compression of bodies over 1 KB.

    With `*` among BROADSHEET_CORS_ORIGINS any page may read anonymously, but browsers may not
    send credentials (Authorization, X-API-Key) from other origins; list origins to allow keys.
    """
    middleware = []
    origins = settings.cors_origins
    if origins:
        anonymous_only = "*" in origins
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=["*"] if anonymous_only else origins,
                allow_methods=["GET", "POST", "OPTIONS"],
                allow_headers=["Content-Type", "Accept", "X-Request-ID"]
                + ([] if anonymous_only else ["Authorization", "X-API-Key"]),
                expose_headers=[
                    "ETag",
                    "X-Request-ID",
                    "Retry-After",
                    "RateLimit-Limit",
                    "RateLimit-Remaining",
                    "RateLimit-Reset",
                    "RateLimit-Policy",
                ],
                max_age=600,
            )
        )
    middleware.append(Middleware(ETagGzipSuffix))
    middleware.append(Middleware(GZipMiddleware, minimum_size=1024, compresslevel=6))
    return middleware


def create_app(settings: Settings | None = None, database: Database | None = None) -> Starlette:
    """Build the application. Pass `database` to share engines (tests); otherwise one is made."""
    settings = settings or get_settings()
    owns_database = database is None
    if database is None:
        if settings.database_url is None:
            raise RuntimeError(
                "DATABASE_URL is not set (the CLI starts an embedded PostgreSQL for you)"
            )
        read_url = (
            settings.database_read_url.get_secret_value() if settings.database_read_url else None
        )
        database = Database.connect(
            normalize_database_url(settings.database_url.get_secret_value()), settings, read_url
        )

    access = AccessControl.create(settings, database)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        await graphql.aclose()
        await access.aclose()
        if owns_database:
            await database.dispose()

    graphql = BroadsheetGraphQL(
        database,
        CursorCodec(cursor_secret(settings)),
        config=HTTPConfig.from_settings(settings),
        persisted=create_persisted_queries(settings, schema._schema),
        response_cache=create_response_cache(settings),
        limiter=access.limiter,
    )
    metrics = Metrics(database)
    app = Starlette(
        routes=[
            Route("/graphql", access.wrap(graphql)),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/metrics", metrics.endpoint),
        ],
        lifespan=lifespan,
        # Outermost, so every response is counted, preflights and refusals included.
        middleware=[Middleware(metrics.middleware), *http_middleware(settings)],
    )
    app.state.settings = settings
    app.state.graphql = graphql
    app.state.database = database
    app.state.access = access
    app.state.mailer = LoggingMailer()
    return app
