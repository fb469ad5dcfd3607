"""Editorial writes: sources, sections, authors, articles and newsletter issues.

Each public function is one mutation and one transaction. It validates the whole input first
(reads only) and writes nothing when anything is wrong, so invalid input changes nothing.
Otherwise it writes, records an `AuditEntry` naming the API key, and commits. Any exception
rolls back. Resolvers in `schema/` call these through `ctx.db.run`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from sqlalchemy import delete, func, literal, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from api import audit
from api.content import html_to_text, make_excerpt, reading_time_minutes, sanitize_html, slugify
from api.models import (
    Article,
    ArticleAuthor,
    ArticleCountry,
    ArticleStatus,
    ArticleTag,
    Author,
    Base,
    Newsletter,
    NewsletterIssue,
    NewsletterItem,
    Section,
    Source,
    Tag,
)
from api.validation import MISSING, NOT_FOUND, Missing, Path, Problems
from api.writes import Outcome, in_transaction

V = TypeVar("V")
R = TypeVar("R")
CatalogRow = TypeVar("CatalogRow", Source, Section, Author)

# Length limits: the model's column sizes, and sane caps where a column is unbounded text.
NAME_MAX = 200
CATALOG_SLUG_MAX = 120
ARTICLE_SLUG_MAX = 200
HEADLINE_MAX = 300
DEK_MAX = 600
DESCRIPTION_MAX = 10_000
BODY_MAX = 500_000
EXTERNAL_ID_MAX = 200
TAG_NAME_MAX = 200
ISSUE_TITLE_MAX = 300
INTRO_MAX = 10_000
BLURB_MAX = 2_000
MAX_AUTHORS = 20
MAX_TAGS = 30
MAX_ISSUE_ITEMS = 100
MAX_POSITION = 10_000

ApiKeyId = int | None


def checked(value: V | Missing | None, check: Callable[[V], R | None]) -> R | Missing | None:
    """Validate an optional field: absent and null pass through, anything else is checked."""
    if value is None or isinstance(value, Missing):
        return value
    return check(value)


def assign(row: Base, **values: Any) -> None:
    """Set the attributes whose new value was sent (not MISSING)."""
    for name, value in values.items():
        if not isinstance(value, Missing):
            setattr(row, name, value)


def _input(*path: str | int) -> Path:
    return ("input", *path)


async def _by_slug(session: AsyncSession, model: type[CatalogRow], slug: str) -> CatalogRow | None:
    return await session.scalar(select(model).where(model.slug == slug))


async def _reference(
    session: AsyncSession,
    problems: Problems,
    path: Path,
    model: type[CatalogRow],
    slug: str,
) -> CatalogRow | None:
    """The row a slug refers to, or a NOT_FOUND problem."""
    row = await _by_slug(session, model, slug.strip())
    if row is None:
        problems.add(path, f"No {model.__name__.lower()} with slug {slug.strip()!r}.", NOT_FOUND)
    return row


def _name_and_slug(p: Problems, name: str, slug: str | None) -> tuple[str | None, str | None]:
    """A catalogue entry's name, and its slug (derived from the name when absent)."""
    cleaned = p.text(_input("name"), name, required=True, max_length=NAME_MAX)
    return cleaned, p.slug_or_derived(_input("slug"), slug, cleaned, max_length=CATALOG_SLUG_MAX)


def _long_text(p: Problems, field: str, value: str | Missing | None) -> str | Missing | None:
    return checked(value, lambda v: p.text(_input(field), v, max_length=DESCRIPTION_MAX))


async def _save(session: AsyncSession, row: Base) -> None:
    """Flush and reload, so server-side values (ids, timestamps) are there to return."""
    session.add(row)
    await session.flush()
    await session.refresh(row)


# --- Sources, sections, authors -------------------------------------------------------------


@dataclass(frozen=True)
class SourceData:
    name: str
    slug: str | None = None
    description: str | Missing | None = MISSING
    url: str | Missing | None = MISSING
    country: str | Missing | None = MISSING
    language: str | Missing | None = MISSING


async def upsert_source(
    session: AsyncSession, api_key_id: ApiKeyId, data: SourceData
) -> Outcome[Source]:
    """Create the source with this slug (derived from the name when absent), or update it."""

    async def work() -> Outcome[Source]:
        p = Problems()
        name, slug = _name_and_slug(p, data.name, data.slug)
        description = _long_text(p, "description", data.description)
        url = checked(data.url, lambda v: p.url(_input("url"), v))
        country = checked(data.country, lambda v: p.country(_input("country"), v))
        if data.language is None:
            p.add(_input("language"), "A source always has a language; omit the field to keep it.")
        language = checked(data.language, lambda v: p.language(_input("language"), v))
        if p:
            return Outcome.failed(p)
        return await _upsert(
            session,
            api_key_id,
            await _by_slug(session, Source, slug or ""),
            lambda: Source(slug=slug, language="en"),
            name=name,
            description=description,
            url=url,
            country=country,
            language=language,
        )

    return await in_transaction(session, work)


