"""The content model: SQLAlchemy 2 typed declarative models for everything the API exposes.

Conventions: bigint identity primary keys, timestamps with time zone in UTC, one naming
convention for every constraint and index (so alembic names are stable), and the indexes that
make keyset feeds cheap. Visibility (what readers may see) is not decided here but in
`api.visibility`.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Computed,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Identity,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSVECTOR
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Weighted document for full-text search: headline > dek > body. A generated column, so the
# database keeps it current on every write, whoever writes. Its planner statistics are finer
# than the default (alembic/versions/0006_search_statistics.py) so rare words look rare.
SEARCH_VECTOR_SQL = (
    "setweight(to_tsvector('english'::regconfig, coalesce(headline, '')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(dek, '')), 'B') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(body_text, '')), 'C')"
)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: DateTime(timezone=True)}


def max_length(column: Any) -> int:
    """The length a String column holds: input limits are read from the model, not restated."""
    length = column.property.columns[0].type.length
    assert isinstance(length, int), f"{column} has no length"
    return length


def _pk() -> Mapped[int]:
    return mapped_column(BigInteger, Identity(always=False), primary_key=True)


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())


class Listed:
    """A catalogue entry readers see only once visible content uses it, unless it is `listed`
    on purpose (site structure, a staff byline). `visible_from` is kept by
    api/services/listing.py: when the first published story using it appears (readers see the
    entry from then on; a scheduled story's time counts), or the epoch for a listed entry; null
    while only drafts use it, so an embargoed story's new tag or byline does not leak it."""

    listed: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    visible_from: Mapped[datetime | None] = mapped_column()


class ArticleStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class SubscriptionStatus(enum.StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    UNSUBSCRIBED = "unsubscribed"


class Image(Base):
    """A picture: article lead image, source logo or author avatar."""

    __tablename__ = "images"

    id: Mapped[int] = _pk()
    url: Mapped[str] = mapped_column(String(2048))
    caption: Mapped[str | None] = mapped_column(Text)
    credit: Mapped[str | None] = mapped_column(String(300))
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)


class Source(Timestamped, Base):
    """A publication in the network (The Korea Herald, The Daily Star, ...)."""

    __tablename__ = "sources"

    id: Mapped[int] = _pk()
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(String(2048))
    country: Mapped[str | None] = mapped_column(String(2))
    language: Mapped[str] = mapped_column(String(35), server_default="en")
    logo_id: Mapped[int | None] = mapped_column(ForeignKey("images.id", ondelete="SET NULL"))


class Section(Listed, Timestamped, Base):
    """A section of the site (Diplomacy, Economy, ...); sections nest."""

    __tablename__ = "sections"

    id: Mapped[int] = _pk()
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("sections.id", ondelete="RESTRICT"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, server_default="0")


class Author(Listed, Timestamped, Base):
    """A byline: a person or an organisation, optionally affiliated with a source."""

    __tablename__ = "authors"

    id: Mapped[int] = _pk()
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    bio: Mapped[str | None] = mapped_column(Text)
    is_organization: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    source_id: Mapped[int | None] = mapped_column(
        ForeignKey("sources.id", ondelete="SET NULL"), index=True
    )
    avatar_id: Mapped[int | None] = mapped_column(ForeignKey("images.id", ondelete="SET NULL"))


class Tag(Listed, Base):
    __tablename__ = "tags"

    id: Mapped[int] = _pk()
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(200))


class Article(Timestamped, Base):
    """A story. Visible to readers when published and `published_at` has passed."""

    __tablename__ = "articles"
    __table_args__ = (
        UniqueConstraint("source_id", "slug"),
        UniqueConstraint("source_id", "external_id"),
        CheckConstraint("status = 'draft' OR published_at IS NOT NULL", name="published_has_date"),
        CheckConstraint("reading_time_minutes >= 0", name="reading_time_non_negative"),
        # Keyset feeds: the front page, and per section / source.
        Index(
            "ix_articles_feed",
            text("published_at DESC"),
            text("id DESC"),
            postgresql_where=text("status = 'published'"),
        ),
        Index(
            "ix_articles_section_feed",
            "section_id",
            text("published_at DESC"),
            text("id DESC"),
            postgresql_where=text("status = 'published'"),
        ),
        Index(
            "ix_articles_source_feed",
            "source_id",
            text("published_at DESC"),
            text("id DESC"),
            postgresql_where=text("status = 'published'"),
        ),
        Index("ix_articles_search_vector", "search_vector", postgresql_using="gin"),
    )

    id: Mapped[int] = _pk()
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="RESTRICT"))
    section_id: Mapped[int] = mapped_column(ForeignKey("sections.id", ondelete="RESTRICT"))
    slug: Mapped[str] = mapped_column(String(200))
    external_id: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[ArticleStatus] = mapped_column(
        Enum(
            ArticleStatus,
            name="article_status",
            values_callable=lambda e: [m.value for m in e],
        ),
        server_default=ArticleStatus.DRAFT.value,
    )
    published_at: Mapped[datetime | None] = mapped_column()
    headline: Mapped[str] = mapped_column(String(300))
    dek: Mapped[str | None] = mapped_column(String(600))
    body_html: Mapped[str] = mapped_column(Text)
    body_text: Mapped[str] = mapped_column(Text)
    excerpt: Mapped[str] = mapped_column(String(300))
    language: Mapped[str] = mapped_column(String(35))
    url: Mapped[str] = mapped_column(String(2048))
    image_id: Mapped[int | None] = mapped_column(ForeignKey("images.id", ondelete="SET NULL"))
    reading_time_minutes: Mapped[int] = mapped_column(Integer, server_default="1")
    search_vector: Mapped[Any] = mapped_column(
        TSVECTOR, Computed(SEARCH_VECTOR_SQL, persisted=True), deferred=True
    )

    author_links: Mapped[list[ArticleAuthor]] = relationship(
        order_by="ArticleAuthor.position", cascade="all, delete-orphan", lazy="raise"
    )


