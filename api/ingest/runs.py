"""One ingest run: fetch (or read) a feed, parse it, import its entries, remember validators.

`ingest` is `broadsheet ingest URL_OR_FILE --source SLUG [--section SLUG]`; `poll` is the
worker's run of a feed configured on a source (api/ingest/polling.py). A URL configured on the
source is fetched conditionally with the ETag / Last-Modified of its last run either way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from api.database import SessionFactory, open_session
from api.ingest.entries import NotAFeed, parse_feed
from api.ingest.fetching import FetchFailed, FetchLimits, fetch, is_url, read_file
from api.ingest.importer import Summary, import_entries
from api.ingest.sources import configured_feed
from api.models import Section, Source
from api.models_partners import SourceFeed
from api.services.outcome import Outcome
from api.settings import Settings
from api.transactions import transaction
from api.visibility import EVERYTHING

RESULT_MAX = 500


class IngestFailed(Exception):
    """The run imported nothing; the message says why."""


@dataclass(frozen=True)
class Destination:
    source_id: int
    source_slug: str
    section_slug: str
    feed: SourceFeed | None  # when the location is a feed configured on the source


def limits_from(settings: Settings) -> FetchLimits:
    return FetchLimits(
        max_bytes=settings.broadsheet_ingest_max_bytes,
        timeout_seconds=settings.broadsheet_ingest_timeout_seconds,
        allow_private=settings.broadsheet_allow_private_targets,
    )


async def _destination(
    session: AsyncSession, location: str, source_slug: str, section_slug: str | None
) -> Destination:
    source = await session.scalar(select(Source).where(Source.slug == source_slug))
    if source is None:
        raise IngestFailed(f"no source with slug {source_slug!r}")
    configured = None
    if is_url(location):
        configured = await configured_feed(session, source_id=source.id, url=location)
    if section_slug is None:
        if configured is None:
            raise IngestFailed("say which section the stories go in (--section)")
        section_slug = configured.section.slug
    elif await session.scalar(select(Section.id).where(Section.slug == section_slug)) is None:
        raise IngestFailed(f"no section with slug {section_slug!r}")
    return Destination(
        source.id, source.slug, section_slug, configured.feed if configured else None
    )


async def ingest(
    sessions: SessionFactory,
    settings: Settings,
    location: str,
    source_slug: str,
    section_slug: str | None = None,
) -> Summary:
    """Import the feed at `location` (a URL or a file) into `source_slug`'s stories."""
    async with open_session(sessions, EVERYTHING) as session:
        destination = await _destination(session, location, source_slug, section_slug)
    return await _run(sessions, limits_from(settings), location, destination)


async def poll(sessions: SessionFactory, settings: Settings, feed_id: int) -> Summary | None:
    """Run a configured feed (None: it was removed since it was scheduled)."""
    async with open_session(sessions, EVERYTHING) as session:
        configured = await configured_feed(session, feed_id=feed_id)
    if configured is None:
        return None
    destination = Destination(
        configured.source.id, configured.source.slug, configured.section.slug, configured.feed
    )
    return await _run(sessions, limits_from(settings), configured.feed.url, destination)


async def _run(
    sessions: SessionFactory, limits: FetchLimits, location: str, destination: Destination
) -> Summary:
    feed = destination.feed
    try:
        if is_url(location):
            fetched = await fetch(
                location,
                limits,
                feed.etag if feed else None,
                feed.last_modified if feed else None,
            )
        else:
            fetched = read_file(location, limits)
        if fetched.body is None:
            summary = Summary(not_modified=True)
        else:
            parsed = parse_feed(
                fetched.body,
                fetched.content_type,
                destination.source_slug,
                destination.section_slug,
            )
            summary = await import_entries(sessions, destination.source_id, parsed)
    except (FetchFailed, NotAFeed) as failure:
        if feed is not None:
            await _remember(sessions, feed.id, f"failed: {failure}", None, None)
        raise IngestFailed(str(failure)) from None
    if feed is not None:
        validators = (fetched.etag, fetched.last_modified) if fetched.body else (None, None)
        await _remember(sessions, feed.id, summary.describe(), *validators)
    return summary


async def _save_state(
    session: AsyncSession,
    feed_id: int,
    result: str,
    etag: str | None,
    last_modified: str | None,
) -> Outcome[int]:
    values: dict[str, object] = {
        "last_polled_at": datetime.now(UTC),
        "last_result": result[:RESULT_MAX],
    }
    if etag is not None or last_modified is not None:
        values.update(etag=etag and etag[:300], last_modified=last_modified and last_modified[:100])
    await session.execute(update(SourceFeed).where(SourceFeed.id == feed_id).values(**values))
    return Outcome(feed_id)


async def _remember(
    sessions: SessionFactory,
    feed_id: int,
    result: str,
    etag: str | None,
    last_modified: str | None,
) -> None:
    async with open_session(sessions, EVERYTHING) as session:
        await transaction(session, _save_state, feed_id, result, etag, last_modified)
