"""The app's HTTP middleware, outermost first: CORS, ETags of compressed bodies, gzip."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.caching import GZIP_SUFFIX
from api.settings import Settings

# Headers a browser script on another origin may read.
EXPOSED_HEADERS = [
    "ETag",
    "X-Request-ID",
    "Retry-After",
    "RateLimit-Limit",
    "RateLimit-Remaining",
    "RateLimit-Reset",
    "RateLimit-Policy",
]


def http_middleware(settings: Settings) -> list[Middleware]:
    """CORS (so preflights are answered first), then compression of bodies over 1 KB.

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
                expose_headers=EXPOSED_HEADERS,
                max_age=600,
            )
        )
    middleware.append(Middleware(ETagGzipSuffix))
    middleware.append(Middleware(GZipMiddleware, minimum_size=1024, compresslevel=6))
    return middleware


class ETagGzipSuffix:
    """ASGI middleware, outside GZipMiddleware: a compressed body is a different representation,
    so its strong ETag gets a `-gzip` suffix (as Apache does); `if_none_match` accepts both."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_suffix(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                etag = headers.get("etag")
                if etag and headers.get("content-encoding") and not etag.startswith("W/"):
                    headers["etag"] = etag[:-1] + GZIP_SUFFIX + '"'
            await send(message)

        await self.app(scope, receive, send_with_suffix)
