"""Importing parsed entries: each in a transaction of its own, through the write services.

An entry is new (created, then published at its feed time: a future time schedules it),
updated (its content changed: the story is re-imported by `(source, externalId)`, its status
kept), unchanged (the same digest as last time: nothing is written, so a second run changes
nothing), or skipped with a reason (the write services refused it, it repeats an id earlier in
the same feed, or the desk deleted the story it became). A refused entry rolls back whole:
never half-imported.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from api.content import slugify
from api.database import SessionFactory, open_session
from api.ingest.entries import Entry, ParsedFeed, Skipped
from api.models import Article, Author
from api.models_partners import IngestedEntry
from api.services.articles import create_article
from api.services.outcome import Outcome
from api.services.publishing import publish_article
from api.transactions import transaction
from api.visibility import EVERYTHING

NEW, UPDATED, UNCHANGED, DELETED = "new", "updated", "unchanged", "deleted"


@dataclass
class Summary:
    """What one run did."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    not_modified: bool = False
    warning: str | None = None

    def describe(self) -> str:
        if self.not_modified:
            return "not modified since the last fetch"
        text = (
            f"{self.new} new, {self.updated} updated, {self.unchanged} unchanged, "
            f"{len(self.skipped)} skipped"
        )
        return f"{text} ({self.warning})" if self.warning else text


async def _author_slugs(session: AsyncSession, names: tuple[str, ...]) -> list[str]:
    wanted = [slug for slug in (slugify(name) for name in names) if slug]
    if not wanted:
        return []
    found = set((await session.scalars(select(Author.slug).where(Author.slug.in_(wanted)))).all())
    return [slug for slug in dict.fromkeys(wanted) if slug in found]


async def import_entry(session: AsyncSession, source_id: int, entry: Entry) -> Outcome[str]:
    """Create, update or leave one entry's story (a write for api/transactions.py)."""
    seen = await session.scalar(
        select(IngestedEntry)
        .where(IngestedEntry.source_id == source_id)
        .where(IngestedEntry.external_id == entry.external_id)
        .with_for_update()
    )
    if seen is not None and seen.article_id is None:
        return Outcome(DELETED)
    if seen is not None and seen.digest == entry.digest:
        return Outcome(UNCHANGED)
    existing = await session.scalar(
        select(Article.id).where(
            Article.source_id == source_id, Article.external_id == entry.external_id
        )
    )
    data = replace(entry.article, authors=await _author_slugs(session, entry.author_names))
    written = await create_article(session, None, data)
    if written.errors or written.value is None:
        return Outcome(errors=written.errors)
    article = written.value
    if existing is None:
        published = await publish_article(session, None, article.id, entry.published_at)
        if published.errors:
            return Outcome(errors=published.errors)
    await session.execute(
        insert(IngestedEntry)
        .values(
            source_id=source_id,
            external_id=entry.external_id,
            article_id=article.id,
            digest=entry.digest,
            updated_at=datetime.now(UTC),
        )
        .on_conflict_do_update(
            index_elements=[IngestedEntry.source_id, IngestedEntry.external_id],
            set_={
                "article_id": article.id,
                "digest": entry.digest,
                "updated_at": datetime.now(UTC),
            },
        )
    )
    return Outcome(NEW if existing is None else UPDATED)


def _reason(outcome: Outcome[str]) -> str:
    return "; ".join(
        f"{'.'.join(str(part) for part in error.path[1:]) or 'entry'}: {error.message}"
        for error in outcome.errors
    )


async def import_entries(sessions: SessionFactory, source_id: int, parsed: ParsedFeed) -> Summary:
    """Import every entry of `parsed`, one transaction each."""
    summary = Summary(warning=parsed.warning)
    seen_ids: set[str] = set()
    for entry in parsed.entries:
        if isinstance(entry, Skipped):
            summary.skipped.append(entry)
            continue
        if entry.external_id in seen_ids:
            summary.skipped.append(
                Skipped(entry.external_id, "the same id appears earlier in the feed")
            )
            continue
        seen_ids.add(entry.external_id)
        async with open_session(sessions, EVERYTHING) as session:
            outcome = await transaction(session, import_entry, source_id, entry)
        if outcome.errors:
            summary.skipped.append(Skipped(entry.external_id, _reason(outcome)))
        elif outcome.value == DELETED:
            summary.skipped.append(Skipped(entry.external_id, "the desk deleted this story"))
        elif outcome.value == NEW:
            summary.new += 1
        elif outcome.value == UPDATED:
            summary.updated += 1
        else:
            summary.unchanged += 1
    return summary
