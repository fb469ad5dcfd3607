"""Full-text search: the tsquery a reader's words make, relevance ranking, highlighted passages.

Articles carry a weighted `tsvector` (headline A, dek B, body C) kept by the database as a
generated column with a GIN index (api/models.py). Readers type web-search syntax
(`"exact phrase"`, `-exclude`, `OR`); nothing they type raises.

A search considers the `SEARCH_CANDIDATES` most recent matches and ranks those, never every
match: a common word matches most of the archive, and ranking all of it costs time in
proportion to the archive (seconds at a million stories). The most recent matches are cheap to
find either way: for a common word PostgreSQL walks the feed index newest first and stops after
the bound; for a rare one it reads the few matches from the GIN index. Which of the two it picks
depends on its estimate of how many stories match, so the search vector carries fine-grained
statistics (alembic/versions/0006_search_statistics.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Float,
    String,
    any_,
    bindparam,
    cast,
    func,
    literal,
    literal_column,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from api.models import Article
from api.plans import value_sensitive
from api.queries.driver import rows

SEARCH_CONFIG: ColumnElement[Any] = literal_column("'english'::regconfig")
MAX_SEARCH_QUERY_LENGTH = 500
# How many matches a search considers: the most recent ones (by the feed's date), which are then
# ordered by relevance (or date). Larger reaches further back for a common word and costs about
# 10 microseconds per candidate on every search page; a search's totalCount never exceeds it.
SEARCH_CANDIDATES = 1000
RECENCY_REFERENCE = datetime(2020, 1, 1, tzinfo=UTC)
RECENCY_SCALE_SECONDS = 365 * 86400.0
HIGHLIGHT_START, HIGHLIGHT_STOP = "\x02", "\x03"


def search_query(text: str | ColumnElement[str]) -> ColumnElement[Any]:
    """A tsquery from what a user typed (or a parameter that will hold it): quotes, -word and
    OR work; nothing raises."""
    return func.websearch_to_tsquery(
        SEARCH_CONFIG, literal(text) if isinstance(text, str) else text
    )


def matches(text: str | ColumnElement[str]) -> ColumnElement[bool]:
    """Articles whose search vector matches `text`."""
    return Article.search_vector.op("@@")(search_query(text))


def search_candidates() -> int:
    """The bound in force (`SEARCH_CANDIDATES`), read at each search so a test can lower it."""
    return SEARCH_CANDIDATES


def relevance(
    vector: ColumnElement[Any], published: ColumnElement[Any], query: str | ColumnElement[str]
) -> ColumnElement[float]:
    """ts_rank_cd (length-normalised) of a story's `vector` plus a small bonus for newer stories
    (by `published`, its feed date), in (0, 0.1).

    The bonus depends on the story alone (a logistic curve over its date), not on the time of
    the request, so a story's rank is the same on page 1 and page 2 and cursors stay valid.
    """
    seconds = func.extract("epoch", published) - RECENCY_REFERENCE.timestamp()
    recency = 0.1 / (1.0 + func.exp(-seconds / RECENCY_SCALE_SECONDS))
    return cast(func.ts_rank_cd(vector, search_query(query), 1), Float) + recency


_QUERY = bindparam("query", type_=String)
# A search's statements run in one plan mode, its page's (api/plans.py): no switch between them.
_TERMS = value_sensitive(select(func.numnode(search_query(_QUERY))))


async def has_search_terms(session: AsyncSession, query: str) -> bool:
    """False when a query has nothing to search for (only stop words or punctuation)."""
    ((nodes,),) = await rows(session, _TERMS, {"query": query})
    return int(nodes) > 0


_HIGHLIGHT_OPTIONS = (
    f"StartSel={HIGHLIGHT_START}, StopSel={HIGHLIGHT_STOP}, "
    'MaxWords=35, MinWords=15, MaxFragments=2, FragmentDelimiter=" … "'
)
_HIGHLIGHTS = value_sensitive(
    select(
        Article.id,
        func.ts_headline(
            SEARCH_CONFIG,
            func.concat_ws(" \n", Article.headline, Article.dek, Article.body_text),
            search_query(_QUERY),
            _HIGHLIGHT_OPTIONS,
        ),
    ).where(Article.id == any_(bindparam("ids", type_=ARRAY(BigInteger))))
)


async def highlights(
    session: AsyncSession, query: str, article_ids: Sequence[int]
) -> dict[int, str]:
    """The best matching passage of each article, terms wrapped in control characters.

    Callers escape the text and turn the markers into <mark> tags, so nothing in an article's
    text can inject markup into a highlight.
    """
    found = await rows(session, _HIGHLIGHTS, {"query": query, "ids": list(article_ids)})
    return {row[0]: row[1] for row in found}
