"""api/queries/driver.py: kept read statements run straight on asyncpg answer exactly as the ORM
does, with the same visibility, in the session's transaction, seen by engine events, and fail
as SQLAlchemy errors do."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Select, literal, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from api.database import SessionFactory, open_session
from api.models import (
    Article,
    ArticleAuthor,
    ArticleStatus,
    ArticleTag,
    Author,
    Newsletter,
    NewsletterIssue,
    Section,
    Tag,
)
from api.queries import cards, catalogue, newsletters, related, search
from api.queries.driver import rows
from api.visibility import EVERYTHING, Visibility, unrestricted
from tests.conftest import StatementCounter


async def _some_article_ids(session: AsyncSession) -> list[int]:
    with unrestricted(session):
        found = await session.scalars(select(Article.id).order_by(Article.id).limit(40))
    return list(found)


def _kept_statements(
    ids: list[int], section_ids: list[int], newsletter_ids: list[int], issue_ids: list[int]
) -> list[tuple[Any, dict[str, Any]]]:
    return [
        (cards._ARTICLES_BY_IDS, {"ids": ids}),
        (cards._TEXTS, {"ids": ids}),
        (cards._AUTHORS, {"ids": ids}),
        (cards._TAGS, {"ids": ids}),
        (cards._COUNTRIES, {"ids": ids}),
        (catalogue._TOP_LEVEL, {}),
        (catalogue._CHILDREN, {"ids": section_ids}),
        (related._STORED, {"ids": ids, "first": 3}),
        (newsletters._ALL_NEWSLETTERS, {}),
        (newsletters._NEWSLETTERS_BY_IDS, {"ids": newsletter_ids}),
        (newsletters._NEWSLETTER_BY_SLUG, {"slug": "eastern-briefings"}),
        (newsletters._LATEST_ISSUES, {"ids": newsletter_ids}),
        (newsletters._ISSUES_BY_IDS, {"ids": issue_ids}),
        (newsletters._ITEMS, {"ids": issue_ids}),
        (search._TERMS, {"query": "korea -trade"}),
        (search._HIGHLIGHTS, {"query": "korea", "ids": ids}),
    ]


def _plain(found: Sequence[Sequence[Any]]) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in found]


@pytest.mark.parametrize("visibility", [Visibility.public(), EVERYTHING], ids=["reader", "desk"])
async def test_kept_statements_answer_as_the_orm_does(
    sessions: SessionFactory, visibility: Visibility
) -> None:
    async with open_session(sessions, visibility) as session:
        ids = await _some_article_ids(session)
        with unrestricted(session):
            section_ids = list(await session.scalars(select(Section.id)))
            newsletter_ids = list(await session.scalars(select(Newsletter.id)))
            issue_ids = list(await session.scalars(select(NewsletterIssue.id)))
        kept = _kept_statements(ids, section_ids, newsletter_ids, issue_ids)
        for statement, parameters in kept:
            through_orm = (await session.execute(statement, parameters)).all()
            direct = await rows(session, statement, parameters)
            if statement._order_by_clauses:  # its order is part of its answer
                assert _plain(direct) == _plain(through_orm), statement
            else:  # any order (the plans may differ: api/plans.py)
                assert sorted(_plain(direct), key=repr) == sorted(_plain(through_orm), key=repr)
            assert direct, f"an empty answer proves nothing: {statement}"


async def test_enum_columns_come_back_as_members(sessions: SessionFactory) -> None:
    async with open_session(sessions, Visibility.public()) as session:
        ids = await _some_article_ids(session)
        found = await rows(session, cards._ARTICLES_BY_IDS, {"ids": ids})
        refs = [cards.refs_of(row) for row in found]
        assert {ref.article.status for ref in refs} == {ArticleStatus.PUBLISHED}


async def test_readers_do_not_see_what_the_desk_sees(
    sessions: SessionFactory, db_session: AsyncSession
) -> None:
    # A draft, read by id: the desk gets it, a reader does not (the criteria come with the
    # statement), and a scheduled story appears once the reader's moment passes its time.
    story = (await db_session.scalars(select(Article).limit(1))).one()
    story.status = ArticleStatus.DRAFT
    await db_session.flush()
    async with open_session(sessions, EVERYTHING) as desk:
        assert await rows(desk, cards._ARTICLES_BY_IDS, {"ids": [story.id]})
    async with open_session(sessions, Visibility.public()) as reader:
        assert await rows(reader, cards._ARTICLES_BY_IDS, {"ids": [story.id]}) == []
    story.status = ArticleStatus.PUBLISHED
    story.published_at = datetime.now(UTC) + timedelta(hours=1)
    await db_session.flush()
    later = Visibility.public(datetime.now(UTC) + timedelta(hours=2))
    async with open_session(sessions, Visibility.public()) as reader:
        assert await rows(reader, cards._ARTICLES_BY_IDS, {"ids": [story.id]}) == []
    async with open_session(sessions, later) as reader:
        assert len(await rows(reader, cards._ARTICLES_BY_IDS, {"ids": [story.id]})) == 1


@pytest.mark.parametrize("visibility", [Visibility.public(), EVERYTHING], ids=["reader", "desk"])
async def test_cards_carry_the_bylines_and_tags_their_own_statements_find(
    sessions: SessionFactory, db_session: AsyncSession, visibility: Visibility
) -> None:
    # One story's first author and first tag are not listed yet (only a draft uses them): a
    # reader must not see them on its card either, and the desk must.
    linked = select(ArticleAuthor.article_id).join(
        ArticleTag, ArticleTag.article_id == ArticleAuthor.article_id
    )
    story_id = (await db_session.scalars(linked.order_by(ArticleAuthor.article_id))).first()
    assert story_id is not None
    author_id = await db_session.scalar(
        select(ArticleAuthor.author_id).where(ArticleAuthor.article_id == story_id).limit(1)
    )
    tag_id = await db_session.scalar(
        select(ArticleTag.tag_id).where(ArticleTag.article_id == story_id).limit(1)
    )
    with unrestricted(db_session):
        (await db_session.get_one(Author, author_id)).visible_from = None
        (await db_session.get_one(Tag, tag_id)).visible_from = None
    await db_session.flush()
    async with open_session(sessions, visibility) as session:
        ids = [*await _some_article_ids(session), story_id]
        found = await cards.articles_by_ids(session, ids)
        authors = await cards.authors_by_article(session, ids)
        tags = await cards.tags_by_article(session, ids)
    assert story_id in found
    for pk, card in found.items():
        assert card.authors == authors.get(pk, []), pk
        assert card.tags == tags.get(pk, []), pk
    story = found[story_id]
    assert story.authors is not None
    assert story.tags is not None
    hidden = visibility is not EVERYTHING
    assert (author_id not in [a.id for a in story.authors]) is hidden
    assert (tag_id not in [t.id for t in story.tags]) is hidden
    assert sum(len(card.authors or ()) for card in found.values()) > 1
    assert sum(len(card.tags or ()) > 1 for card in found.values()) > 1  # the order is checked


async def test_statements_are_seen_by_engine_events(
    sessions: SessionFactory, statement_counter: StatementCounter
) -> None:
    async with open_session(sessions, Visibility.public()) as session:
        ids = await _some_article_ids(session)
        before = statement_counter.count
        await rows(session, cards._TAGS, {"ids": ids})
        assert statement_counter.count == before + 1
        assert "visible_from <=" in statement_counter.statements[-1]  # the reader's criteria


async def test_a_fixed_limit_is_rendered_and_entity_selects_go_through_the_orm(
    sessions: SessionFactory,
) -> None:
    limited: Select[Any] = (
        select(Article.id).order_by(Article.id).limit(literal(3, literal_execute=True))
    )
    entities = select(NewsletterIssue).order_by(NewsletterIssue.id)
    async with open_session(sessions, EVERYTHING) as session:
        assert len(await rows(session, limited)) == 3
        issues = await rows(session, entities)
        assert issues
        assert all(isinstance(row[0], NewsletterIssue) for row in issues)


async def test_reads_join_the_sessions_transaction(sessions: SessionFactory) -> None:
    # Rows the session wrote and has not committed are read back on the same connection.
    async with open_session(sessions, EVERYTHING) as session:
        section = Section(slug="driver-test", name="Driver test", position=99)
        session.add(section)
        await session.flush()
        found = await rows(session, catalogue._by_ids(Section), {"ids": [section.id]})
        assert [row[1] for row in found] == ["driver-test"]


async def test_failures_are_sqlalchemy_errors(sessions: SessionFactory) -> None:
    slow = select(text("pg_sleep(1)")).where(literal(True))
    async with open_session(sessions, EVERYTHING) as session:
        await session.execute(text("SET LOCAL statement_timeout = 50"))
        with pytest.raises(DBAPIError) as raised:
            await rows(session, slow)
        assert getattr(raised.value.orig, "sqlstate", None) == "57014"
        assert not raised.value.connection_invalidated
