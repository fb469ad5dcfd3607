"""The demo newsroom's articles as plain data: the seed page's stories, generated ones, the desk.

Planning is pure: the same random generator gives the same articles, before any database is
involved. The seed stories come from `seed_page`; about ten generated stories per paper fill
August and September 2018 around them; a few hand-written drafts and scheduled stories (from
`data/desk.toml`) sit on the desk. `newsroom` writes the plan to the database.
"""

from __future__ import annotations

import functools
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from api.content import slugify
from api.demo.loader import Entry, entries
from api.demo.network import CDN, PERSONS, SECTIONS, SOURCE_BY_SLUG, SOURCES, PersonSpec, SourceSpec
from api.demo.seed_page import SeedStory
from api.demo.storylines import COUNTRIES, NETWORK_COUNTRIES, compose_story, topics_for
from api.models import ArticleStatus

FIRST_DAY = date(2018, 8, 1)
LAST_DAY = date(2018, 9, 26)  # the newest story on the seed page
STORIES_PER_SOURCE = 10
# Drafts were written, and scheduled stories queued, the day after the last issue.
DESK_TIME = datetime(2018, 9, 27, 9, 30, tzinfo=UTC)
# Scheduled stories are "in the future" without depending on the clock: far enough ahead that
# every test run and demo sees them as scheduled, fixed so that reloading is a no-op.
SCHEDULE_START = datetime(2099, 1, 1, 1, 0, tzinfo=UTC)


@dataclass(frozen=True)
class PlannedImage:
    """An image row; the demo knows its images by URL."""

    url: str
    caption: str | None
    credit: str | None
    width: int
    height: int


@dataclass(frozen=True)
class PlannedArticle:
    """One article row and its links, keyed by (source, external_id)."""

    source: str
    section: str
    external_id: str
    slug: str
    headline: str
    dek: str | None
    paragraphs: tuple[str, ...]
    status: ArticleStatus
    published_at: datetime | None
    created_at: datetime
    updated_at: datetime
    authors: tuple[str, ...]  # author slugs, byline order
    tags: tuple[str, ...]
    countries: tuple[str, ...]
    image: PlannedImage | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.source, self.external_id)

    @property
    def url(self) -> str:
        source = SOURCE_BY_SLUG[self.source]
        day = (self.published_at or self.created_at).strftime("%Y/%m/%d")
        return f"{source.url}/{self.section}/{day}/{self.slug}"


@dataclass(frozen=True)
class DeskStory:
    """A hand-written story that is not published yet (draft or scheduled)."""

    source: str
    section: str
    byline: str  # author name
    headline: str
    dek: str
    paragraphs: tuple[str, ...]
    tags: tuple[str, ...]
    countries: tuple[str, ...]


def _desk_story(entry: Entry) -> DeskStory:
    return DeskStory(
        source=entry.text("source"),
        section=entry.text("section"),
        byline=entry.text("byline"),
        headline=entry.text("headline"),
        dek=entry.text("dek"),
        paragraphs=entry.paragraphs("paragraphs"),
        tags=entry.texts("tags"),
        countries=entry.texts("countries"),
    )


DRAFTS: tuple[DeskStory, ...] = entries("desk.toml", "draft", _desk_story)
SCHEDULED: tuple[DeskStory, ...] = entries("desk.toml", "scheduled", _desk_story)

DRAFT_SLUGS: tuple[str, ...] = tuple(slugify(story.headline) for story in DRAFTS)
SCHEDULED_SLUGS: tuple[str, ...] = tuple(slugify(story.headline) for story in SCHEDULED)


def organisation_slug(source: SourceSpec) -> str:
    """The author slug of a paper's staff byline ("daily-star" for The Daily Star)."""
    return slugify(source.byline)


def person_slug(person: PersonSpec) -> str:
    """The author slug of a reporter ("cod-satrusayang")."""
    return slugify(person.name)


@functools.cache
def _author_slug_by_name() -> dict[str, str]:
    names = {source.byline: organisation_slug(source) for source in SOURCES}
    names.update({person.name: person_slug(person) for person in PERSONS})
    return names


def _section_family(slug: str) -> set[str]:
    parent = {s.slug: s.parent for s in SECTIONS}[slug]
    return {slug, parent} if parent else {slug}


def seed_article(story: SeedStory) -> PlannedArticle:
    """A seed-page story as the paper that ran it published it."""
    image = None
    if story.image_caption:
        image = PlannedImage(
            url=f"{CDN}/images/{story.source_slug}/{story.external_id}.jpg",
            caption=story.image_caption,
            credit=SOURCE_BY_SLUG[story.source_slug].name,
            width=1200,
            height=800,
        )
    return PlannedArticle(
        source=story.source_slug,
        section=story.section_slug,
        external_id=story.external_id,
        slug=slugify(story.headline),
        headline=story.headline,
        dek=story.dek,
        paragraphs=story.paragraphs,
        status=ArticleStatus.PUBLISHED,
        published_at=story.published_at,
        created_at=story.published_at,
        updated_at=story.updated_at,
        authors=(_author_slug_by_name()[story.byline],),
        tags=story.tags,
        countries=story.countries,
        image=image,
    )


