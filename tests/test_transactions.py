"""One transaction model: services only flush, `transaction` commits; so two services compose
into one transaction, and a failing second step undoes the first."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.models import Article, ArticleStatus
from api.services import articles, publishing
from api.services.outcome import Outcome
from api.transactions import transaction
from tests.api_clients import fingerprint

DRAFT = articles.ArticleData(
    source="the-korea-herald",
    section="diplomacy",
    headline="Two services, one transaction",
    body="<p>Written and published together, or not at all.</p>",
)


async def write_and_publish(session: AsyncSession, at: datetime | None) -> Outcome[Article]:
    """Create a draft, then publish it: two services, composed."""
    created = await articles.create_article(session, None, DRAFT)
    if created.value is None:
        return created
    return await publishing.publish_article(session, None, created.value.id, at)


async def headlines(db_session: AsyncSession) -> int:
    statement = select(func.count()).where(Article.headline == DRAFT.headline)
    return int(await db_session.scalar(statement) or 0)


async def test_two_services_commit_together(db_session: AsyncSession) -> None:
    outcome = await transaction(db_session, write_and_publish, None)
    assert outcome.errors == []
    assert outcome.value is not None
    assert outcome.value.status is ArticleStatus.PUBLISHED
    assert await headlines(db_session) == 1


async def test_a_second_step_with_bad_input_rolls_back_the_first(
    db_session: AsyncSession,
) -> None:
    before = await fingerprint(db_session)
    naive = datetime(2030, 1, 1, 6, 0)  # no time zone: publishing refuses it
    outcome = await transaction(db_session, write_and_publish, naive)
    assert [error.path for error in outcome.errors] == [("at",)]
    assert await headlines(db_session) == 0
    assert await fingerprint(db_session) == before


async def test_a_second_step_that_fails_rolls_back_the_first(
    db_session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*args: object) -> None:
        raise RuntimeError("the publishing desk is on fire")

    monkeypatch.setattr(publishing, "article_snapshot", broken)
    before = await fingerprint(db_session)
    with pytest.raises(RuntimeError, match="on fire"):
        await transaction(db_session, write_and_publish, None)
    assert await headlines(db_session) == 0
    assert await fingerprint(db_session) == before


async def test_services_never_commit_on_their_own(db_session: AsyncSession) -> None:
    created = await articles.create_article(db_session, None, DRAFT)
    assert created.value is not None
    assert db_session.in_transaction()
    await db_session.rollback()  # nobody committed: rolling back leaves no trace
    assert await headlines(db_session) == 0