@dataclass(frozen=True)
class SectionData:
    name: str
    slug: str | None = None
    description: str | Missing | None = MISSING
    parent: str | Missing | None = MISSING  # a section slug; null makes it top-level
    position: int | Missing | None = MISSING


async def upsert_section(
    session: AsyncSession, api_key_id: ApiKeyId, data: SectionData
) -> Outcome[Section]:
    """Create the section with this slug (derived from the name when absent), or update it."""

    async def work() -> Outcome[Section]:
        p = Problems()
        name, slug = _name_and_slug(p, data.name, data.slug)
        description = _long_text(p, "description", data.description)
        position: int | Missing | None = data.position
        if position is None:
            position = MISSING  # null: leave the order as it is
        elif not isinstance(position, Missing) and not 0 <= position <= MAX_POSITION:
            p.add(_input("position"), f"Must be between 0 and {MAX_POSITION}.")
        existing = await _by_slug(session, Section, slug) if slug else None
        parent_id: int | Missing | None = MISSING
        if isinstance(data.parent, str):
            parent = await _reference(session, p, _input("parent"), Section, data.parent)
            if parent is not None:
                parent_id = parent.id
                if existing is not None and await _is_descendant(session, parent, existing.id):
                    p.add(
                        _input("parent"), "A section cannot be nested under itself or its children."
                    )
        elif data.parent is None:
            parent_id = None
        if p:
            return Outcome.failed(p)
        return await _upsert(
            session,
            api_key_id,
            existing,
            lambda: Section(slug=slug),
            name=name,
            description=description,
            parent_id=parent_id,
            position=position,
        )

    return await in_transaction(session, work)


async def _is_descendant(session: AsyncSession, section: Section, ancestor_id: int) -> bool:
    """True when `section` is `ancestor_id` or lies below it."""
    current: Section | None = section
    seen: set[int] = set()
    while current is not None and current.id not in seen:
        if current.id == ancestor_id:
            return True
        seen.add(current.id)
        current = await session.get(Section, current.parent_id) if current.parent_id else None
    return False


@dataclass(frozen=True)
class AuthorData:
    name: str
    slug: str | None = None
    bio: str | Missing | None = MISSING
    is_organization: bool | Missing | None = MISSING
    source: str | Missing | None = MISSING  # a source slug (affiliation); null clears it


async def upsert_author(
    session: AsyncSession, api_key_id: ApiKeyId, data: AuthorData
) -> Outcome[Author]:
    """Create the author with this slug (derived from the name when absent), or update it."""

    async def work() -> Outcome[Author]:
        p = Problems()
        name, slug = _name_and_slug(p, data.name, data.slug)
        bio = _long_text(p, "bio", data.bio)
        source_id: int | Missing | None = MISSING
        if isinstance(data.source, str):
            source = await _reference(session, p, _input("source"), Source, data.source)
            source_id = source.id if source is not None else MISSING
        elif data.source is None:
            source_id = None
        is_organization = MISSING if data.is_organization is None else data.is_organization
        if p:
            return Outcome.failed(p)
        return await _upsert(
            session,
            api_key_id,
            await _by_slug(session, Author, slug or ""),
            lambda: Author(slug=slug, is_organization=False),
            name=name,
            bio=bio,
            is_organization=is_organization,
            source_id=source_id,
        )

    return await in_transaction(session, work)


async def _upsert(
    session: AsyncSession,
    api_key_id: ApiKeyId,
    existing: CatalogRow | None,
    create: Callable[[], CatalogRow],
    **values: Any,
) -> Outcome[CatalogRow]:
    """Update `existing` (or a row from `create`) with the values sent, and audit the change."""
    before = audit.snapshot(existing) if existing is not None else None
    row = existing if existing is not None else create()
    assign(row, **values)
    await _save(session, row)
    kind = type(row).__name__.lower()
    await audit.record(
        session,
        api_key_id=api_key_id,
        action=f"{kind}.create" if before is None else f"{kind}.update",
        entity=row,
        before=before,
        after=audit.snapshot(row),
    )
    return Outcome(row)


# --- Articles --------------------------------------------------------------------------------


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


def _check_tags(p: Problems, path: Path, values: Sequence[str]) -> list[TagChoice]:
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