def desk_article(story: DeskStory, index: int, published_at: datetime | None) -> PlannedArticle:
    """A desk story: a draft when `published_at` is None, else scheduled for then."""
    source = SOURCE_BY_SLUG[story.source]
    status = ArticleStatus.DRAFT if published_at is None else ArticleStatus.PUBLISHED
    kind = "draft" if published_at is None else "sched"
    return PlannedArticle(
        source=story.source,
        section=story.section,
        external_id=f"{source.id_prefix}-{kind}-{index + 1:03d}",
        slug=slugify(story.headline),
        headline=story.headline,
        dek=story.dek,
        paragraphs=story.paragraphs,
        status=status,
        published_at=published_at,
        created_at=DESK_TIME,
        updated_at=DESK_TIME,
        authors=(_author_slug_by_name()[story.byline],),
        tags=story.tags,
        countries=story.countries,
    )


def _choose_authors(rng: random.Random, source: SourceSpec, section: str) -> tuple[str, ...]:
    """A plausible byline: the paper's staff byline, its beat reporter, or two reporters."""
    staff = [p for p in PERSONS if p.source == source.slug]
    roll = rng.random()
    if not staff or roll < 0.25:
        return (organisation_slug(source),)
    family = _section_family(section)
    on_beat = [p for p in staff if p.beat in family]
    lead = on_beat[0] if on_beat else rng.choice(staff)
    if roll > 0.88 and len(staff) > 1:
        second = next(p for p in staff if p is not lead)
        return (person_slug(lead), person_slug(second))
    return (person_slug(lead),)


def published(article: PlannedArticle) -> datetime:
    """When a published (or scheduled) article goes out."""
    assert article.published_at is not None, article.key
    return article.published_at


def generated_articles(rng: random.Random, seeds: Sequence[PlannedArticle]) -> list[PlannedArticle]:
    """About ten stories per paper, spread evenly over August and September 2018."""
    days = (LAST_DAY - FIRST_DAY).days + 1
    slots = [(source, n) for source in SOURCES for n in range(STORIES_PER_SOURCE)]
    rng.shuffle(slots)
    used_topics: dict[str, set[str]] = defaultdict(set)
    # Headlines are unique across the whole demo, not only per paper: readers (and search
    # results) should never see two different stories under one headline.
    used_slugs = {seed.slug for seed in seeds} | set(DRAFT_SLUGS) | set(SCHEDULED_SLUGS)
    # Per paper and day, the next free number for the paper's own article id.
    per_day: dict[tuple[str, date], int] = defaultdict(int)
    for seed in seeds:
        per_day[(seed.source, published(seed).date())] += 1

    articles: list[PlannedArticle] = []
    for index, (source, _) in enumerate(slots):
        day = FIRST_DAY + timedelta(days=index * days // len(slots))
        # The network's own desk writes about any member country; papers about their own.
        if source.slug == "asia-news-network":
            home = COUNTRIES[rng.choice(NETWORK_COUNTRIES)]
        else:
            home = COUNTRIES[source.country]
        candidates = topics_for(home.code, day)
        fresh = [t for t in candidates if t.key not in used_topics[source.slug]]
        for _attempt in range(20):
            topic = rng.choice(fresh or candidates)
            story = compose_story(rng, topic, home, day)
            slug = slugify(story.headline)
            if slug not in used_slugs:
                break
        else:
            raise RuntimeError(f"no fresh headline for {source.slug} on {day}")
        used_topics[source.slug].add(topic.key)
        used_slugs.add(slug)
        per_day[(source.slug, day)] += 1
        external_id = f"{source.id_prefix}-{day:%Y-%m%d}-{per_day[(source.slug, day)]:03d}"
        published_at = datetime.combine(day, time(rng.randrange(0, 14), rng.randrange(60)), UTC)
        image = None
        if rng.random() < 0.7:
            image = PlannedImage(
                url=f"{CDN}/images/{source.slug}/{external_id}.jpg",
                caption=story.image_caption,
                credit=source.name,
                width=1200,
                height=rng.choice((675, 800)),
            )
        articles.append(
            PlannedArticle(
                source=source.slug,
                section=story.section,
                external_id=external_id,
                slug=slug,
                headline=story.headline,
                dek=story.dek,
                paragraphs=story.paragraphs,
                status=ArticleStatus.PUBLISHED,
                published_at=published_at,
                created_at=published_at,
                updated_at=published_at,
                authors=_choose_authors(rng, source, story.section),
                tags=story.tags,
                countries=story.countries,
                image=image,
            )
        )
    return articles
