"""The reader's ASGI application: routes, static files, and the pages shown when things fail.

An unknown address or slug is a 404 page; an API that cannot be reached (or answers without
GraphQL) is a 503 page with `Retry-After`, readable and styled, never a blank page or a trace.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from reader.config import ReaderConfig
from reader.graphql_client import ApiRefused, ApiUnavailable, GraphQLClient
from reader.pages import ReaderPages
from reader.rendering import Pages
from reader.subscriptions import SubscriptionPages

logger = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"
RETRY_AFTER_SECONDS = 10


def create_app(
    config: ReaderConfig, transport: httpx.AsyncBaseTransport | None = None
) -> Starlette:
    """The reader site for `config`; `transport` replaces the network (tests)."""
    api = GraphQLClient(
        config.api_url,
        timeout=config.timeout_seconds,
        api_key=config.api_key,
        transport=transport,
    )
    pages = Pages(config)
    site = ReaderPages(api, pages)
    subscriptions = SubscriptionPages(api, pages)

    async def not_found(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 404
        if status != 404:
            return PlainTextResponse(str(getattr(exc, "detail", "")), status)
        message = exc.detail if isinstance(exc, HTTPException) else "We could not find that."
        return pages.render(
            "error.html", 404, cache_seconds=0, title="Page not found", message=message
        )

    async def unavailable(request: Request, exc: Exception) -> Response:
        return pages.render(
            "error.html",
            503,
            cache_seconds=0,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            title="The news is unavailable right now",
            message="We could not reach the newsroom. Please try again in a moment.",
        )

    async def refused(request: Request, exc: Exception) -> Response:
        codes = exc.codes if isinstance(exc, ApiRefused) else set()
        if "RATE_LIMITED" in codes:
            return pages.render(
                "error.html",
                429,
                cache_seconds=0,
                headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
                title="Too many requests",
                message="Please wait a moment and try again.",
            )
        logger.warning("API refused a page's query: %s", exc)
        return pages.render(
            "error.html",
            400,
            cache_seconds=0,
            title="We could not show this page",
            message="The address looks damaged: go back and follow the link again.",
        )

    async def server_error(request: Request, exc: Exception) -> Response:
        logger.exception("reader failed on %s", request.url.path, exc_info=exc)
        return pages.render(
            "error.html",
            500,
            cache_seconds=0,
            title="Something went wrong",
            message="This page could not be shown. Please try again in a moment.",
        )

    async def healthz(request: Request) -> Response:
        return PlainTextResponse("ok")

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        await api.close()

    both = ["GET", "POST"]
    return Starlette(
        routes=[
            Route("/", site.front),
            Route("/sections/{slug}", site.section),
            Route("/stories/{source}/{slug}", site.story),
            Route("/authors/{slug}", site.author),
            Route("/sources/{slug}", site.source),
            Route("/search", site.search),
            Route("/newsletters/confirm", subscriptions.confirm, methods=both),
            Route("/newsletters/unsubscribe", subscriptions.unsubscribe, methods=both),
            Route("/newsletters/{newsletter}", site.latest_issue),
            Route("/newsletters/{newsletter}/{date}", site.issue),
            Route("/privacy", site.static_page),
            Route("/terms", site.static_page),
            Route("/healthz", healthz),
            Mount("/static", StaticFiles(directory=STATIC), name="static"),
        ],
        exception_handlers={
            404: not_found,
            HTTPException: not_found,
            ApiUnavailable: unavailable,
            ApiRefused: refused,
            Exception: server_error,
        },
        lifespan=lifespan,
    )
