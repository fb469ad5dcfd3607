"""Feeds and sitemaps over HTTP, at stable URLs, cached like GraphQL responses.

    /feeds/rss.xml   /feeds/atom.xml   /feeds/feed.json             the front page
    /feeds/{sections|sources|tags|authors}/{slug}/{rss.xml|atom.xml|feed.json}
    /sitemaps/news.xml                                              Google News, last 48 hours
    /sitemaps/index.xml                                             every month's sitemap
    /sitemaps/articles-{YYYY}-{MM}.xml[?page=N]                     one month's stories

Feeds are read with the public's visibility whoever asks (API keys are still checked and
charged by the access guard), so every answer is shareable: `Cache-Control: public`, a strong
`ETag` (304 on If-None-Match), `Surrogate-Key` / `Cache-Tag` naming `list:article` and every
entity shown, and the server-side response cache, all from api/caching.py. A write purges them
exactly as it purges GraphQL responses.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import Receive, Send
from starlette.types import Scope as ASGIScope

from api.access.policy import Access
from api.caching import (
    PRIVATE,
    CachePolicy,
    ResponseCache,
    ResponseTags,
    cache_key,
    list_tag,
)
from api.database import Database, open_session
from api.errors import UNAVAILABLE_RETRY_AFTER_SECONDS
from api.feeds import content, sitemaps, syndication
from api.feeds.content import FeedContent, Scope
from api.feeds.syndication import FeedLinks
from api.http.guard import AccessGuard
from api.http.responses import shared_response
from api.settings import Settings
from api.visibility import Visibility

logger = logging.getLogger(__name__)

XML = "application/xml; charset=utf-8"
FORMATS = {
    "rss.xml": ("application/rss+xml; charset=utf-8", syndication.rss),
    "atom.xml": ("application/atom+xml; charset=utf-8", syndication.atom),
    "feed.json": ("application/feed+json; charset=utf-8", syndication.json_feed),
}
Rendered = tuple[bytes, list[str]] | None


def _not_found(message: str) -> Response:
    return PlainTextResponse(message, status_code=404, headers={"Cache-Control": PRIVATE})


def _feed_tags(feed: FeedContent) -> list[str]:
    tags = ResponseTags()
    tags.lists.add(list_tag("Article"))
    if feed.subject is not None:
        tags.record(type(feed.subject).__name__, feed.subject.id)
    for item in feed.items:
        tags.record("Article", item.article.id)
        tags.record("Section", item.section.id)
        tags.record("Source", item.source.id)
        for author in item.authors:
            tags.record("Author", author.id)
        for tag in item.tags:
            tags.record("Tag", tag.id)
    return tags.for_response()


class FeedEndpoints:
    """The feed and sitemap routes of one app."""

    def __init__(
        self, database: Database, settings: Settings, response_cache: ResponseCache
    ) -> None:
        self.database = database
        self.response_cache = response_cache
        self.policy = CachePolicy.from_settings(settings)
        self.public_url = (settings.broadsheet_public_url or "").rstrip("/") or None

    def routes(self, access: Access) -> list[BaseRoute]:
        def guarded(endpoint: Callable[[Request], Awaitable[Response]]) -> AccessGuard:
            async def app(scope: ASGIScope, receive: Receive, send: Send) -> None:
                response = await endpoint(Request(scope, receive))
                await response(scope, receive, send)

            return AccessGuard(app, access)

        methods = ["GET", "HEAD"]
        return [
            Route("/feeds/{format}", guarded(self.front), methods=methods),
            Route("/feeds/{scope}/{slug}/{format}", guarded(self.scoped), methods=methods),
            Route("/sitemaps/news.xml", guarded(self.news), methods=methods),
            Route("/sitemaps/index.xml", guarded(self.index), methods=methods),
            Route(
                "/sitemaps/articles-{year:int}-{month:int}.xml",
                guarded(self.month),
                methods=methods,
            ),
        ]

    def base_url(self, request: Request) -> str:
        return self.public_url or str(request.base_url).rstrip("/")

    async def front(self, request: Request) -> Response:
        return await self._feed(request, Scope.FRONT, None, request.path_params["format"])

    async def scoped(self, request: Request) -> Response:
        try:
            scope = Scope(request.path_params["scope"])
        except ValueError:
            return _not_found("No such feed: sections, sources, tags or authors.")
        if scope is Scope.FRONT:
            return _not_found("No such feed.")
        params = request.path_params
        return await self._feed(request, scope, params["slug"], params["format"])

    async def _feed(self, request: Request, scope: Scope, slug: str | None, name: str) -> Response:
        if name not in FORMATS:
            return _not_found("Feeds are rss.xml, atom.xml and feed.json.")
        media, render = FORMATS[name]
        base = self.base_url(request)
        home = base
        self_url = f"{base}{request.url.path}"

        async def build(session: AsyncSession) -> Rendered:
            feed = await content.feed_content(session, scope, slug)
            if feed is None:
                return None
            subject_url = getattr(feed.subject, "url", None)
            links = FeedLinks(self_url=self_url, home_url=subject_url or home)
            return render(feed, links), _feed_tags(feed)

        return await self._serve(request, media, build, f"No {scope.value[:-1]} {slug!r}.")

    async def news(self, request: Request) -> Response:
        async def build(session: AsyncSession) -> Rendered:
            entries = await content.news_entries(session, datetime.now(UTC))
            tags = ResponseTags()
            tags.lists.add(list_tag("Article"))
            for entry in entries:
                tags.record("Article", entry.article.id)
                tags.record("Source", entry.source.id)
            return sitemaps.news_sitemap(entries), tags.for_response()

        return await self._serve(request, XML, build, "")

    async def index(self, request: Request) -> Response:
        base = self.base_url(request)

        async def build(session: AsyncSession) -> Rendered:
            months = await content.months(session)
            return sitemaps.sitemap_index(base, months), [list_tag("Article")]

        return await self._serve(request, XML, build, "")

    async def month(self, request: Request) -> Response:
        year, month = request.path_params["year"], request.path_params["month"]
        page_text = request.query_params.get("page", "1")
        if not (1 <= month <= 12 and 1970 <= year <= 9998 and page_text.isdigit()):
            return _not_found("No such sitemap.")
        page = int(page_text)
        start = datetime(year, month, 1, tzinfo=UTC)
        end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC)

        async def build(session: AsyncSession) -> Rendered:
            urls = await content.month_urls(session, start, end, page)
            if not urls and page > 1:
                return None
            return sitemaps.url_sitemap(urls), [list_tag("Article")]

        return await self._serve(request, XML, build, "No such sitemap page.")

    async def _serve(
        self,
        request: Request,
        media: str,
        build: Callable[[AsyncSession], Awaitable[Rendered]],
        missing: str,
    ) -> Response:
        key = cache_key(str(request.url), None, None, f"feeds:{self.base_url(request)}")
        cached = await self.response_cache.get(key)
        if cached is not None:
            headers = {"X-Cache": "HIT", "Age": str(cached.age)}
            return shared_response(request, cached.body, cached.tags, media, self.policy, headers)
        started = time.time()
        try:
            async with open_session(self.database.read_sessions, Visibility.public()) as session:
                rendered = await build(session)
        except (SQLAlchemyError, OSError) as error:
            logger.warning("feed unavailable, database unreachable: %s", error)
            return PlainTextResponse(
                "The service is temporarily unavailable; retry shortly.",
                status_code=503,
                headers={
                    "Cache-Control": PRIVATE,
                    "Retry-After": str(UNAVAILABLE_RETRY_AFTER_SECONDS),
                },
            )
        if rendered is None:
            return _not_found(missing or "Not found.")
        body, tags = rendered
        await self.response_cache.set(key, body, tags, started)
        return shared_response(request, body, tags, media, self.policy, {})
