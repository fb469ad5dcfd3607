"""Writing articles: create (or re-import by external id) and update a story.

Each write validates the whole input first (reads only) and writes nothing when anything is
wrong; otherwise it writes, touches `updated_at`, records an audit entry naming the API key and
flushes. The caller commits (api/transactions.py). A change to a story readers can see is
announced as `article.updated` (api/events.py). Publishing lives in api/services/publishing.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api import related_lists
from api.content import slugify
from api.events import EventType, emit
from api.models import Article, ArticleStatus, Author, Section, Source, max_length
from api.services import audit
from api.services.article_fields import (
    ARTICLE_SLUG_MAX,
    Body,
    article_snapshot,
    check_authors,
    check_tags,
    external_id_taken,
    free_slug,
    set_authors,
    set_countries,
    set_tags,
    slug_taken,
)
from api.services.article_images import ImageData, check_image, replace_image
from api.services.catalogue import ApiKeyId, reference
from api.services.listing import Touched, relist
from api.services.outcome import Outcome
from api.services.rows import assign, save
from api.services.validation import MISSING, Missing, Path, Problems, checked, input_path
from api.visibility import article_is_public

HEADLINE_MAX = max_length(Article.headline)
DEK_MAX = max_length(Article.dek)
EXTERNAL_ID_MAX = max_length(Article.external_id)


@dataclass(frozen=True)
class ArticleData:
    """The contract's ArticleInput."""

    source: str
    section: str
    headline: str
    body: str
    authors: Sequence[str] | None = None
    dek: str | None = None
    url: str | None = None
    slug: str | None = None
    tags: Sequence[str] | None = None
    countries: Sequence[str] | None = None
    language: str | None = None
    external_id: str | None = None
    image: ImageData | None = None


@dataclass(frozen=True)
class ArticleChanges:
    """ArticlePatch: only the fields sent change; null clears an optional field or a list."""

    section: str | Missing | None = MISSING
    authors: Sequence[str] | Missing | None = MISSING
    headline: str | Missing | None = MISSING
    dek: str | Missing | None = MISSING
    body: str | Missing | None = MISSING
    url: str | Missing | None = MISSING
    slug: str | Missing | None = MISSING
    tags: Sequence[str] | Missing | None = MISSING
    countries: Sequence[str] | Missing | None = MISSING
    language: str | Missing | None = MISSING
    external_id: str | Missing | None = MISSING
    image: ImageData | Missing | None = MISSING


async def article_written(
    session: AsyncSession,
    api_key_id: ApiKeyId,
    action: str,
    article: Article,
    before: dict[str, Any] | None,
    touched: Touched,
) -> Outcome[Article]:
    """Mark the article updated (a byline or tag change counts), reload it, relist the catalogue
    entries it used before and uses now, and audit the write."""
    article.updated_at = func.now()
    await save(session, article)
    await touched.add_article(session, article.id, article.section_id)
    await relist(session, touched)
    await audit.record(
        session,
        api_key_id=api_key_id,
        action=action,
        entity=article,
        before=before,
        after=await article_snapshot(session, article),
    )
    return Outcome(article)


