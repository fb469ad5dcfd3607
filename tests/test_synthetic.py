"""The synthetic newsroom: deterministic, lopsided like a real one, fully searchable, and a large
load leaves every index and constraint as it found them, with a change-log row per article."""

from __future__ import annotations

import asyncio
import random
import statistics
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from api import migrations
from api.demo.network import SECTIONS
from api.demo.storylines import COUNTRIES, NETWORK_COUNTRIES
from api.demo.synthetic import BULK_TABLES, seed_synthetic
from api.demo.synthetic_catalogue import _tail_tags, _topic_tags
from api.demo.synthetic_rows import Batch, Masthead, Writer
from api.demo.synthetic_shape import BODY_WORDS, PERIOD_START, Calendar, Zipf
from api.services.bulk_load import secondary_structures

SYNTHETIC = "FROM articles a JOIN sources s ON s.id = a.source_id WHERE s.slug LIKE 'syn-%'"


def _writer(seed: int) -> Writer:
    papers = [
        Masthead(
            id=index + 1,
            slug=f"syn-source-{index + 1:04d}",
            name=f"Paper {index + 1}",
            domain=f"p{index + 1}.example",
            country=COUNTRIES[NETWORK_COUNTRIES[index % len(NETWORK_COUNTRIES)]],
            reporters=(100 + 3 * index, 101 + 3 * index, 102 + 3 * index),
            staff=900 + index,
        )
        for index in range(12)
    ]
    return Writer(
        rng=random.Random(f"test:{seed}"),
        seed=seed,
        mastheads=papers,
        section_ids={s.slug: n for n, s in enumerate(SECTIONS)},
        tag_ids={"syn-" + t: n for n, t in enumerate(_topic_tags())},
        tail_tag_ids=list(range(1000, 1000 + len(_tail_tags()))),
    )


@pytest.fixture(scope="module")
def batch() -> Batch:
    return _writer(3).batch(1, list(range(1, 3001)), list(range(1, 3001)))


def test_the_same_seed_writes_the_same_rows_and_another_seed_does_not() -> None:
    ids = list(range(1, 201))
    once = _writer(5).batch(1, ids, ids)
    again = _writer(5).batch(1, ids, ids)
    other = _writer(6).batch(1, ids, ids)
    assert once == again
    assert once.articles != other.articles


def test_bodies_are_400_to_1500_words_with_common_and_rare_terms(batch: Batch) -> None:
    words = [len(row[10].split()) for row in batch.articles]
    assert BODY_WORDS[0] <= min(words)
    assert max(words) <= BODY_WORDS[1]
    assert 500 <= statistics.mean(words) <= 900
    documents = Counter(
        word for row in batch.articles for word in set(row[10].lower().replace(",", " ").split())
    )
    share = {word: count / len(batch.articles) for word, count in documents.items()}
    assert share["government"] > 0.3
    assert share["trade"] > 0.05
    assert sum(1 for s in share.values() if s < 0.005) > 100  # a long tail of rare words


def test_papers_reporters_and_tags_follow_zipf(batch: Batch) -> None:
    papers = Counter(row[1] for row in batch.articles).most_common()
    assert papers[0][1] > 3 * papers[-1][1]
    tags = Counter(tag for _, tag in batch.article_tags).most_common()
    assert tags[0][1] > 20 * statistics.median(count for _, count in tags)
    bylines = Counter(author for _, author, _ in batch.article_authors if author < 900)
    first = bylines[100] + bylines[101] + bylines[102]
    assert bylines[100] > bylines[102]
    assert first > 0


def test_zipf_ranks_fall_off() -> None:
    rng = random.Random(1)
    counts = Counter(Zipf(50, 1.0).draw(rng) for _ in range(20_000))
    assert counts[0] > counts[1] > counts[9] > counts[49] > 0
    with pytest.raises(ValueError, match="at least one item"):
        Zipf(0)


def test_publishing_is_bursty_and_follows_the_week() -> None:
    calendar = Calendar(random.Random(2), topics=20)
    rng = random.Random(3)
    moments = [calendar.draw(rng) for _ in range(40_000)]
    weekday = Counter(moment.weekday() for moment, _ in moments)
    assert min(weekday[d] for d in range(5)) > 1.5 * max(weekday[5], weekday[6])
    burst = max(calendar.events, key=lambda event: event.size)
    per_day = Counter((moment - PERIOD_START).days for moment, _ in moments)
    assert per_day[burst.day] > 1.3 * len(moments) / calendar.days
    assert any(
        topic == burst.topic and (moment - PERIOD_START).days == burst.day
        for moment, topic in moments
    )
    assert all(topic is None or 0 <= topic < 20 for _, topic in moments)
    assert min(m for m, _ in moments) >= datetime(2015, 1, 1, tzinfo=UTC)
    assert max(m for m, _ in moments) <= datetime(2018, 7, 31, 23, 59, tzinfo=UTC)


