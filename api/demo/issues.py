"""The "Eastern Briefings" newsletter's daily issues in the demo, planned as plain data.

A fortnight of issues ends on the newest seed-page story's day. Each issue leads with that day's
seed-page stories and adds a random handful from the day and the day before, each under the
editor's line: written by hand for seed stories (`data/newsletter.toml`), else the story's dek
under a country label.
"""

# ruff: noqa: RUF001 -- curly quotes in the issue intros are intended typography.

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from api.demo.articles import LAST_DAY, PlannedArticle, published
from api.demo.loader import Entry, entries, table
from api.demo.network import SOURCE_BY_SLUG
from api.demo.seed_page import SEED_STORIES
from api.demo.storylines import COUNTRIES

_FILE = "newsletter.toml"

ISSUE_DAYS = 14  # daily newsletter issues, ending on LAST_DAY
ISSUE_HOUR = time(22, 0, tzinfo=UTC)  # issues go out after the day's stories are in


def _newsletter(entry: Entry) -> tuple[str, str, str]:
    return entry.text("slug"), entry.text("name"), entry.text("description")


def _seed_blurb(entry: Entry) -> tuple[str, str | None]:
    return entry.text("external_id"), entry.optional_text("blurb")


NEWSLETTER_SLUG, NEWSLETTER_NAME, NEWSLETTER_DESCRIPTION = table(_FILE, "newsletter", _newsletter)
# The editor's lines for seed stories that appear in newsletter issues, by external id; None
# means no line of its own, so readers see the story's excerpt.
SEED_BLURBS: dict[str, str | None] = dict(entries(_FILE, "seed_blurb", _seed_blurb))


@dataclass(frozen=True)
class PlannedItem:
    """A newsletter item; a None blurb means readers see the article's excerpt."""

    article: tuple[str, str]  # (source slug, external id)
    blurb: str | None


@dataclass(frozen=True)
class PlannedIssue:
    """One day's newsletter issue, its items in editorial order."""

    date: date
    title: str
    intro: str
    published_at: datetime
    items: tuple[PlannedItem, ...]


def _issue_intro(items: Sequence[PlannedArticle]) -> str:
    lead = items[0]
    lead_paper = SOURCE_BY_SLUG[lead.source].name
    intro = f"Today’s briefing leads with {lead_paper}: “{lead.headline}”."
    others = sorted({SOURCE_BY_SLUG[a.source].name for a in items[1:]} - {lead_paper})
    if others:
        names = others[0] if len(others) == 1 else f"{', '.join(others[:-1])} and {others[-1]}"
        intro += f" Also in this issue: reporting from {names}."
    return intro


def _blurb(article: PlannedArticle) -> str | None:
    """The editor's line: written by hand for seed stories, else the dek under a country label."""
    if article.external_id in SEED_BLURBS:
        return SEED_BLURBS[article.external_id]
    if article.dek is None:
        return None
    country = COUNTRIES[article.countries[0]].name
    return f"{country[:1].upper()}{country[1:]}: {article.dek}"


def plan_issues(rng: random.Random, articles: Sequence[PlannedArticle]) -> list[PlannedIssue]:
    """The fortnight of daily issues, oldest first, drawn from the published `articles`."""
    by_day: dict[date, list[PlannedArticle]] = defaultdict(list)
    for article in articles:
        by_day[published(article).date()].append(article)
    seeds = {story.external_id for story in SEED_STORIES}
    issues: list[PlannedIssue] = []
    for offset in range(ISSUE_DAYS - 1, -1, -1):
        day = LAST_DAY - timedelta(days=offset)
        # The day's seed-page stories lead; the rest come from that day and the day before.
        leads = sorted((a for a in by_day[day] if a.external_id in seeds), key=published)
        pool = sorted(
            (
                a
                for a in by_day[day] + by_day[day - timedelta(days=1)]
                if a.external_id not in seeds
            ),
            key=lambda a: (published(a), a.external_id),
        )
        extra = rng.sample(pool, min(len(pool), rng.randint(5, 7) - len(leads)))
        chosen = leads + sorted(extra, key=lambda a: (a.section, a.external_id))
        items = tuple(
            # Every fourth item goes out without a blurb of its own: readers get the excerpt.
            PlannedItem(a.key, None if position % 4 == 3 else _blurb(a))
            for position, a in enumerate(chosen)
        )
        issues.append(
            PlannedIssue(
                date=day,
                title=f"{NEWSLETTER_NAME} — {day.day} {day:%B %Y}",
                intro=_issue_intro(chosen),
                published_at=datetime.combine(day, ISSUE_HOUR),
                items=items,
            )
        )
    return issues
