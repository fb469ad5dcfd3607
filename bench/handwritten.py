"""The hand-written endpoint the benchmark compares Broadsheet with: Starlette + asyncpg + orjson.

It answers the benchmark's documents (bench/scenarios.py, dispatched on `operationName`) with
the JSON Broadsheet gives, byte for byte (the benchmark checks), doing what a careful engineer
would write by hand: one pool, SQL written for each page, rows turned into dicts, no framework.
It applies the same reader visibility (published, and `published_at` passed) and signs cursors
the same way. Run it with uvicorn, like `broadsheet serve`: `bench.handwritten:app`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import os
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

import asyncpg
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bench.handwritten_sql import (
    ARTICLE,
    AUTHORS,
    CARDS,
    COUNTRIES,
    HIGHLIGHTS,
    ISSUE_ITEMS,
    LATEST_ISSUE,
    RELATED,
    SEARCH,
    SEARCH_CANDIDATES,
    SECTION,
    SECTION_FEED,
    SECTION_FEED_AFTER,
    TAGS,
)


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def global_id(kind: str, pk: int) -> str:
    return b64(f"{kind}:{pk}".encode())


def pk_of(value: str) -> int:
    raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
    return int(raw.partition(":")[2])


class Cursors:
    def __init__(self, secret: bytes) -> None:
        self.secret = secret

    def encode(self, kind: str, published_at: datetime, pk: int) -> str:
        payload = orjson.dumps([kind, [{"t": published_at.isoformat()}, pk]])
        return b64(hmac.new(self.secret, payload, hashlib.sha256).digest()[:12] + payload)

    def decode(self, cursor: str) -> tuple[datetime, int]:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        signature, payload = raw[:12], raw[12:]
        expected = hmac.new(self.secret, payload, hashlib.sha256).digest()[:12]
        if not hmac.compare_digest(signature, expected):
            raise ValueError("bad cursor")
        _, (moment, pk) = orjson.loads(payload)
        return datetime.fromisoformat(moment["t"]), pk


def byline(names: list[str], source_name: str) -> str:
    names = names or [source_name]
    if len(names) == 1:
        return f"By {names[0]}"
    return f"By {', '.join(names[:-1])} and {names[-1]}"


class Handwritten:
    def __init__(self, pool: asyncpg.Pool, cursors: Cursors) -> None:
        self.pool = pool
        self.cursors = cursors

    async def cards(
        self, connection: asyncpg.Connection, rows: list[asyncpg.Record], related: int = 0
    ) -> list[dict[str, Any]]:
        ids = [row["id"] for row in rows]
        authors: dict[int, list[asyncpg.Record]] = defaultdict(list)
        for row in await connection.fetch(AUTHORS, ids):
            authors[row["article_id"]].append(row)
        tags: dict[int, list[asyncpg.Record]] = defaultdict(list)
        for row in await connection.fetch(TAGS, ids):
            tags[row["article_id"]].append(row)
        nearby: dict[int, list[dict[str, Any]]] = defaultdict(list)
        if related:
            for row in await connection.fetch(RELATED, ids, related):
                nearby[row["base_id"]].append(
                    {"id": global_id("Article", row["id"]), "headline": row["headline"]}
                )
        cards = []
        for row in rows:
            card: dict[str, Any] = {
                "id": global_id("Article", row["id"]),
                "headline": row["headline"],
                "dek": row["dek"],
                "excerpt": row["excerpt"],
                "publishedAt": row["published_at"].isoformat(),
                "byline": byline([a["name"] for a in authors[row["id"]]], row["source_name"]),
                "image": (
                    {"url": row["image_url"], "caption": row["image_caption"]}
                    if row["image_url"] is not None
                    else None
                ),
                "section": {"slug": row["section_slug"], "name": row["section_name"]},
                "source": {"slug": row["source_slug"], "name": row["source_name"]},
                "authors": [{"slug": a["slug"], "name": a["name"]} for a in authors[row["id"]]],
                "tags": [{"slug": t["slug"], "name": t["name"]} for t in tags[row["id"]]],
            }
            if related:
                card["related"] = nearby[row["id"]]
            cards.append(card)
        return cards

    def page_info(self, rows: list[asyncpg.Record], size: int) -> dict[str, Any]:
        last = rows[min(size, len(rows)) - 1] if rows else None
        return {
            "hasNextPage": len(rows) > size,
            "endCursor": (
                self.cursors.encode("article:published_at_desc", last["published_at"], last["id"])
                if last is not None
                else None
            ),
        }

    async def front_page(self, variables: dict[str, Any], related: int = 0) -> dict[str, Any]:
        async with self.pool.acquire() as connection:
            rows = await connection.fetch(CARDS, 21)
            cards = await self.cards(connection, rows[:20], related)
        return {"articles": {"pageInfo": self.page_info(rows, 20), "nodes": cards}}

    async def section_page(self, variables: dict[str, Any]) -> dict[str, Any]:
        async with self.pool.acquire() as connection:
            section = await connection.fetchrow(SECTION, variables["slug"])
            if section is None:
                return {"section": None}
            if variables.get("after"):
                moment, pk = self.cursors.decode(variables["after"])
                rows = await connection.fetch(SECTION_FEED_AFTER, section["id"], moment, pk, 21)
            else:
                rows = await connection.fetch(SECTION_FEED, section["id"], 21)
            authors: dict[int, list[str]] = defaultdict(list)
            for row in await connection.fetch(AUTHORS, [r["id"] for r in rows[:20]]):
                authors[row["article_id"]].append(row["name"])
        nodes = [
            {
                "id": global_id("Article", row["id"]),
                "headline": row["headline"],
                "excerpt": row["excerpt"],
                "publishedAt": row["published_at"].isoformat(),
                "byline": byline(authors[row["id"]], row["source_name"]),
                "source": {"name": row["source_name"]},
            }
            for row in rows[:20]
        ]
        return {
            "section": {
                "name": section["name"],
                "articles": {"pageInfo": self.page_info(rows, 20), "nodes": nodes},
            }
        }

    async def article_page(self, variables: dict[str, Any]) -> dict[str, Any]:
        async with self.pool.acquire() as connection:
            row = await connection.fetchrow(ARTICLE, pk_of(variables["id"]))
            if row is None:
                return {"article": None}
            authors = await connection.fetch(AUTHORS, [row["id"]])
            tags = await connection.fetch(TAGS, [row["id"]])
            countries = await connection.fetch(COUNTRIES, row["id"])
            related = await connection.fetch(RELATED, [row["id"]], 5)
        return {
            "article": {
                "id": global_id("Article", row["id"]),
                "headline": row["headline"],
                "dek": row["dek"],
                "body": row["body_html"],
                "publishedAt": row["published_at"].isoformat(),
                "updatedAt": row["updated_at"].isoformat(),
                "byline": byline([a["name"] for a in authors], row["source_name"]),
                "section": {"slug": row["section_slug"], "name": row["section_name"]},
                "source": {
                    "name": row["source_name"],
                    "description": row["source_description"],
                    "logo": {"url": row["logo_url"]} if row["logo_url"] is not None else None,
                },
                "authors": [{"name": a["name"], "bio": a["bio"]} for a in authors],
                "tags": [{"slug": t["slug"], "name": t["name"]} for t in tags],
                "countries": [c["country"] for c in countries],
                "image": (
                    {
                        "url": row["image_url"],
                        "caption": row["image_caption"],
                        "credit": row["image_credit"],
                    }
                    if row["image_url"] is not None
                    else None
                ),
                "related": [
                    {
                        "id": global_id("Article", r["id"]),
                        "headline": r["headline"],
                        "excerpt": r["excerpt"],
                        "publishedAt": r["published_at"].isoformat(),
                        "source": {"name": r["source_name"]},
                    }
                    for r in related
                ],
            }
        }

    async def search(self, variables: dict[str, Any]) -> dict[str, Any]:
        text = " ".join(variables["q"].split())
        async with self.pool.acquire() as connection:
            rows = await connection.fetch(SEARCH, text, 21, SEARCH_CANDIDATES)
            rows = rows[:20]
            marked = {
                r["id"]: r["passage"]
                for r in await connection.fetch(HIGHLIGHTS, text, [r["id"] for r in rows])
            }
        nodes = []
        for row in rows:
            passage = marked.get(row["id"])
            if passage is not None:
                passage = (
                    html.escape(passage, quote=False)
                    .replace("\x02", "<mark>")
                    .replace("\x03", "</mark>")
                )
            nodes.append(
                {
                    "id": global_id("Article", row["id"]),
                    "headline": row["headline"],
                    "highlight": passage,
                    "publishedAt": row["published_at"].isoformat(),
                    "source": {"name": row["source_name"]},
                }
            )
        return {"search": {"nodes": nodes}}

    async def latest_issue(self, variables: dict[str, Any]) -> dict[str, Any]:
        async with self.pool.acquire() as connection:
            issue = await connection.fetchrow(LATEST_ISSUE, "eastern-briefings")
            items = await connection.fetch(ISSUE_ITEMS, issue["id"]) if issue else []
        latest = None
        if issue is not None and issue["issue_id"] is not None:
            latest = {
                "date": issue["date"].isoformat(),
                "title": issue["title"],
                "intro": issue["intro"],
                "items": [
                    {
                        "position": item["position"],
                        "blurb": item["blurb"] if item["blurb"] is not None else item["excerpt"],
                        "article": {
                            "id": global_id("Article", item["article_id"]),
                            "headline": item["headline"],
                            "source": {"name": item["source_name"]},
                        },
                    }
                    for item in items
                ],
            }
        return {"newsletter": {"name": issue["name"], "latestIssue": latest}}


def create_app() -> Starlette:
    secret = os.environ["BROADSHEET_SECRET_KEY"].encode()
    state: dict[str, Handwritten] = {}

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        url = os.environ["DATABASE_URL"].replace("postgresql+asyncpg://", "postgresql://")
        pool = await asyncpg.create_pool(
            url, min_size=2, max_size=20, server_settings={"timezone": "UTC"}
        )
        state["api"] = Handwritten(pool, Cursors(secret))
        yield
        await pool.close()

    async def graphql(request: Request) -> Response:
        body = orjson.loads(await request.body())
        api = state["api"]
        handlers = {
            "FrontPage": api.front_page,
            "SectionPage": api.section_page,
            "ArticlePage": api.article_page,
            "Search": api.search,
            "LatestIssue": api.latest_issue,
        }
        variables = body.get("variables") or {}
        if body["operationName"] == "FrontPageRelated":
            data = await api.front_page(variables, related=3)
        else:
            data = await handlers[body["operationName"]](variables)
        return Response(orjson.dumps({"data": data}), media_type="application/json")

    return Starlette(routes=[Route("/graphql", graphql, methods=["POST"])], lifespan=lifespan)


app = create_app() if "BROADSHEET_SECRET_KEY" in os.environ else None