async def _structures(connection: AsyncConnection) -> list[tuple[str, str, str, str]]:
    found = await secondary_structures(connection, BULK_TABLES)
    return sorted((s.table, s.name, s.kind, s.definition) for s in found)


async def test_a_large_load_rebuilds_every_index_and_logs_every_article(
    connection: AsyncConnection,
) -> None:
    before = await _structures(connection)
    assert any(s[2] == "foreign key" for s in before)
    assert any(s[2] == "index" for s in before)
    outer = await connection.begin_nested()
    xid = await connection.scalar(text("SELECT pg_current_xact_id()::text::bigint"))
    load = await seed_synthetic(connection, articles=400, sources=3, seed=9, rebuild_indexes=True)
    assert load.rebuilt_indexes
    assert load.rows["articles"] == 400
    assert await _structures(connection) == before
    assert await connection.scalar(text(f"SELECT count(*) {SYNTHETIC}")) == 400
    assert (
        await connection.scalar(text(f"SELECT count(*) {SYNTHETIC} AND a.search_vector IS NULL"))
        == 0
    )
    # Delta sync sees every new story: one public change-log row each, in the load's transaction.
    logged = await connection.scalar(
        text(
            f"SELECT count(DISTINCT c.entity_id) FROM change_log c WHERE c.entity_type = 'article'"
            f" AND c.public AND c.xid = :xid AND c.entity_id IN (SELECT a.id {SYNTHETIC})"
        ),
        {"xid": xid},
    )
    assert logged == 400
    issues = await connection.scalar(
        text(
            "SELECT count(*) FROM newsletter_issues i JOIN newsletters n ON n.id = i.newsletter_id"
            " WHERE n.slug LIKE 'syn-%' AND EXISTS (SELECT 1 FROM newsletter_items t"
            " WHERE t.issue_id = i.id)"
        )
    )
    assert issues == load.rows["newsletter_issues"] > 0
    # Readers see the loaded stories' sections, tags and bylines (COPY bypasses the services
    # that list them; the post-load step does it).
    for table, link in (
        ("sections", "a.section_id = x.id"),
        (
            "authors",
            "EXISTS (SELECT 1 FROM article_authors l WHERE l.author_id = x.id AND l.article_id = a.id)",
        ),
        (
            "tags",
            "EXISTS (SELECT 1 FROM article_tags l WHERE l.tag_id = x.id AND l.article_id = a.id)",
        ),
    ):
        hidden = await connection.scalar(
            text(
                f"SELECT count(*) FROM {table} x WHERE x.visible_from IS NULL"
                f" AND EXISTS (SELECT 1 {SYNTHETIC} AND {link})"
            )
        )
        assert hidden == 0, table
    await outer.rollback()


async def test_a_small_load_keeps_the_indexes(connection: AsyncConnection) -> None:
    outer = await connection.begin_nested()
    await seed_synthetic(connection, articles=300, sources=2, seed=4)
    load = await seed_synthetic(connection, articles=20, sources=2, seed=4)
    assert not load.rebuilt_indexes
    assert load.rows["articles"] == 20
    await outer.rollback()


@pytest.fixture
def migrated_database(empty_database: str) -> str:
    migrations.upgrade("head", database_url=empty_database)
    return empty_database


def test_the_parallel_load_commits_and_restores_everything(migrated_database: str) -> None:
    async def run() -> None:
        engine = create_async_engine(migrated_database)
        try:
            async with engine.connect() as connection:
                before = await _structures(connection)
            load = await seed_synthetic(engine, articles=600, sources=3, seed=2)
            assert load.rebuilt_indexes
            assert load.rows["articles"] == 600
            assert {"copy", "indexes", "analyze"} <= set(load.seconds)
            async with engine.connect() as connection:
                assert await _structures(connection) == before
                assert await connection.scalar(text(f"SELECT count(*) {SYNTHETIC}")) == 600
                analyzed = await connection.scalar(
                    text("SELECT last_analyze FROM pg_stat_user_tables WHERE relname = 'articles'")
                )
                assert analyzed is not None
                assert analyzed > datetime.now(UTC) - timedelta(minutes=5)
        finally:
            await engine.dispose()

    asyncio.run(run())
