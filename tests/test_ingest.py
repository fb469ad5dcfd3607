"""Feeds in: partner feeds imported through the write services, from a local HTTP server
serving fixture feeds. A second run changes nothing; broken entries are skipped with a reason
and never half-imported; malformed XML, wrong encodings, duplicate guids, oversized feeds and
conditional GET are all handled."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession
from typer.testing import CliRunner

from api.cli import app as cli
from api.database import SessionFactory
from api.ingest import runs, sources
from api.ingest.polling import POLL, schedule_due_polls
from api.models import Article, ArticleStatus, Source
from api.models_outbox import Job
from api.services.publishing import delete_article
from api.settings import Settings, get_settings
from api.transactions import transaction
from tests.api_clients import fingerprint
from tests.feed_server import FeedServer, Served, feed_server
from tests.partners_support import SECTION, SOURCE, migrated_scratch, seed_newsroom

HERALD = "the-korea-herald"
YESTERDAY = datetime.now(UTC) - timedelta(days=1)
TOMORROW = datetime.now(UTC) + timedelta(days=1)


def rss(*items: str, encoding: str = "utf-8") -> str:
    return (
        f'<?xml version="1.0" encoding="{encoding}"?>'
        '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:media="http://search.yahoo.com/mrss/" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        "<channel><title>Partner feed</title><link>https://partner.example</link>"
        "<description>Partner</description><language>en</language>"
        + "".join(items)
        + "</channel></rss>"
    )


def item(
    guid: str | None,
    title: str | None = "A headline",
    body: str = "<p>The body of the story.</p>",
    when: datetime = YESTERDAY,
    extra: str = "",
) -> str:
    parts = ["<item>"]
    if title is not None:
        parts.append(f"<title>{title}</title>")
    if guid is not None:
        parts.append(f'<guid isPermaLink="false">{guid}</guid>')
        parts.append(f"<link>https://partner.example/{guid}</link>")
    parts.append(f"<description><![CDATA[{body}]]></description>")
    parts.append(f"<pubDate>{format_datetime(when)}</pubDate>")
    parts.append(extra)
    parts.append("</item>")
    return "".join(parts)


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with feed_server() as running:
        yield running


@pytest.fixture
def ingest_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"broadsheet_allow_private_targets": True})


async def run(
    sessions: SessionFactory, settings: Settings, location: str, section: str = "diplomacy"
) -> runs.Summary:
    return await runs.ingest(sessions, settings, location, HERALD, section)


async def article_by_external_id(db_session: AsyncSession, external_id: str) -> Article | None:
    return await db_session.scalar(
        select(Article)
        .join(Source, Source.id == Article.source_id)
        .where(Source.slug == HERALD, Article.external_id == external_id)
        .execution_options(populate_existing=True)
    )


async def test_an_rss_feed_is_imported_once_and_updates_are_picked_up(
    server: FeedServer,
    sessions: SessionFactory,
    ingest_settings: Settings,
    db_session: AsyncSession,
) -> None:
    author = await db_session.scalar(
        text("SELECT name FROM authors WHERE slug = 'cod-satrusayang'")
    )
    assert author is not None
    feed = [
        item(
            "p-1",
            "Talks resume in Seoul",
            "<p>Delegates met.</p><script>alert(1)</script><p onclick='x()'>More.</p>",
            extra=(
                f"<dc:creator>{author}</dc:creator><category>Diplomacy talks</category>"
                '<media:content url="https://img.partner.example/1.jpg" medium="image" '
                'width="1200" height="800"/>'
            ),
        ),
        item("p-2", "Markets open higher"),
        item("p-3", "Rain expected", when=YESTERDAY - timedelta(hours=5)),
    ]
    server.feeds["/rss"] = Served(rss(*feed).encode())
    summary = await run(sessions, ingest_settings, server.url("/rss"))
    assert (summary.new, summary.updated, summary.unchanged, summary.skipped) == (3, 0, 0, [])

    first = await article_by_external_id(db_session, "p-1")
    assert first is not None
    assert first.status is ArticleStatus.PUBLISHED
    assert first.published_at is not None
    assert abs(first.published_at - YESTERDAY) < timedelta(seconds=1)
    assert "<script" not in first.body_html
    assert "onclick" not in first.body_html
    assert first.url == "https://partner.example/p-1"
    tags = (
        await db_session.scalars(
            text(
                f"SELECT t.slug FROM tags t JOIN article_tags a ON a.tag_id = t.id WHERE a.article_id = {first.id}"
            )
        )
    ).all()
    assert tags == ["diplomacy-talks"]
    bylines = (
        await db_session.scalars(
            text(
                f"SELECT au.slug FROM authors au JOIN article_authors a ON a.author_id = au.id WHERE a.article_id = {first.id}"
            )
        )
    ).all()
    assert bylines == ["cod-satrusayang"]
    image = (
        await db_session.execute(
            text(f"SELECT url, width, height FROM images WHERE id = {first.image_id}")
        )
    ).one()
    assert tuple(image) == ("https://img.partner.example/1.jpg", 1200, 800)

    before = await fingerprint(db_session)
    again = await run(sessions, ingest_settings, server.url("/rss"))
    assert (again.new, again.updated, again.unchanged) == (0, 0, 3)
    assert await fingerprint(db_session) == before, "a second run changes nothing"

    feed[1] = item("p-2", "Markets open sharply higher")
    server.feeds["/rss"] = Served(rss(*feed).encode())
    changed = await run(sessions, ingest_settings, server.url("/rss"))
    assert (changed.new, changed.updated, changed.unchanged) == (0, 1, 2)
    second = await article_by_external_id(db_session, "p-2")
    assert second is not None
    assert second.headline == "Markets open sharply higher"


async def test_broken_entries_are_skipped_with_reasons_and_never_half_imported(
    server: FeedServer,
    sessions: SessionFactory,
    ingest_settings: Settings,
    db_session: AsyncSession,
) -> None:
    feed = rss(
        item("b-1", title=None),
        item(None, "No id and no link"),
        item("b-3", "Only a script", body="<script>alert(1)</script>"),
        item("b-4", "Fine"),
        item("b-4", "Fine, again"),
        item(
            "b-6", "Bad picture", extra='<media:content url="javascript:alert(1)" medium="image"/>'
        ),
    )
    server.feeds["/broken"] = Served(feed.encode())
    summary = await run(sessions, ingest_settings, server.url("/broken"))
    assert summary.new == 1
    reasons = {skipped.label: skipped.reason for skipped in summary.skipped}
    assert reasons["b-1"] == "no title"
    assert "no id, guid or link" in reasons["No id and no link"]
    assert "body" in reasons["b-3"]
    assert reasons["b-4"] == "the same id appears earlier in the feed"
    assert "image.url" in reasons["b-6"]
    for external_id in ("b-1", "b-3", "b-6"):
        assert await article_by_external_id(db_session, external_id) is None
    fine = await article_by_external_id(db_session, "b-4")
    assert fine is not None
    assert fine.headline == "Fine"


async def test_malformed_xml_is_read_leniently_and_garbage_refused(
    server: FeedServer,
    sessions: SessionFactory,
    ingest_settings: Settings,
    db_session: AsyncSession,
) -> None:
    broken = rss(item("m-1", "Survives")).replace("</channel></rss>", "<item><title>cut off")
    server.feeds["/malformed"] = Served(broken.encode())
    summary = await run(sessions, ingest_settings, server.url("/malformed"))
    assert summary.new == 1
    assert summary.warning is not None
    assert "not well-formed" in summary.warning
    server.feeds["/garbage"] = Served(b'{"this": "is json, not a feed"}', "application/json")
    before = await fingerprint(db_session)
    with pytest.raises(runs.IngestFailed, match="not a readable RSS or Atom feed"):
        await run(sessions, ingest_settings, server.url("/garbage"))
    assert await fingerprint(db_session) == before


async def test_encodings_declared_wrongly_or_rightly_are_read_right(
    server: FeedServer,
    sessions: SessionFactory,
    ingest_settings: Settings,
    db_session: AsyncSession,
) -> None:
    latin = rss(item("e-1", "Café society"), encoding="ISO-8859-1").encode("latin-1")
    liar = rss(item("e-2", "Crème brûlée diplomacy")).encode("latin-1")  # says utf-8
    server.feeds["/latin"] = Served(latin)
    server.feeds["/liar"] = Served(liar)
    assert (await run(sessions, ingest_settings, server.url("/latin"))).new == 1
    assert (await run(sessions, ingest_settings, server.url("/liar"))).new == 1
    first = await article_by_external_id(db_session, "e-1")
    second = await article_by_external_id(db_session, "e-2")
    assert first is not None
    assert second is not None
    assert first.headline == "Café society"
    assert second.headline == "Crème brûlée diplomacy"


async def test_an_oversized_feed_imports_nothing(
    server: FeedServer,
    sessions: SessionFactory,
    ingest_settings: Settings,
    db_session: AsyncSession,
) -> None:
    big = rss(*(item(f"big-{n}", f"Story {n}") for n in range(100))).encode()
    small = ingest_settings.model_copy(update={"broadsheet_ingest_max_bytes": 4096})
    server.feeds["/big"] = Served(big)
    server.feeds["/big-streamed"] = Served(big, content_length=False)
    before = await fingerprint(db_session)
    for path in ("/big", "/big-streamed"):
        with pytest.raises(runs.IngestFailed, match="4096"):
            await run(sessions, small, server.url(path))
    assert await fingerprint(db_session) == before


async def test_a_feed_that_takes_too_long_imports_nothing(
    server: FeedServer, sessions: SessionFactory, ingest_settings: Settings
) -> None:
    server.feeds["/slow"] = Served(rss(item("s-1")).encode(), delay=2.0)
    hurried = ingest_settings.model_copy(update={"broadsheet_ingest_timeout_seconds": 0.5})
    started = asyncio.get_running_loop().time()
    with pytest.raises(runs.IngestFailed, match=r"no complete answer within 0\.5s"):
        await run(sessions, hurried, server.url("/slow"))
    assert asyncio.get_running_loop().time() - started < 1.5


async def test_a_configured_feed_is_fetched_conditionally(
    server: FeedServer,
    sessions: SessionFactory,
    ingest_settings: Settings,
    db_session: AsyncSession,
) -> None:
    server.feeds["/conditional"] = Served(
        rss(item("c-1", "Once")).encode(),
        etag='"v1"',
        last_modified="Mon, 01 Jun 2026 10:00:00 GMT",
    )
    added = await transaction(
        db_session, sources.add_feed, HERALD, server.url("/conditional"), "diplomacy", True
    )
    assert added.value is not None
    feed_id = added.value.id

    first = await runs.poll(sessions, ingest_settings, feed_id)
    assert first is not None
    assert first.new == 1
    second = await runs.poll(sessions, ingest_settings, feed_id)
    assert second is not None
    assert second.not_modified
    conditional = server.seen[-1][1]
    assert conditional["if-none-match"] == '"v1"'
    assert conditional["if-modified-since"] == "Mon, 01 Jun 2026 10:00:00 GMT"
    configured = await sources.configured_feed(db_session, feed_id=feed_id)
    assert configured is not None
    assert configured.feed.last_result == "not modified since the last fetch"
    assert configured.feed.etag == '"v1"'


async def test_polling_schedules_each_due_feed_once(
    server: FeedServer, db_session: AsyncSession
) -> None:
    added = await transaction(
        db_session, sources.add_feed, HERALD, server.url("/any"), "diplomacy", True
    )
    assert added.value is not None
    for _ in range(2):
        await transaction(db_session, schedule_due_polls, timedelta(minutes=15))
    jobs = (await db_session.scalars(select(Job).where(Job.kind == POLL))).all()
    assert [job.payload for job in jobs] == [{"feed_id": added.value.id}]


async def test_future_entries_are_scheduled_and_deleted_stories_stay_deleted(
    server: FeedServer,
    sessions: SessionFactory,
    ingest_settings: Settings,
    db_session: AsyncSession,
) -> None:
    server.feeds["/f"] = Served(
        rss(item("f-1", "Tomorrow's news", when=TOMORROW), item("f-2", "Today's")).encode()
    )
    assert (await run(sessions, ingest_settings, server.url("/f"))).new == 2
    scheduled = await article_by_external_id(db_session, "f-1")
    assert scheduled is not None
    assert scheduled.published_at is not None
    assert scheduled.published_at > datetime.now(UTC)

    today = await article_by_external_id(db_session, "f-2")
    assert today is not None
    await transaction(db_session, delete_article, None, today.id)
    server.feeds["/f"] = Served(
        rss(item("f-1", "Tomorrow's news", when=TOMORROW), item("f-2", "Today's, updated")).encode()
    )
    summary = await run(sessions, ingest_settings, server.url("/f"))
    assert [(s.label, s.reason) for s in summary.skipped] == [
        ("f-2", "the desk deleted this story")
    ]
    assert await article_by_external_id(db_session, "f-2") is None


async def test_private_feed_urls_are_refused_by_default(
    server: FeedServer, sessions: SessionFactory, settings: Settings
) -> None:
    server.feeds["/rss"] = Served(rss(item("x-1")).encode())
    with pytest.raises(runs.IngestFailed, match="refused"):
        await run(sessions, settings, server.url("/rss"))


def test_the_cli_ingests_a_file_and_prints_a_summary(tmp_path: Path) -> None:
    feed = tmp_path / "feed.xml"
    feed.write_text(rss(item("cli-1", "From a file"), item("cli-1", "Twice")))
    with migrated_scratch("broadsheet_ingest_cli") as url:
        asyncio.run(seed_newsroom(url))
        get_settings.cache_clear()
        try:
            runner = CliRunner()
            args = ["ingest", str(feed), "--source", SOURCE, "--section", SECTION]
            first = runner.invoke(cli, args, env={"DATABASE_URL": url})
            assert first.exit_code == 0, first.output
            assert "new 1, updated 0, unchanged 0, skipped 1" in first.output
            assert "skipped cli-1: the same id appears earlier in the feed" in first.output
            second = runner.invoke(cli, args, env={"DATABASE_URL": url})
            assert "new 0, updated 0, unchanged 1, skipped 1" in second.output
            missing = runner.invoke(
                cli,
                ["ingest", str(tmp_path / "nope.xml"), "--source", SOURCE, "--section", SECTION],
                env={"DATABASE_URL": url},
            )
            assert missing.exit_code == 1
            assert "Nothing imported" in missing.output
        finally:
            get_settings.cache_clear()