class ArticleAuthor(Base):
    """An author on an article's byline, in byline order."""

    __tablename__ = "article_authors"
    __table_args__ = (
        UniqueConstraint("article_id", "position"),
        # The author feed: join from an author to their articles.
        Index("ix_article_authors_author_id_article_id", "author_id", "article_id"),
    )

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    author_id: Mapped[int] = mapped_column(
        ForeignKey("authors.id", ondelete="RESTRICT"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer)


class ArticleTag(Base):
    __tablename__ = "article_tags"
    __table_args__ = (Index("ix_article_tags_tag_id_article_id", "tag_id", "article_id"),)

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True)


class ArticleCountry(Base):
    """An ISO 3166-1 alpha-2 country a story is about."""

    __tablename__ = "article_countries"
    __table_args__ = (
        Index("ix_article_countries_country_article_id", "country", "article_id"),
        CheckConstraint("country ~ '^[A-Z]{2}$'", name="country_is_iso_alpha2"),
    )

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    country: Mapped[str] = mapped_column(String(2), primary_key=True)


class Newsletter(Timestamped, Base):
    __tablename__ = "newsletters"

    id: Mapped[int] = _pk()
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)


class NewsletterIssue(Timestamped, Base):
    """One day's issue of a newsletter; unpublished while `published_at` is null."""

    __tablename__ = "newsletter_issues"
    __table_args__ = (UniqueConstraint("newsletter_id", "date"),)

    id: Mapped[int] = _pk()
    newsletter_id: Mapped[int] = mapped_column(ForeignKey("newsletters.id", ondelete="CASCADE"))
    date: Mapped[date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(300))
    intro: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime | None] = mapped_column()


class NewsletterItem(Base):
    """A story in an issue, in editorial order, with the editor's blurb."""

    __tablename__ = "newsletter_items"
    __table_args__ = (UniqueConstraint("issue_id", "article_id"),)

    issue_id: Mapped[int] = mapped_column(
        ForeignKey("newsletter_issues.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    blurb: Mapped[str | None] = mapped_column(Text)


class NewsletterSubscriber(Base):
    """A double opt-in subscription; tokens are stored hashed."""

    __tablename__ = "newsletter_subscribers"
    __table_args__ = (UniqueConstraint("newsletter_id", "email"),)

    id: Mapped[int] = _pk()
    newsletter_id: Mapped[int] = mapped_column(ForeignKey("newsletters.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(320))
    status: Mapped[SubscriptionStatus] = mapped_column(
        Enum(
            SubscriptionStatus,
            name="subscription_status",
            values_callable=lambda e: [m.value for m in e],
        ),
        server_default=SubscriptionStatus.PENDING.value,
    )
    confirmation_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    unsubscribe_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    consented_at: Mapped[datetime] = mapped_column()
    confirmed_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class ApiKey(Base):
    """An API key. Only a hash of the secret is stored; the prefix finds the row."""

    __tablename__ = "api_keys"

    id: Mapped[int] = _pk()
    name: Mapped[str] = mapped_column(String(120), unique=True)
    prefix: Mapped[str] = mapped_column(String(32), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(128))
    scopes: Mapped[list[str]] = mapped_column(ARRAY(String(40)))
    rate_limit_per_minute: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    last_used_at: Mapped[datetime | None] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()


class AuditEntry(Base):
    """Who changed what: one row per write, with the entity before and after."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_entity", "entity_type", "entity_id"),)

    id: Mapped[int] = _pk()
    api_key_id: Mapped[int | None] = mapped_column(
        ForeignKey("api_keys.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[str] = mapped_column(String(60))
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int | None] = mapped_column(BigInteger)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
