"""Which plan PostgreSQL runs each statement with (api/plans.py): the kept reads their generic
plan, searches and filtered feeds a plan for their values, the ORM's statements always one for
their values; a mode set inside a transaction that rolls back is set again."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from api.database import create_engine, open_session, session_factory
from api.models import Section
from api.queries.catalogue import row_by_slug
from api.settings import Settings
from api.visibility import Visibility
from bench.scenarios import FRONT, SEARCH
from tests.api_clients import data


async def plans_of(
    connection: AsyncConnection, words: str, unless: str | None = None
) -> tuple[int, int]:
    """(generic, custom) plans run so far by the connection's prepared statements that say
    `words` (and not `unless`)."""
    found = await connection.execute(
        text("SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements")
    )
    chosen = [
        (generic, custom)
        for statement, generic, custom in found
        if words in statement and (unless is None or unless not in statement)
    ]
    return sum(generic for generic, _ in chosen), sum(custom for _, custom in chosen)


async def test_feeds_run_on_their_generic_plan_and_searches_on_their_own(
    client: httpx.AsyncClient, connection: AsyncConnection
) -> None:
    feed = "ORDER BY articles.published_at DESC"  # the search's page says "search_vector"
    feed_before = await plans_of(connection, feed, unless="search_vector")
    search_before = await plans_of(connection, "search_vector")
    for _ in range(3):
        await data(client, FRONT)
        await data(client, SEARCH, q="nuclear")
    feed_after = await plans_of(connection, feed, unless="search_vector")
    search_after = await plans_of(connection, "search_vector")
    assert (feed_after[0] - feed_before[0], feed_after[1] - feed_before[1]) == (3, 0)
    assert (search_after[0] - search_before[0], search_after[1] - search_before[1]) == (0, 3)


@asynccontextmanager
async def app_session(
    database_url: str, settings: Settings, *, autocommit: bool
) -> AsyncIterator[tuple[AsyncConnection, AsyncSession]]:
    """A reader's session on one connection of an engine made as the app makes it (with its
    plan modes), in autocommit as reads run, or in a transaction."""
    engine = create_engine(database_url, settings)
    try:
        async with engine.connect() as connection:
            if autocommit:
                await connection.execution_options(isolation_level="AUTOCOMMIT")
            async with open_session(session_factory(connection), Visibility.public()) as session:
                yield connection, session
    finally:
        await engine.dispose()


async def test_the_orm_gets_plans_for_its_values_after_a_generic_read(
    database_url: str, settings: Settings
) -> None:
    async with app_session(database_url, settings, autocommit=True) as (connection, session):
        await row_by_slug(session, Section, "diplomacy")  # leaves it generic
        shown = (await session.execute(text("SHOW plan_cache_mode"))).scalar_one()
        assert shown == "force_custom_plan"
        await row_by_slug(session, Section, "diplomacy")  # generic again
        assert await plans_of(connection, "WHERE sections.slug = $") == (2, 0)


async def test_a_mode_set_in_a_transaction_that_rolls_back_is_set_again(
    database_url: str, settings: Settings
) -> None:
    async with app_session(database_url, settings, autocommit=False) as (connection, session):
        await row_by_slug(session, Section, "diplomacy")  # in a transaction: generic
        await connection.rollback()  # the mode goes back to custom with it
        await row_by_slug(session, Section, "diplomacy")  # generic again
        generic, custom = await plans_of(connection, "WHERE sections.slug = $")
        assert custom == 0  # it ran in the mode it was put in again
        assert generic >= 2


async def test_a_dead_connection_is_reported_as_for_any_statement(
    database_url: str, settings: Settings, engine: AsyncEngine
) -> None:
    """Switching the mode back for the ORM meets the dead connection first; what the caller
    gets is SQLAlchemy's error for it (a retry or a 503 follows: api/database.py)."""
    async with app_session(database_url, settings, autocommit=True) as (_, session):
        await row_by_slug(session, Section, "diplomacy")  # leaves it generic
        pid = (await session.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        await row_by_slug(session, Section, "diplomacy")
        async with engine.connect() as other:
            await other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        with pytest.raises(DBAPIError) as raised:
            await session.execute(text("SELECT 1"))
        assert raised.value.connection_invalidated
