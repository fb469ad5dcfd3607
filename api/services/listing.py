"""When readers may first see a tag, an author or a section (`visible_from`, api/models.py).

A catalogue entry becomes visible with the first published story that uses it (at that story's
`published_at`, so a scheduled story's entries appear with it), or at once when it is `listed`
on purpose. Sections count the stories of their child sections too: a parent whose children
have stories is part of the site. Every write that can change this calls `relist` with what it
touched, before and after the change, in the same transaction; seeding calls `relist_all`.
Rows already right are not rewritten, so relisting twice changes nothing. The reader rule itself
is applied by api/visibility.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import TextClause, bindparam, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import BigInteger

from api.models import ArticleAuthor, ArticleTag

# Listed entries are visible "since forever" (1970: any time before every story will do).
_TAGS = """
UPDATE tags SET visible_from = v.value FROM (
    SELECT t.id, CASE WHEN t.listed THEN '1970-01-01T00:00:00Z'::timestamptz ELSE (
        SELECT min(a.published_at) FROM article_tags l JOIN articles a ON a.id = l.article_id
        WHERE l.tag_id = t.id AND a.status = 'published') END AS value
    FROM tags t WHERE t.id = ANY(:ids)
) v WHERE tags.id = v.id AND tags.visible_from IS DISTINCT FROM v.value
"""
_AUTHORS = """
UPDATE authors SET visible_from = v.value FROM (
    SELECT t.id, CASE WHEN t.listed THEN '1970-01-01T00:00:00Z'::timestamptz ELSE (
        SELECT min(a.published_at) FROM article_authors l JOIN articles a ON a.id = l.article_id
        WHERE l.author_id = t.id AND a.status = 'published') END AS value
    FROM authors t WHERE t.id = ANY(:ids)
) v WHERE authors.id = v.id AND authors.visible_from IS DISTINCT FROM v.value
"""
# The sections named, their ancestors (whose subtree changed too), then each one's subtree.
_SECTIONS = """
WITH RECURSIVE touched(id, parent_id) AS (
    SELECT s.id, s.parent_id FROM sections s WHERE s.id = ANY(:ids)
    UNION SELECT p.id, p.parent_id FROM sections p JOIN touched t ON p.id = t.parent_id
), subtree(root, id) AS (
    SELECT id, id FROM touched
    UNION SELECT st.root, c.id FROM subtree st JOIN sections c ON c.parent_id = st.id
), computed(id, value) AS (
    SELECT s.id, CASE WHEN s.listed THEN '1970-01-01T00:00:00Z'::timestamptz ELSE (
        SELECT min(a.published_at) FROM subtree st JOIN articles a ON a.section_id = st.id
        WHERE st.root = s.id AND a.status = 'published') END
    FROM sections s WHERE s.id IN (SELECT id FROM touched)
)
UPDATE sections SET visible_from = computed.value FROM computed
WHERE sections.id = computed.id AND sections.visible_from IS DISTINCT FROM computed.value
"""


@dataclass
class Touched:
    """Catalogue entries a write touched (collect before and after changing an article)."""

    tags: set[int] = field(default_factory=set)
    authors: set[int] = field(default_factory=set)
    sections: set[int] = field(default_factory=set)

    async def add_article(self, session: AsyncSession, article_id: int, section_id: int) -> None:
        """The entries article `article_id` uses now (its byline, tags and section)."""
        self.sections.add(section_id)
        self.tags.update(
            await session.scalars(
                select(ArticleTag.tag_id).where(ArticleTag.article_id == article_id)
            )
        )
        self.authors.update(
            await session.scalars(
                select(ArticleAuthor.author_id).where(ArticleAuthor.article_id == article_id)
            )
        )


async def relist(session: AsyncSession, touched: Touched) -> None:
    """Recompute `visible_from` of the entries touched (sections: with their ancestors)."""
    for statement, ids in (
        (_TAGS, touched.tags),
        (_AUTHORS, touched.authors),
        (_SECTIONS, touched.sections),
    ):
        if ids:
            await session.execute(_with_ids(statement), {"ids": sorted(ids)})


async def relist_all(session: AsyncSession) -> None:
    """Recompute every entry (after seeding or a bulk load)."""
    everything = Touched()
    everything.tags.update(await _ids(session, "tags"))
    everything.authors.update(await _ids(session, "authors"))
    everything.sections.update(await _ids(session, "sections"))
    await relist(session, everything)


async def _ids(session: AsyncSession, table: str) -> Iterable[int]:
    # `table` is one of three constants of ours, never input.
    return (await session.scalars(text(f"SELECT id FROM {table}"))).all()  # noqa: S608


def _with_ids(statement: str) -> TextClause:
    return text(statement).bindparams(bindparam("ids", type_=ARRAY(BigInteger)))
