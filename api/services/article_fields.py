"""An article's parts as the desk sends them: body, byline, tags, countries and slug.

Checks record problems (api/services/validation.py) and return cleaned values; the link rows
(byline, tags, countries) are replaced with Core statements, not ORM objects, so a second write
to the same article in one request never meets the first write's objects in the identity map.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, literal, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from api.content import html_to_text, make_excerpt, reading_time_minutes, sanitize_html, slugify
from api.models import (
    Article,
    ArticleAuthor,
    ArticleCountry,
    ArticleTag,
    Author,
    Tag,
    max_length,
)
from api.services import audit
from api.services.catalogue import CATALOG_SLUG_MAX
from api.services.validation import NOT_FOUND, Path, Problems

ARTICLE_SLUG_MAX = max_length(Article.slug)
BODY_MAX = 500_000  # body_html is unbounded text: a sane cap
TAG_NAME_MAX = max_length(Tag.name)
MAX_AUTHORS = 20
MAX_TAGS = 30


@dataclass(frozen=True)
class Body:
    """A body as stored: sanitized HTML and what is derived from it."""

    html: str
    text: str
    excerpt: str
    reading_time_minutes: int

    @classmethod
    def check(cls, problems: Problems, path: Path, raw: str) -> Body | None:
        if len(raw) > BODY_MAX:
            problems.add(path, f"At most {BODY_MAX} characters (got {len(raw)}).")
            return None
        clean = sanitize_html(raw)
        text = html_to_text(clean)
        if not text.strip():
            problems.add(path, "The body has no text (after removing disallowed HTML).")
            return None
        return cls(clean, text, make_excerpt(text, 300), reading_time_minutes(text))


@dataclass(frozen=True)
class TagChoice:
    slug: str
    name: str


def check_tags(p: Problems, path: Path, values: Sequence[str]) -> list[TagChoice]:
    """Tags named by slug or by name; each becomes a slug (a new tag is created on first use)."""
    if len(values) > MAX_TAGS:
        p.add(path, f"At most {MAX_TAGS} tags.")
        return []
    choices: dict[str, TagChoice] = {}
    for index, value in enumerate(values):
        name = p.text((*path, index), value, required=True, max_length=TAG_NAME_MAX)
        if name is None:
            continue
        slug = slugify(name, max_length=CATALOG_SLUG_MAX)
        if not slug:
            p.add((*path, index), "A tag needs letters or digits.")
            continue
        choices.setdefault(slug, TagChoice(slug, name))
    return list(choices.values())


async def check_authors(
    session: AsyncSession, p: Problems, path: Path, slugs: Sequence[str]
) -> list[Author]:
    """The authors named, in byline order; a problem for each unknown or repeated slug."""
    if len(slugs) > MAX_AUTHORS:
        p.add(path, f"At most {MAX_AUTHORS} authors.")
        return []
    cleaned = [slug.strip() for slug in slugs]
    p.unique(path, cleaned, "author")
    found = {
        author.slug: author
        for author in (await session.scalars(select(Author).where(Author.slug.in_(cleaned)))).all()
    }
    for index, slug in enumerate(cleaned):
        if slug not in found:
            p.add((*path, index), f"No author with slug {slug!r}.", NOT_FOUND)
    return [found[slug] for slug in dict.fromkeys(cleaned) if slug in found]


async def slug_taken(
    session: AsyncSession, source_id: int, slug: str, article_id: int | None
) -> bool:
    statement = select(Article.id).where(Article.source_id == source_id, Article.slug == slug)
    if article_id is not None:
        statement = statement.where(Article.id != article_id)
    return await session.scalar(statement.limit(1)) is not None


async def free_slug(session: AsyncSession, source_id: int, base: str) -> str:
    """`base`, or `base-2`, `base-3`, ... : the first not used by another article of the source."""
    stem = base[: ARTICLE_SLUG_MAX - 6].rstrip("-")
    taken = set(
        (
            await session.scalars(
                select(Article.slug).where(
                    Article.source_id == source_id, Article.slug.startswith(stem, autoescape=True)
                )
            )
        ).all()
    )
    if base not in taken:
        return base
    number = 2
    while f"{stem}-{number}" in taken:
        number += 1
    return f"{stem}-{number}"


async def external_id_taken(
    session: AsyncSession, source_id: int, external_id: str, article_id: int
) -> bool:
    statement = select(Article.id).where(
        Article.source_id == source_id, Article.external_id == external_id, Article.id != article_id
    )
    return await session.scalar(statement.limit(1)) is not None


async def article_snapshot(session: AsyncSession, article: Article) -> dict[str, Any]:
    """The article row plus its byline, tags and countries, for the audit trail."""
    author_ids = (
        await session.scalars(
            select(ArticleAuthor.author_id)
            .where(ArticleAuthor.article_id == article.id)
            .order_by(ArticleAuthor.position)
        )
    ).all()
    tag_slugs = (
        await session.scalars(
            select(Tag.slug)
            .join(ArticleTag, ArticleTag.tag_id == Tag.id)
            .where(ArticleTag.article_id == article.id)
            .order_by(Tag.slug)
        )
    ).all()
    countries = (
        await session.scalars(
            select(ArticleCountry.country)
            .where(ArticleCountry.article_id == article.id)
            .order_by(ArticleCountry.country)
        )
    ).all()
    return audit.snapshot(
        article, author_ids=list(author_ids), tags=list(tag_slugs), countries=list(countries)
    )


async def set_authors(session: AsyncSession, article_id: int, authors: Sequence[Author]) -> None:
    await session.execute(delete(ArticleAuthor).where(ArticleAuthor.article_id == article_id))
    if authors:
        await session.execute(
            insert(ArticleAuthor).values(
                [
                    {"article_id": article_id, "author_id": author.id, "position": position}
                    for position, author in enumerate(authors, start=1)
                ]
            )
        )


async def set_tags(session: AsyncSession, article_id: int, tags: Sequence[TagChoice]) -> None:
    await session.execute(delete(ArticleTag).where(ArticleTag.article_id == article_id))
    if not tags:
        return
    # Created on first use; ON CONFLICT keeps two concurrent first uses from colliding.
    await session.execute(
        insert(Tag)
        .values([{"slug": tag.slug, "name": tag.name} for tag in tags])
        .on_conflict_do_nothing(index_elements=[Tag.slug])
    )
    await session.execute(
        insert(ArticleTag).from_select(
            ["article_id", "tag_id"],
            select(literal(article_id), Tag.id).where(Tag.slug.in_([tag.slug for tag in tags])),
        )
    )


async def set_countries(session: AsyncSession, article_id: int, countries: Sequence[str]) -> None:
    await session.execute(delete(ArticleCountry).where(ArticleCountry.article_id == article_id))
    if countries:
        await session.execute(
            insert(ArticleCountry).values(
                [{"article_id": article_id, "country": code} for code in countries]
            )
        )