async def create_article(
    session: AsyncSession, api_key_id: ApiKeyId, data: ArticleData
) -> Outcome[Article]:
    """A new draft; or, when the source already has an article with this `externalId`, an
    update of that article (re-imports update rather than duplicate; its status is kept, its
    content, picture included, is replaced)."""

    p = Problems()
    source = await reference(session, p, input_path("source"), Source, data.source)
    section = await reference(session, p, input_path("section"), Section, data.section)
    authors = await check_authors(session, p, input_path("authors"), data.authors or [])
    headline = p.text(input_path("headline"), data.headline, required=True, max_length=HEADLINE_MAX)
    dek = p.text(input_path("dek"), data.dek, max_length=DEK_MAX)
    body = Body.check(p, input_path("body"), data.body)
    url = p.url(input_path("url"), data.url)
    tags = check_tags(p, input_path("tags"), data.tags or [])
    countries = p.countries(input_path("countries"), data.countries or [])
    language = (
        p.language(input_path("language"), data.language) if data.language is not None else None
    )
    external_id = p.text(input_path("externalId"), data.external_id, max_length=EXTERNAL_ID_MAX)
    image = check_image(p, input_path("image"), data.image) if data.image is not None else None
    given_slug = (
        p.slug(input_path("slug"), data.slug, max_length=ARTICLE_SLUG_MAX)
        if data.slug is not None
        else None
    )
    if source is None or section is None:
        return Outcome.failed(p)

    existing = None
    if external_id is not None:
        existing = await session.scalar(
            select(Article)
            .where(Article.source_id == source.id, Article.external_id == external_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    existing_id = existing.id if existing is not None else None
    if given_slug is not None and await slug_taken(session, source.id, given_slug, existing_id):
        p.add(input_path("slug"), f"{source.name} already has an article with slug {given_slug!r}.")
    slug = given_slug
    if slug is None and existing is None and headline is not None:
        derived = slugify(headline, max_length=ARTICLE_SLUG_MAX)
        if not derived:
            p.add(input_path("slug"), "No slug can be derived from the headline; send one.")
        else:
            slug = await free_slug(session, source.id, derived)
    if url is None and existing is None:
        if source.url:
            url = p.url(input_path("url"), f"{source.url.rstrip('/')}/{slug or ''}")
        else:
            p.add(input_path("url"), f"Required: {source.name} has no URL to derive one from.")
    if p or body is None:
        return Outcome.failed(p)

    before = await article_snapshot(session, existing) if existing is not None else None
    touched = Touched()
    if existing is not None:
        await touched.add_article(session, existing.id, existing.section_id)
        await related_lists.before_change(session, existing.id)
    article = existing or Article(source_id=source.id, status=ArticleStatus.DRAFT)
    assign(
        article,
        section_id=section.id,
        slug=slug if slug is not None else MISSING,
        external_id=external_id,
        headline=headline,
        dek=dek,
        body_html=body.html,
        body_text=body.text,
        excerpt=body.excerpt,
        reading_time_minutes=body.reading_time_minutes,
        language=language or (MISSING if existing is not None else source.language),
        url=url if url is not None else MISSING,
    )
    session.add(article)
    await session.flush()
    await set_authors(session, article.id, authors)
    await set_tags(session, article.id, tags)
    await set_countries(session, article.id, countries)
    if existing is not None or image is not None:
        await replace_image(session, article, image)
    action = "article.create" if existing is None else "article.reimport"
    outcome = await article_written(session, api_key_id, action, article, before, touched)
    if existing is not None:
        await related_lists.after_change(session, article.id)
    if existing is not None and article_is_public(article, datetime.now(UTC)):
        await emit(session, EventType.ARTICLE_UPDATED, article)
    return outcome


async def locked_article(session: AsyncSession, article_id: int | None) -> Article | None:
    if article_id is None:
        return None
    # populate_existing: a row this request loaded earlier may have been changed since.
    return await session.scalar(
        select(Article)
        .where(Article.id == article_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def _required_in_patch(p: Problems, path: Path, value: object) -> None:
    if value is None:
        p.add(path, "This field cannot be cleared; omit it to keep the current value.")


async def update_article(
    session: AsyncSession, api_key_id: ApiKeyId, article_id: int | None, changes: ArticleChanges
) -> Outcome[Article]:
    """Change the fields sent; the rest stay. The source of an article never changes."""
    article = await locked_article(session, article_id)
    if article is None:
        return Outcome.not_found(("id",), "article")
    p = Problems()
    for name in ("section", "headline", "body", "url", "slug", "language"):
        _required_in_patch(p, input_path(name), getattr(changes, name))
    section_id: int | Missing = MISSING
    if isinstance(changes.section, str):
        section = await reference(session, p, input_path("section"), Section, changes.section)
        section_id = section.id if section is not None else MISSING
    authors: list[Author] | Missing = MISSING
    if not isinstance(changes.authors, Missing):
        authors = await check_authors(session, p, input_path("authors"), changes.authors or [])
    headline = checked(
        changes.headline,
        lambda v: p.text(input_path("headline"), v, required=True, max_length=HEADLINE_MAX),
    )
    dek = checked(changes.dek, lambda v: p.text(input_path("dek"), v, max_length=DEK_MAX))
    body = checked(changes.body, lambda v: Body.check(p, input_path("body"), v))
    url = checked(changes.url, lambda v: p.url(input_path("url"), v, required=True))
    slug = checked(
        changes.slug, lambda v: p.slug(input_path("slug"), v, max_length=ARTICLE_SLUG_MAX)
    )
    if isinstance(slug, str) and await slug_taken(session, article.source_id, slug, article.id):
        p.add(input_path("slug"), f"Another article of this source has the slug {slug!r}.")
    tags = (
        MISSING
        if isinstance(changes.tags, Missing)
        else check_tags(p, input_path("tags"), changes.tags or [])
    )
    countries = (
        MISSING
        if isinstance(changes.countries, Missing)
        else p.countries(input_path("countries"), changes.countries or [])
    )
    language = checked(changes.language, lambda v: p.language(input_path("language"), v))
    external_id = checked(
        changes.external_id,
        lambda v: p.text(input_path("externalId"), v, max_length=EXTERNAL_ID_MAX),
    )
    if isinstance(external_id, str) and await external_id_taken(
        session, article.source_id, external_id, article.id
    ):
        p.add(input_path("externalId"), "Another article of this source has this external id.")
    image = checked(changes.image, lambda v: check_image(p, input_path("image"), v))
    if p:
        return Outcome.failed(p)

    before = await article_snapshot(session, article)
    touched = Touched()
    await touched.add_article(session, article.id, article.section_id)
    await related_lists.before_change(session, article.id)
    body_fields: dict[str, Any] = {}
    if isinstance(body, Body):
        body_fields = {
            "body_html": body.html,
            "body_text": body.text,
            "excerpt": body.excerpt,
            "reading_time_minutes": body.reading_time_minutes,
        }
    assign(
        article,
        section_id=section_id,
        headline=headline,
        dek=dek,
        url=url,
        slug=slug,
        language=language,
        external_id=external_id,
        **body_fields,
    )
    if not isinstance(authors, Missing):
        await set_authors(session, article.id, authors)
    if not isinstance(tags, Missing):
        await set_tags(session, article.id, tags)
    if not isinstance(countries, Missing):
        await set_countries(session, article.id, countries)
    if not isinstance(image, Missing):
        await replace_image(session, article, image)
    outcome = await article_written(session, api_key_id, "article.update", article, before, touched)
    await related_lists.after_change(session, article.id)
    if article_is_public(article, datetime.now(UTC)):
        await emit(session, EventType.ARTICLE_UPDATED, article)
    return outcome