async def _check_authors(
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


async def _slug_taken(
    session: AsyncSession, source_id: int, slug: str, article_id: int | None
) -> bool:
    statement = select(Article.id).where(Article.source_id == source_id, Article.slug == slug)
    if article_id is not None:
        statement = statement.where(Article.id != article_id)
    return await session.scalar(statement.limit(1)) is not None


async def _free_slug(session: AsyncSession, source_id: int, base: str) -> str:
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


async def _external_id_taken(
    session: AsyncSession, source_id: int, external_id: str, article_id: int
) -> bool:
    statement = select(Article.id).where(
        Article.source_id == source_id, Article.external_id == external_id, Article.id != article_id
    )
    return await session.scalar(statement.limit(1)) is not None


async def _article_snapshot(session: AsyncSession, article: Article) -> dict[str, Any]:
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


# Link rows are replaced with Core statements, not ORM objects: a second write to the same
# article in one request must not meet the first write's objects in the identity map.


async def _set_authors(session: AsyncSession, article_id: int, authors: Sequence[Author]) -> None:
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


async def _set_tags(session: AsyncSession, article_id: int, tags: Sequence[TagChoice]) -> None:
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


async def _set_countries(session: AsyncSession, article_id: int, countries: Sequence[str]) -> None:
    await session.execute(delete(ArticleCountry).where(ArticleCountry.article_id == article_id))
    if countries:
        await session.execute(
            insert(ArticleCountry).values(
                [{"article_id": article_id, "country": code} for code in countries]
            )
        )


async def _article_written(
    session: AsyncSession,
    api_key_id: ApiKeyId,
    action: str,
    article: Article,
    before: dict[str, Any] | None,
) -> Outcome[Article]:
    """Mark the article updated (a byline or tag change counts), reload it, audit the write."""
    article.updated_at = func.now()
    await _save(session, article)
    await audit.record(
        session,
        api_key_id=api_key_id,
        action=action,
        entity=article,
        before=before,
        after=await _article_snapshot(session, article),
    )
    return Outcome(article)


async def create_article(
    session: AsyncSession, api_key_id: ApiKeyId, data: ArticleData
) -> Outcome[Article]:
    """A new draft; or, when the source already has an article with this `externalId`, an
    update of that article (re-imports update rather than duplicate; its status is kept)."""

    async def work() -> Outcome[Article]:
        p = Problems()
        source = await _reference(session, p, _input("source"), Source, data.source)
        section = await _reference(session, p, _input("section"), Section, data.section)
        authors = await _check_authors(session, p, _input("authors"), data.authors or [])
        headline = p.text(_input("headline"), data.headline, required=True, max_length=HEADLINE_MAX)
        dek = p.text(_input("dek"), data.dek, max_length=DEK_MAX)
        body = Body.check(p, _input("body"), data.body)
        url = p.url(_input("url"), data.url)
        tags = _check_tags(p, _input("tags"), data.tags or [])
        countries = p.countries(_input("countries"), data.countries or [])
        language = (
            p.language(_input("language"), data.language) if data.language is not None else None
        )
        external_id = p.text(_input("externalId"), data.external_id, max_length=EXTERNAL_ID_MAX)
        given_slug = (
            p.slug(_input("slug"), data.slug, max_length=ARTICLE_SLUG_MAX)
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
        if given_slug is not None and await _slug_taken(
            session, source.id, given_slug, existing_id
        ):
            p.add(_input("slug"), f"{source.name} already has an article with slug {given_slug!r}.")
        slug = given_slug
        if slug is None and existing is None and headline is not None:
            derived = slugify(headline, max_length=ARTICLE_SLUG_MAX)
            if not derived:
                p.add(_input("slug"), "No slug can be derived from the headline; send one.")
            else:
                slug = await _free_slug(session, source.id, derived)
        if url is None and existing is None:
            if source.url:
                url = p.url(_input("url"), f"{source.url.rstrip('/')}/{slug or ''}")
            else:
                p.add(_input("url"), f"Required: {source.name} has no URL to derive one from.")
        if p or body is None:
            return Outcome.failed(p)

        before = await _article_snapshot(session, existing) if existing is not None else None
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
        await _set_authors(session, article.id, authors)
        await _set_tags(session, article.id, tags)
        await _set_countries(session, article.id, countries)
        action = "article.create" if existing is None else "article.reimport"
        return await _article_written(session, api_key_id, action, article, before)

    return await in_transaction(session, work)


async def _locked_article(session: AsyncSession, article_id: int | None) -> Article | None:
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

    async def work() -> Outcome[Article]:
        article = await _locked_article(session, article_id)
        if article is None:
            return Outcome.not_found(("id",), "article")
        p = Problems()
        for name in ("section", "headline", "body", "url", "slug", "language"):
            _required_in_patch(p, _input(name), getattr(changes, name))
        section_id: int | Missing = MISSING
        if isinstance(changes.section, str):
            section = await _reference(session, p, _input("section"), Section, changes.section)
            section_id = section.id if section is not None else MISSING
        authors: list[Author] | Missing = MISSING
        if not isinstance(changes.authors, Missing):
            authors = await _check_authors(session, p, _input("authors"), changes.authors or [])
        headline = checked(
            changes.headline,
            lambda v: p.text(_input("headline"), v, required=True, max_length=HEADLINE_MAX),
        )
        dek = checked(changes.dek, lambda v: p.text(_input("dek"), v, max_length=DEK_MAX))
        body = checked(changes.body, lambda v: Body.check(p, _input("body"), v))
        url = checked(changes.url, lambda v: p.url(_input("url"), v, required=True))
        slug = checked(
            changes.slug, lambda v: p.slug(_input("slug"), v, max_length=ARTICLE_SLUG_MAX)
        )
        if isinstance(slug, str) and await _slug_taken(
            session, article.source_id, slug, article.id
        ):
            p.add(_input("slug"), f"Another article of this source has the slug {slug!r}.")
        tags = (
            MISSING
            if isinstance(changes.tags, Missing)
            else _check_tags(p, _input("tags"), changes.tags or [])
        )
        countries = (
            MISSING
            if isinstance(changes.countries, Missing)
            else p.countries(_input("countries"), changes.countries or [])
        )
        language = checked(changes.language, lambda v: p.language(_input("language"), v))
        external_id = checked(
            changes.external_id,
            lambda v: p.text(_input("externalId"), v, max_length=EXTERNAL_ID_MAX),
        )
        if isinstance(external_id, str) and await _external_id_taken(
            session, article.source_id, external_id, article.id
        ):
            p.add(_input("externalId"), "Another article of this source has this external id.")
        if p:
            return Outcome.failed(p)

        before = await _article_snapshot(session, article)
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
            await _set_authors(session, article.id, authors)
        if not isinstance(tags, Missing):
            await _set_tags(session, article.id, tags)
        if not isinstance(countries, Missing):
            await _set_countries(session, article.id, countries)
        return await _article_written(session, api_key_id, "article.update", article, before)

    return await in_transaction(session, work)


async def publish_article(
    session: AsyncSession, api_key_id: ApiKeyId, article_id: int | None, at: datetime | None
) -> Outcome[Article]:
    """Publish now, or at `at` (in the future: scheduled; readers see it from then on)."""

    async def work() -> Outcome[Article]:
        article = await _locked_article(session, article_id)
        if article is None:
            return Outcome.not_found(("id",), "article")
        p = Problems()
        when = p.aware(("at",), at) if at is not None else None
        if p:
            return Outcome.failed(p)
        now = datetime.now(UTC)
        public = article.status is ArticleStatus.PUBLISHED and article.published_at is not None
        if (
            when is None
            and public
            and article.published_at is not None
            and article.published_at <= now
        ):
            return Outcome(article)  # already public: publishing again keeps its date
        before = await _article_snapshot(session, article)
        article.status = ArticleStatus.PUBLISHED
        article.published_at = when or now
        action = "article.schedule" if article.published_at > now else "article.publish"
        return await _article_written(session, api_key_id, action, article, before)

    return await in_transaction(session, work)


async def unpublish_article(
    session: AsyncSession, api_key_id: ApiKeyId, article_id: int | None
) -> Outcome[Article]:
    """Back to draft (a scheduled publication is cancelled too)."""

    async def work() -> Outcome[Article]:
        article = await _locked_article(session, article_id)
        if article is None:
            return Outcome.not_found(("id",), "article")
        if article.status is ArticleStatus.DRAFT:
            return Outcome(article)
        before = await _article_snapshot(session, article)
        article.status = ArticleStatus.DRAFT
        article.published_at = None
        return await _article_written(session, api_key_id, "article.unpublish", article, before)

    return await in_transaction(session, work)


async def delete_article(
    session: AsyncSession, api_key_id: ApiKeyId, article_id: int | None
) -> Outcome[int]:
    """Delete an article (its byline, tags, countries and newsletter slots go with it)."""

    async def work() -> Outcome[int]:
        article = await _locked_article(session, article_id)
        if article is None:
            return Outcome.not_found(("id",), "article")
        before = await _article_snapshot(session, article)
        await audit.record(
            session,
            api_key_id=api_key_id,
            action="article.delete",
            entity=article,
            before=before,
            after=None,
        )
        # The database cascades to byline, tags, countries and newsletter slots.
        await session.execute(delete(Article).where(Article.id == article.id))
        return Outcome(article.id)

    return await in_transaction(session, work)


# --- Newsletter issues -------------------------------------------------------------------------


@dataclass(frozen=True)
class IssueItemData:
    article_id: int | None  # None: the client's id did not name an article
    blurb: str | None = None


@dataclass(frozen=True)
class IssueData:
    newsletter: str  # slug
    date: date
    title: str
    items: Sequence[IssueItemData]
    intro: str | None = None


async def create_newsletter_issue(
    session: AsyncSession, api_key_id: ApiKeyId, data: IssueData
) -> Outcome[NewsletterIssue]:
    """An unpublished issue with its items in the order given (drafts may be included: readers
    see an item once its article is published)."""

    async def work() -> Outcome[NewsletterIssue]:
        p = Problems()
        newsletter = await session.scalar(
            select(Newsletter).where(Newsletter.slug == data.newsletter.strip())
        )
        if newsletter is None:
            p.add(
                _input("newsletter"),
                f"No newsletter with slug {data.newsletter.strip()!r}.",
                NOT_FOUND,
            )
        elif await session.scalar(
            select(NewsletterIssue.id).where(
                NewsletterIssue.newsletter_id == newsletter.id, NewsletterIssue.date == data.date
            )
        ):
            p.add(
                _input("date"),
                f"{newsletter.name} already has an issue for {data.date.isoformat()}.",
            )
        title = p.text(_input("title"), data.title, required=True, max_length=ISSUE_TITLE_MAX)
        intro = p.text(_input("intro"), data.intro, max_length=INTRO_MAX)
        items = data.items
        if len(items) > MAX_ISSUE_ITEMS:
            p.add(_input("items"), f"At most {MAX_ISSUE_ITEMS} items.")
            items = []
        known = set(
            (
                await session.scalars(
                    select(Article.id).where(
                        Article.id.in_(
                            [item.article_id for item in items if item.article_id is not None]
                        )
                    )
                )
            ).all()
        )
        seen: set[int] = set()
        blurbs: list[str | None] = []
        for index, item in enumerate(items):
            if item.article_id is None or item.article_id not in known:
                p.add(_input("items", index, "article"), "No article with this id.", NOT_FOUND)
            elif item.article_id in seen:
                p.add(_input("items", index, "article"), "This article is already in the issue.")
            else:
                seen.add(item.article_id)
            blurbs.append(p.text(_input("items", index, "blurb"), item.blurb, max_length=BLURB_MAX))
        if p or newsletter is None:
            return Outcome.failed(p)

        issue = NewsletterIssue(
            newsletter_id=newsletter.id, date=data.date, title=title, intro=intro
        )
        await _save(session, issue)
        session.add_all(
            NewsletterItem(
                issue_id=issue.id, position=position, article_id=item.article_id, blurb=blurb
            )
            for position, (item, blurb) in enumerate(zip(items, blurbs, strict=True), start=1)
        )
        await session.flush()
        await audit.record(
            session,
            api_key_id=api_key_id,
            action="newsletter_issue.create",
            entity=issue,
            before=None,
            after=audit.snapshot(
                issue,
                items=[
                    {"article_id": item.article_id, "blurb": b}
                    for item, b in zip(items, blurbs, strict=True)
                ],
            ),
        )
        return Outcome(issue)

    return await in_transaction(session, work)


async def publish_newsletter_issue(
    session: AsyncSession, api_key_id: ApiKeyId, issue_id: int | None
) -> Outcome[NewsletterIssue]:
    """Publish an issue now (publishing a published issue changes nothing)."""

    async def work() -> Outcome[NewsletterIssue]:
        issue = None
        if issue_id is not None:
            issue = await session.scalar(
                select(NewsletterIssue)
                .where(NewsletterIssue.id == issue_id)
                .with_for_update()
                .execution_options(populate_existing=True)
            )
        if issue is None:
            return Outcome.not_found(("id",), "newsletter issue")
        now = datetime.now(UTC)
        if issue.published_at is not None and issue.published_at <= now:
            return Outcome(issue)
        before = audit.snapshot(issue)
        issue.published_at = now
        await _save(session, issue)
        await audit.record(
            session,
            api_key_id=api_key_id,
            action="newsletter_issue.publish",
            entity=issue,
            before=before,
            after=audit.snapshot(issue),
        )
        return Outcome(issue)

    return await in_transaction(session, work)
