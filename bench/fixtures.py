"""The benchmark's data: a database of a given size (made once, reused), and the concrete
scenarios for it (a big section, deep cursors, real article ids, search terms of each kind)."""

from __future__ import annotations

import asyncio
import os
import time

import asyncpg
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import create_async_engine

from api import migrations
from api.database import open_session, session_factory, short_lived_engine
from api.demo.newsroom import seed_demo
from api.demo.synthetic import seed_synthetic
from api.embedded import normalize_database_url, start_embedded_postgres
from api.visibility import EVERYTHING
from bench.scenarios import ARTICLE, FRONT, FRONT_RELATED, NEWSLETTER, SEARCH, SECTION, Scenario
from schema.relay import CursorCodec, to_global_id

DEEP_PAGE = 10_000
PAGE = 20
# Candidate words: the benchmark picks the most common, one with a handful of matches, and one
# with none, so "common", "rare" and "zero-hit" mean what they say at any size.
COMMON_WORDS = ("government", "minister", "trade", "economy", "police", "election", "said")
RARE_WORDS = ("denuclearization", "corresponding measures", "Rohingya", "Maldives", "Salvador")
ZERO_WORD = "quetzalcoatlusaurus"


def server_url() -> str:
    configured = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL")
    return normalize_database_url(configured) if configured else start_embedded_postgres()


def plain(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


def database_name(articles: int) -> str:
    """broadsheet_bench_5k, broadsheet_bench_100k, broadsheet_bench_1m, broadsheet_bench_2500."""
    if articles == 1_000_000:
        return "broadsheet_bench_1m"
    if articles % 1000 == 0:
        return f"broadsheet_bench_{articles // 1000}k"
    return f"broadsheet_bench_{articles}"


async def prepare_database(articles: int) -> str:
    """`broadsheet_bench_<N>`: migrated, demo + N synthetic articles; reused when it exists."""
    server = make_url(server_url())
    name = database_name(articles)
    url = server.set(database=name).render_as_string(hide_password=False)
    admin = create_async_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        exists = await connection.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
        )
        if not exists:
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
    await admin.dispose()
    await asyncio.to_thread(migrations.upgrade, "head", url)
    async with short_lived_engine(url) as engine:
        async with engine.connect() as connection:
            have = await connection.scalar(
                text(
                    "SELECT count(*) FROM articles a JOIN sources s ON s.id = a.source_id "
                    "WHERE s.slug LIKE 'syn-%'"
                )
            )
        if (have or 0) < articles:
            async with open_session(session_factory(engine), EVERYTHING) as session:
                await seed_demo(session)
                await session.commit()
            started = time.perf_counter()
            # The related scenarios read the demo's stories' lists (computed by its seed, the
            # same for both endpoints); the synthetic stories' lists are not computed (README,
            # Related stories: the bulk ranking does not yet scale to this archive's tags).
            load = await seed_synthetic(engine, articles=articles - (have or 0), sources=20, seed=7)
            phases = ", ".join(f"{name} {seconds:.0f}s" for name, seconds in load.seconds.items())
            print(
                f"loaded {articles - (have or 0)} articles in "
                f"{time.perf_counter() - started:.0f}s ({phases})"
            )
    return url


async def scenarios_for(url: str, secret: str) -> list[Scenario]:
    connection = await asyncpg.connect(plain(url), server_settings={"timezone": "UTC"})
    try:
        section = await connection.fetchval(
            "SELECT s.slug FROM sections s JOIN articles a ON a.section_id = s.id "
            "WHERE s.parent_id IS NULL GROUP BY s.slug ORDER BY count(*) DESC LIMIT 1"
        )
        deep = await connection.fetchrow(
            """WITH RECURSIVE tree(id) AS (
                   SELECT id FROM sections WHERE slug = $1
                   UNION ALL SELECT c.id FROM sections c JOIN tree t ON c.parent_id = t.id)
               SELECT published_at, id FROM articles
               WHERE section_id IN (SELECT id FROM tree) AND status = 'published'
                 AND published_at <= now()
               ORDER BY published_at DESC, id DESC
               OFFSET least($2, (SELECT count(*) - 21 FROM articles
                                 WHERE section_id IN (SELECT id FROM tree))) LIMIT 1""",
            section,
            DEEP_PAGE * PAGE - 1,
        )
        ids = await connection.fetch(
            "SELECT id FROM articles WHERE status = 'published' AND published_at <= now() "
            "ORDER BY published_at DESC, id DESC LIMIT 1 OFFSET 50"
        )
        counts = {
            word: await connection.fetchval(
                "SELECT count(*) FROM articles WHERE search_vector @@ "
                "websearch_to_tsquery('english', $1)",
                word,
            )
            for word in (*COMMON_WORDS, *RARE_WORDS)
        }
    finally:
        await connection.close()
    common = max(COMMON_WORDS, key=lambda w: counts[w])
    rare = min((w for w in RARE_WORDS if counts[w] > 0), key=lambda w: counts[w])
    cursor = CursorCodec(secret.encode()).encode(
        "article:published_at_desc", (deep["published_at"], deep["id"])
    )
    article = to_global_id("Article", ids[0]["id"])
    return [
        Scenario("front page", FRONT, "FrontPage"),
        Scenario("front page + related(3)", FRONT_RELATED, "FrontPageRelated"),
        Scenario("section page 1", SECTION, "SectionPage", {"slug": section, "after": None}),
        Scenario(
            f"section page {DEEP_PAGE:,}",
            SECTION,
            "SectionPage",
            {"slug": section, "after": cursor},
        ),
        Scenario("article + related(5)", ARTICLE, "ArticlePage", {"id": article}),
        Scenario(f"search common ({counts[common]:,})", SEARCH, "Search", {"q": common}),
        Scenario(f"search rare ({counts[rare]:,})", SEARCH, "Search", {"q": rare}),
        Scenario("search zero-hit", SEARCH, "Search", {"q": ZERO_WORD}),
        Scenario("latest newsletter issue", NEWSLETTER, "LatestIssue"),
        Scenario("front page, persisted GET, cache", FRONT, "FrontPage", persisted_get=True),
        Scenario(
            "front page, persisted GET, Redis cache",
            FRONT,
            "FrontPage",
            persisted_get=True,
            redis=True,
        ),
    ]
