"""The feeds configured on sources: which URL to poll and which section its stories go into."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.models import Section, Source
from api.models_partners import SourceFeed
from api.services import audit
from api.services.outcome import Outcome
from api.services.rows import save
from api.services.validation import NOT_FOUND, Problems
from api.webhooks.addresses import ForbiddenTarget, parse_target_url

URL_MAX = 2048


@dataclass(frozen=True)
class ConfiguredFeed:
    feed: SourceFeed
    source: Source
    section: Section


async def add_feed(
    session: AsyncSession, source_slug: str, url: str, section_slug: str, allow_private: bool
) -> Outcome[SourceFeed]:
    """Poll `url` for `source`'s stories, filed under `section` (adding it twice is refused)."""
    p = Problems()
    source = await session.scalar(select(Source).where(Source.slug == source_slug))
    if source is None:
        p.add(("source",), f"No source with slug {source_slug!r}.", NOT_FOUND)
    section = await session.scalar(select(Section).where(Section.slug == section_slug))
    if section is None:
        p.add(("section",), f"No section with slug {section_slug!r}.", NOT_FOUND)
    cleaned = p.url(("url",), url, required=True, max_length=URL_MAX)
    if cleaned is not None:
        try:
            parse_target_url(cleaned, allow_private=allow_private)
        except ForbiddenTarget as refused:
            p.add(("url",), str(refused))
    if source is not None and cleaned is not None:
        taken = await session.scalar(
            select(SourceFeed.id).where(
                SourceFeed.source_id == source.id, SourceFeed.url == cleaned
            )
        )
        if taken is not None:
            p.add(("url",), f"{source.name} already has this feed (id {taken}).")
    if p or source is None or section is None or cleaned is None:
        return Outcome.failed(p)
    feed = SourceFeed(source_id=source.id, section_id=section.id, url=cleaned)
    await save(session, feed)
    await audit.record(
        session,
        api_key_id=None,
        action="source_feed.create",
        entity=feed,
        before=None,
        after=audit.snapshot(feed),
    )
    return Outcome(feed)


async def remove_feed(session: AsyncSession, feed_id: int) -> Outcome[int]:
    """Stop polling a feed (what it imported stays)."""
    feed = await session.get(SourceFeed, feed_id)
    if feed is None:
        return Outcome.not_found(("id",), "feed")
    await audit.record(
        session,
        api_key_id=None,
        action="source_feed.delete",
        entity=feed,
        before=audit.snapshot(feed),
        after=None,
    )
    await session.delete(feed)
    await session.flush()
    return Outcome(feed_id)


async def configured_feeds(session: AsyncSession) -> list[ConfiguredFeed]:
    statement = (
        select(SourceFeed, Source, Section)
        .join(Source, Source.id == SourceFeed.source_id)
        .join(Section, Section.id == SourceFeed.section_id)
        .order_by(Source.slug, SourceFeed.id)
    )
    return [ConfiguredFeed(*row) for row in (await session.execute(statement)).all()]


async def configured_feed(
    session: AsyncSession,
    *,
    feed_id: int | None = None,
    source_id: int | None = None,
    url: str | None = None,
) -> ConfiguredFeed | None:
    """A feed by id, or by its source and URL."""
    statement = (
        select(SourceFeed, Source, Section)
        .join(Source, Source.id == SourceFeed.source_id)
        .join(Section, Section.id == SourceFeed.section_id)
    )
    if feed_id is not None:
        statement = statement.where(SourceFeed.id == feed_id)
    else:
        statement = statement.where(SourceFeed.source_id == source_id, SourceFeed.url == url)
    row = (await session.execute(statement)).one_or_none()
    return ConfiguredFeed(*row) if row is not None else None
