"""Migrations build the model exactly, tear everything down, and build it again."""

from __future__ import annotations

import asyncio
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from api import migrations
from api.models import Base


def _inspect(url: str, check: Any) -> Any:
    async def run() -> Any:
        engine = create_async_engine(url)
        async with engine.connect() as connection:
            result = await connection.run_sync(check)
        await engine.dispose()
        return result

    return asyncio.run(run())


def _drift(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "compare_server_default": True}
    )
    return list(compare_metadata(context, Base.metadata))


def _tables(connection: Connection) -> list[str]:
    return inspect(connection).get_table_names()


def _types(connection: Connection) -> list[str]:
    rows = connection.execute(
        text(
            "SELECT typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
            "WHERE n.nspname = 'public' AND t.typtype = 'e'"
        )
    )
    return [row[0] for row in rows]


def test_migrations_match_the_models(empty_database: str) -> None:
    migrations.upgrade("head", empty_database)
    assert _inspect(empty_database, _drift) == []


def test_downgrade_to_base_removes_everything_and_upgrade_rebuilds(empty_database: str) -> None:
    migrations.upgrade("head", empty_database)
    expected = set(Base.metadata.tables)
    assert expected <= set(_inspect(empty_database, _tables))

    migrations.downgrade("base", empty_database)
    asyncio.run(migrations.drop_version_table(empty_database))
    assert _inspect(empty_database, _tables) == []
    assert _inspect(empty_database, _types) == []

    migrations.upgrade("head", empty_database)
    assert expected <= set(_inspect(empty_database, _tables))


SCHEDULED_BEFORE_0003 = """
WITH source AS (INSERT INTO sources (slug, name) VALUES ('s', 'S') RETURNING id),
     section AS (INSERT INTO sections (slug, name) VALUES ('w', 'W') RETURNING id)
INSERT INTO articles (source_id, section_id, slug, status, published_at, headline, body_html,
                      body_text, excerpt, language, url)
SELECT source.id, section.id, slug, 'published', at, 'H', '<p>b</p>', 'b', 'b', 'en', 'https://x'
FROM source, section,
     (VALUES ('later', now() + interval '2 days'),
             ('on-the-second', date_trunc('second', now()) + interval '3 days'),
             ('past', now() - interval '1 day')) AS stories(slug, at)
"""


def _scheduled(connection: Connection) -> list[Any]:
    from api.models import Article
    from api.models_outbox import Job

    jobs = connection.execute(
        text("SELECT payload, dedupe_key, run_at FROM jobs ORDER BY id")
    ).all()
    articles = {
        row.id: row.published_at
        for row in connection.execute(text(f"SELECT id, published_at FROM {Article.__tablename__}"))
    }
    assert Job.__tablename__ == "jobs"
    return [(job, articles[job.payload["article_id"]]) for job in jobs]


def test_stories_scheduled_before_the_outbox_are_announced_when_due(empty_database: str) -> None:
    from datetime import UTC, datetime

    migrations.upgrade("0001", empty_database)

    def insert(connection: Connection) -> None:
        connection.execute(text(SCHEDULED_BEFORE_0003))
        connection.commit()

    _inspect(empty_database, insert)
    migrations.upgrade("head", empty_database)
    scheduled = _inspect(empty_database, _scheduled)
    assert len(scheduled) == 2, "the two future stories, not the past one"
    for job, published_at in scheduled:
        # Exactly what api/scheduling.py writes for the same story, so the two never differ.
        when = published_at.astimezone(UTC).isoformat()
        assert job.payload["published_at"] == when
        assert job.dedupe_key == f"article-publish:{job.payload['article_id']}:{when}"
        assert job.run_at == published_at
        assert datetime.fromisoformat(when) == published_at
