"""What a feed contains (`ArticleCriteria`), as SQL conditions with bound values, so that
criteria of one shape make one statement (api/queries/articles.py keeps them).

None of them states who may see what: the session's visibility is applied to every statement
(api/visibility.py).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, String, any_, bindparam, exists, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import aliased

from api.models import (
    Article,
    ArticleAuthor,
    ArticleCountry,
    ArticleTag,
    Author,
    Section,
    Source,
    Tag,
)
from api.queries.search import matches


@dataclass(frozen=True)
class ArticleCriteria:
    """What a feed contains: the contract's ArticleFilter plus the page it is nested in.

    Within a list the values are OR-ed (tags are AND-ed); across fields everything is AND-ed.
    `section_id` / `source_id` / `author_id` / `tag_id` pin the feed of a section, source,
    author or tag page, and a client filter narrows it further.
    """

    sections: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    published_after: datetime | None = None
    published_before: datetime | None = None
    query: str | None = None
    section_id: int | None = None
    source_id: int | None = None
    author_id: int | None = None
    tag_id: int | None = None


def section_subtree(by_slug: bool) -> Select[int]:
    """Ids of the named sections (`sections`) or of one (`section_id`) and all their
    descendants: a section page shows its children's stories too."""
    start = select(Section.id)
    if by_slug:
        start = start.where(Section.slug == any_(bindparam("sections", type_=_SLUGS)))
    else:
        start = start.where(Section.id == bindparam("section_id"))
    tree = start.cte("section_tree", recursive=True)
    child = aliased(Section)
    tree = tree.union_all(select(child.id).where(child.parent_id == tree.c.id))
    return select(tree.c.id)


_SLUGS = ARRAY(String)
_CRITERIA_FIELDS = tuple(each.name for each in fields(ArticleCriteria))
# What about a criteria changes its statement: which fields are set (and how many tags).
CriteriaShape = tuple[int, ...]


def criteria_shape(criteria: ArticleCriteria) -> CriteriaShape:
    values = (getattr(criteria, name) for name in _CRITERIA_FIELDS)
    return tuple(
        len(value) if isinstance(value, tuple) else int(value is not None) for value in values
    )


def criteria_parameters(criteria: ArticleCriteria) -> dict[str, Any]:
    """The values `conditions` binds for `criteria`."""
    values: dict[str, Any] = {
        "sections": list(criteria.sections),
        "sources": list(criteria.sources),
        "authors": list(criteria.authors),
        "countries": [code.upper() for code in criteria.countries],
        "published_after": criteria.published_after,
        "published_before": criteria.published_before,
        "query": criteria.query,
        "section_id": criteria.section_id,
        "source_id": criteria.source_id,
        "author_id": criteria.author_id,
        "tag_id": criteria.tag_id,
    }
    values.update({f"tag_{i}": slug for i, slug in enumerate(criteria.tags)})
    return values


def conditions(criteria: ArticleCriteria) -> list[ColumnElement[bool]]:
    """The conditions of `criteria`, its values as bound parameters (`criteria_parameters`), so
    criteria of one shape make one statement."""
    c: list[ColumnElement[bool]] = []
    if criteria.section_id is not None:
        c.append(Article.section_id.in_(section_subtree(by_slug=False)))
    if criteria.sections:
        c.append(Article.section_id.in_(section_subtree(by_slug=True)))
    if criteria.source_id is not None:
        c.append(Article.source_id == bindparam("source_id"))
    if criteria.sources:
        sources = select(Source.id).where(Source.slug == any_(bindparam("sources", type_=_SLUGS)))
        c.append(Article.source_id.in_(sources))
    if criteria.author_id is not None:
        c.append(
            exists().where(
                ArticleAuthor.article_id == Article.id,
                ArticleAuthor.author_id == bindparam("author_id"),
            )
        )
    if criteria.authors:
        slugs = Author.slug == any_(bindparam("authors", type_=_SLUGS))
        c.append(
            exists()
            .where(ArticleAuthor.article_id == Article.id)
            .where(ArticleAuthor.author_id.in_(select(Author.id).where(slugs)))
        )
    if criteria.tag_id is not None:
        c.append(
            exists().where(
                ArticleTag.article_id == Article.id, ArticleTag.tag_id == bindparam("tag_id")
            )
        )
    for i in range(len(criteria.tags)):
        tag = select(Tag.id).where(Tag.slug == bindparam(f"tag_{i}", type_=String))
        c.append(
            exists().where(ArticleTag.article_id == Article.id).where(ArticleTag.tag_id.in_(tag))
        )
    if criteria.countries:
        c.append(
            exists().where(
                ArticleCountry.article_id == Article.id,
                ArticleCountry.country == any_(bindparam("countries", type_=_SLUGS)),
            )
        )
    if criteria.published_after is not None:
        c.append(
            Article.published_at >= bindparam("published_after", type_=Article.published_at.type)
        )
    if criteria.published_before is not None:
        c.append(
            Article.published_at < bindparam("published_before", type_=Article.published_at.type)
        )
    if criteria.query is not None:
        c.append(matches(bindparam("query", type_=String)))
    return c


_SENSITIVE = (
    *("query", "tags", "tag_id", "authors", "author_id", "countries"),
    *("published_after", "published_before"),
)


def needs_own_plans(criteria: ArticleCriteria) -> bool:
    return any(getattr(criteria, name) not in (None, ()) for name in _SENSITIVE)


def sections_only(criteria: ArticleCriteria) -> bool:
    """A section's feed (its page, or the `sections` filter), and nothing else narrowing it."""
    pinned = criteria.section_id is not None or bool(criteria.sections)
    others = (getattr(criteria, name) for name in _CRITERIA_FIELDS if name not in _SECTIONS)
    return pinned and all(value in (None, ()) for value in others)


_SECTIONS = ("section_id", "sections")


def placeholders(shape: CriteriaShape) -> dict[str, Any]:
    """Criteria with this shape (stand-in values: the statement binds the real ones)."""
    values: dict[str, Any] = {}
    for spec, size in zip(fields(ArticleCriteria), shape, strict=True):
        if spec.name in _LISTS:
            values[spec.name] = ("",) * size
        elif size:
            values[spec.name] = _STAND_INS.get(spec.name, 0)
    return values


_LISTS = {"sections", "sources", "authors", "tags", "countries"}
_STAND_INS: dict[str, Any] = {
    "published_after": datetime.min,
    "published_before": datetime.min,
    "query": "",
}
