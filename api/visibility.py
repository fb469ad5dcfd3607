"""Who sees what: the one mechanism that keeps drafts and embargoed stories from readers.

A `Visibility` rides on every database session (`session.info`), and a `do_orm_execute` hook
on `VisibleSession` adds its criteria (`with_loader_criteria`, aliases included) to every ORM
statement that reads articles, newsletter issues, tags, authors or sections. A query written
tomorrow cannot forget the rule: it never states it. A session that declares no visibility
refuses to read anything, so a forgotten declaration fails loudly instead of showing drafts.

- Readers (no `content:write`) see articles that are published and whose `published_at` has
  passed, so a scheduled story appears at its time with no job running; issues that are
  published; and tags, authors and sections once a visible story uses them or they are listed
  on purpose (`visible_from`). `now` is fixed once per request, so every statement of one
  request agrees; it is a bound parameter (`visible_at`), so the criteria themselves are built
  once per process and a statement that is run again reuses its criteria-bearing form.
- The editorial desk sees everything.
- Writes, seeding and maintenance opt out visibly with `unrestricted(session)`: they must see
  every row they change, whoever asked (permission to write is checked at the API boundary).
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Executable,
    and_,
    bindparam,
    event,
    func,
    literal_column,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

from api.models import Article, ArticleStatus, Author, NewsletterIssue, Section, Tag

VISIBILITY = "broadsheet.visibility"  # the key in `Session.info`

# A literal status (not a bind parameter) lets PostgreSQL match the partial feed indexes.
_PUBLISHED: ColumnElement[str] = literal_column(f"'{ArticleStatus.PUBLISHED.value}'")


@dataclass(frozen=True)
class Visibility:
    """What one caller may see, as of `now`."""

    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    include_unpublished: bool = False

    @classmethod
    def public(cls, now: datetime | None = None) -> Visibility:
        return cls(now=now or datetime.now(UTC))

    @classmethod
    def editorial(cls, now: datetime | None = None) -> Visibility:
        return cls(now=now or datetime.now(UTC), include_unpublished=True)

    def article_sort_key(self, article: Any = Article) -> ColumnElement[datetime]:
        """The timestamp feeds are ordered by; the desk's drafts (no date yet) sort by creation."""
        if self.include_unpublished:
            return func.coalesce(article.published_at, article.created_at)
        return article.published_at  # type: ignore[no-any-return]

    def criteria(self) -> tuple[Any, ...]:
        """The loader criteria that apply this visibility to a statement (none for the desk);
        they read the moment from the `visible_at` parameter (`parameters`)."""
        return () if self.include_unpublished else _READER_CRITERIA

    def parameters(self) -> dict[str, datetime]:
        return {VISIBLE_AT: self.now}


VISIBLE_AT = "visible_at"  # the bound parameter holding a reader's `now`
_now: BindParameter[datetime] = bindparam(VISIBLE_AT)
_READER_CRITERIA = (
    with_loader_criteria(
        Article,
        lambda article: and_(article.status == _PUBLISHED, article.published_at <= _now),
        include_aliases=True,
    ),
    with_loader_criteria(
        NewsletterIssue,
        lambda issue: and_(issue.published_at.is_not(None), issue.published_at <= _now),
        include_aliases=True,
    ),
    # Tags, bylines and sections: once a visible story uses them (api/services/listing.py).
    *(
        with_loader_criteria(entry, lambda row: row.visible_from <= _now, include_aliases=True)
        for entry in (Tag, Author, Section)
    ),
)
# Statements with the reader criteria added, by the statement they were made from: a query
# module that keeps its statements (api/queries) pays for the options once, not per execution.
_with_criteria: weakref.WeakKeyDictionary[Executable, Executable] = weakref.WeakKeyDictionary()


EVERYTHING = Visibility(datetime.max.replace(tzinfo=UTC), include_unpublished=True)


class VisibilityUndeclared(RuntimeError):
    """A session read from the database without saying whose eyes it reads for."""


class VisibleSession(Session):
    """The session class every Broadsheet session uses: it applies `session.info`'s visibility."""


@event.listens_for(VisibleSession, "do_orm_execute")
def _apply_visibility(state: ORMExecuteState) -> None:
    if not state.is_select:
        return
    visibility = state.session.info.get(VISIBILITY)
    if visibility is None:
        raise VisibilityUndeclared(
            "This session declares no visibility: open it with a Visibility in `session.info` "
            "(api.database), or wrap the work in `unrestricted(session)`."
        )
    if visibility.include_unpublished:
        return
    state.statement = visible_form(state.statement, visibility)
    parameters = state.parameters
    assert parameters is None or isinstance(parameters, Mapping), "reads take one set"
    state.parameters = {**(parameters or {}), **visibility.parameters()}


def visible_form(statement: Executable, visibility: Visibility) -> Executable:
    """`statement` with `visibility`'s criteria added (the statement itself for the desk), made
    once per kept statement; run it with `visibility.parameters()` added to its own."""
    criteria = visibility.criteria()
    if not criteria:
        return statement
    visible = _with_criteria.get(statement)
    if visible is None:
        visible = _with_criteria[statement] = statement.options(*criteria)
    return visible


def declare(session: Session | AsyncSession, visibility: Visibility) -> None:
    """Set the visibility every later statement of `session` is filtered by."""
    info = session.info if isinstance(session, Session) else session.sync_session.info
    info[VISIBILITY] = visibility


def visibility_of(session: Session | AsyncSession) -> Visibility:
    """The visibility `session` reads with (sort keys depend on it)."""
    info = session.info if isinstance(session, Session) else session.sync_session.info
    visibility = info.get(VISIBILITY)
    if visibility is None:
        raise VisibilityUndeclared("This session declares no visibility.")
    assert isinstance(visibility, Visibility)
    return visibility


@contextmanager
def unrestricted(session: Session | AsyncSession) -> Iterator[None]:
    """See every row for the duration: writes, seeding and maintenance, never reader queries."""
    info = session.info if isinstance(session, Session) else session.sync_session.info
    previous = info.get(VISIBILITY)
    info[VISIBILITY] = EVERYTHING
    try:
        yield
    finally:
        if previous is None:
            info.pop(VISIBILITY, None)
        else:
            info[VISIBILITY] = previous


def article_is_public(article: Article, now: datetime) -> bool:
    """Whether readers see `article` at `now`: the row-level form of `Visibility.criteria`."""
    return (
        article.status is ArticleStatus.PUBLISHED
        and article.published_at is not None
        and article.published_at <= now
    )


def issue_is_public(issue: NewsletterIssue, now: datetime) -> bool:
    """Whether readers see `issue` at `now`."""
    return issue.published_at is not None and issue.published_at <= now
