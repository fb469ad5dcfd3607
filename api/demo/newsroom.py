"""The demo newsroom: the Eastern Briefings page's stories in a small, believable news network.

`seed_demo` loads, into the session it is given, 22 Asia News Network papers, the site's
sections, staff and organisation bylines, the seven Diplomacy stories from the seed page
(verbatim), a few hundred generated stories from August and September 2018 around them, a few
drafts and scheduled stories, and the "Eastern Briefings" newsletter with a fortnight of daily
issues. Everything is deterministic (fixed dates, a fixed random seed) and written as upserts on
natural keys, so loading twice changes nothing. The caller owns the transaction.
"""

# ruff: noqa: RUF001 -- curly apostrophes in headlines and blurbs are intended typography.

from __future__ import annotations

import functools
import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    String,
    Table,
    column,
    delete,
    func,
    insert,
    select,
    tuple_,
    update,
    values,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase

from api.content import (
    html_to_text,
    make_excerpt,
    paragraphs_to_html,
    reading_time_minutes,
    sanitize_html,
    slugify,
)
from api.demo.network import (
    CDN,
    PERSONS,
    SECTIONS,
    SOURCE_BY_SLUG,
    SOURCES,
    TAGS,
    PersonSpec,
    SourceSpec,
    organisation_bio,
)
from api.demo.seed_page import LEAD_STORY, NEWSLETTER_DESCRIPTION, SEED_STORIES, SeedStory
from api.demo.storylines import COUNTRIES, NETWORK_COUNTRIES, compose_story, topics_for
from api.models import (
    Article,
    ArticleAuthor,
    ArticleCountry,
    ArticleStatus,
    ArticleTag,
    Author,
    Image,
    Newsletter,
    NewsletterIssue,
    NewsletterItem,
    Section,
    Source,
    Tag,
)

__all__ = [
    "DRAFT_SLUGS",
    "LEAD_STORY_SLUG",
    "NEWSLETTER_SLUG",
    "SCHEDULED_SLUGS",
    "SEED_STORIES",
    "SeedStory",
    "build_newsroom",
    "seed_demo",
]

NEWSLETTER_SLUG = "eastern-briefings"
NEWSLETTER_NAME = "Eastern Briefings"
LEAD_STORY_SLUG = slugify(LEAD_STORY.headline)

RANDOM_SEED = 20180830
FIRST_DAY = date(2018, 8, 1)
LAST_DAY = date(2018, 9, 26)  # the newest story on the seed page
STORIES_PER_SOURCE = 10
ISSUE_DAYS = 14  # daily newsletter issues, ending on LAST_DAY
ISSUE_HOUR = time(22, 0, tzinfo=UTC)  # issues go out after the day's stories are in
# Reference rows (sources, sections, authors, newsletter) carry this fixed creation time, so
# reloading the demo never moves a timestamp.
CATALOGUE_TIME = datetime(2018, 7, 2, 0, 0, tzinfo=UTC)
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


@dataclass(frozen=True)
class Newsroom:
    """Everything the demo loads, as plain data."""

    articles: tuple[PlannedArticle, ...]
    issues: tuple[PlannedIssue, ...]


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


DRAFTS: tuple[DeskStory, ...] = (
    DeskStory(
        "the-jakarta-post",
        "climate-environment",
        "Dewi Kusumawati",
        "Jakarta weighs longer sea wall as northern districts keep sinking",
        "Engineers say parts of the coast are subsiding faster than the sea is rising.",
        (
            "Officials in Jakarta are studying plans to extend the sea wall along the city’s "
            "northern coast, as new survey data show some districts sinking by several "
            "centimetres a year.",
            "Engineers blame decades of groundwater extraction by households and factories "
            "without access to piped water.",
            "Residents of fishing communities say they were not consulted and fear being moved "
            "further from the sea.",
        ),
        ("floods", "cities", "infrastructure"),
        ("ID",),
    ),
    DeskStory(
        "the-daily-star",
        "politics",
        "Shakil Hossain",
        "Dhaka city corporations draft plan for single bus franchise",
        "The proposal would put the capital’s private bus companies under one route network.",
        (
            "The two city corporations of Dhaka are drafting a plan to bring the capital’s "
            "private bus operators into a single franchise with shared routes and fares.",
            "Officials say competition between operators for passengers is a major cause of "
            "congestion and road accidents.",
            "Transport owners’ associations have asked to be consulted before the plan goes to "
            "the cabinet.",
        ),
        ("urban-transport", "cities"),
        ("BD",),
    ),
    DeskStory(
        "the-kathmandu-post",
        "economy",
        "Sunita Shrestha",
        "Nepal’s power exports to India held back by transmission bottleneck",
        "New hydropower plants are coming online faster than the lines that carry their power.",
        (
            "Nepal expects a surplus of electricity during the monsoon as new hydropower plants "
            "come online, but limited cross-border transmission capacity means much of it may "
            "go unsold.",
            "Officials say a new high-voltage line to India is years from completion.",
            "Developers have urged the government to speed up land acquisition for "
            "transmission projects.",
        ),
        ("renewable-energy", "trade", "infrastructure"),
        ("NP", "IN"),
    ),
)

SCHEDULED: tuple[DeskStory, ...] = (
    DeskStory(
        "the-korea-herald",
        "culture",
        "The Korea Herald",
        "Seoul’s royal palaces extend night openings through winter",
        "Evening tours of Gyeongbokgung and Changdeokgung will run on weekends.",
        (
            "Seoul’s main royal palaces will stay open in the evenings through the winter, "
            "the Cultural Heritage Administration said, after record demand for night tours.",
            "Tickets will be sold online in limited numbers to protect the buildings.",
            "Visitors wearing hanbok will continue to enter free of charge.",
        ),
        ("heritage", "tourism"),
        ("KR",),
    ),
    DeskStory(
        "the-straits-times",
        "technology",
        "Rachel Tan",
        "Driverless buses to carry passengers on public routes in Singapore trial",
        "The trial will test autonomous buses in regular traffic at off-peak hours.",
        (
            "Autonomous buses will carry fare-paying passengers on selected public routes in a "
            "trial, the Land Transport Authority said.",
            "A safety driver will be on board during the first phase.",
            "Officials hope driverless vehicles will ease a shortage of bus drivers.",
        ),
        ("urban-transport", "startups"),
        ("SG",),
    ),
    DeskStory(
        "asia-news-network",
        "opinion",
        "Cod Satrusayang",
        "Editorial: what Asia’s newsrooms owe their readers in the year ahead",
        "Trust is earned one correction, one source and one honest headline at a time.",
        (
            "Readers across Asia have more news than ever and trust less of it.",
            "Newsrooms that show their work, correct their mistakes in public and resist the "
            "lure of the sensational headline will keep the audiences that matter.",
            "That is the standard the network’s members have set for themselves.",
        ),
        ("education",),
        ("TH",),
    ),
)

DRAFT_SLUGS: tuple[str, ...] = tuple(slugify(story.headline) for story in DRAFTS)
SCHEDULED_SLUGS: tuple[str, ...] = tuple(slugify(story.headline) for story in SCHEDULED)

# The editor's lines for seed stories that appear in newsletter issues. The Moon-Trump story
# deliberately has none: readers then see its excerpt.
SEED_BLURBS: dict[str, str | None] = {
    "kh-2018-0926-001": "Washington and Pyongyang are set to restart talks on nuclear "
    "inspections as a second Trump-Kim summit nears.",
    "ds-2018-0925-001": "Sheikh Hasina sets out three proposals at the UN to end the Rohingya "
    "crisis at its root.",
    "kh-2018-0925-001": None,
    "ann-2018-0920-001": "A Chinese-built runway opens at Velana International Airport, a sign "
    "of Beijing’s growing reach in the Maldives.",
    "kh-2018-0920-001": "Kim Jong-un pledges to visit Seoul and to dismantle nuclear and "
    "missile sites.",
    "ann-2018-0920-002": "Prosecutors in El Salvador look into how funds donated by Taiwan "
    "were spent.",
}


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


def _seed_article(story: SeedStory) -> PlannedArticle:
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


def _desk_article(story: DeskStory, index: int, published_at: datetime | None) -> PlannedArticle:
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


def _published(article: PlannedArticle) -> datetime:
    assert article.published_at is not None, article.key
    return article.published_at


def _generated_articles(
    rng: random.Random, seeds: Sequence[PlannedArticle]
) -> list[PlannedArticle]:
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
        per_day[(seed.source, _published(seed).date())] += 1

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


def _issues(rng: random.Random, published: Sequence[PlannedArticle]) -> list[PlannedIssue]:
    by_day: dict[date, list[PlannedArticle]] = defaultdict(list)
    for article in published:
        by_day[_published(article).date()].append(article)
    seeds = {story.external_id for story in SEED_STORIES}
    issues: list[PlannedIssue] = []
    for offset in range(ISSUE_DAYS - 1, -1, -1):
        day = LAST_DAY - timedelta(days=offset)
        # The day's seed-page stories lead; the rest come from that day and the day before.
        leads = sorted((a for a in by_day[day] if a.external_id in seeds), key=_published)
        pool = sorted(
            (
                a
                for a in by_day[day] + by_day[day - timedelta(days=1)]
                if a.external_id not in seeds
            ),
            key=lambda a: (_published(a), a.external_id),
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


@functools.cache
def build_newsroom() -> Newsroom:
    """The demo as plain data: every article (seed, generated, desk) and newsletter issue."""
    rng = random.Random(RANDOM_SEED)  # noqa: S311 -- demo content, not security
    seeds = [_seed_article(story) for story in SEED_STORIES]
    generated = _generated_articles(rng, seeds)
    desk = [_desk_article(story, i, None) for i, story in enumerate(DRAFTS)]
    desk += [
        _desk_article(story, i, SCHEDULE_START + timedelta(days=i))
        for i, story in enumerate(SCHEDULED)
    ]
    published = seeds + generated
    return Newsroom(articles=tuple(published + desk), issues=tuple(_issues(rng, published)))


# --- Loading ----------------------------------------------------------------------------------


def _table(model: type[DeclarativeBase]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


# asyncpg accepts at most 32767 parameters per statement.
_MAX_PARAMETERS = 30_000


def _chunks(rows: Sequence[dict[str, Any]]) -> Iterable[Sequence[dict[str, Any]]]:
    if not rows:
        return
    size = max(1, _MAX_PARAMETERS // max(1, len(rows[0])))
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


async def _upsert(
    session: AsyncSession, table: Table, rows: Sequence[dict[str, Any]], key: Sequence[str]
) -> dict[tuple[Any, ...], int]:
    """Insert or update rows by their natural key; return {key values: id}.

    Rows whose values are already current are left untouched (no new row version), so a
    repeated load is a true no-op.
    """
    for chunk in _chunks(rows):
        statement = pg_insert(table).values(list(chunk))
        columns = [name for name in chunk[0] if name not in key]
        statement = statement.on_conflict_do_update(
            index_elements=list(key),
            set_={name: statement.excluded[name] for name in columns},
            where=tuple_(*(table.c[name] for name in columns)).is_distinct_from(
                tuple_(*(statement.excluded[name] for name in columns))
            ),
        )
        await session.execute(statement)
    wanted = sorted({tuple(row[name] for name in key) for row in rows})
    key_columns = [table.c[name] for name in key]
    matches = (
        key_columns[0].in_([values[0] for values in wanted])
        if len(key_columns) == 1
        else tuple_(*key_columns).in_(wanted)
    )
    result = await session.execute(select(table.c.id, *key_columns).where(matches))
    return {tuple(row[1:]): row[0] for row in result}


async def _sync_images(session: AsyncSession, images: Sequence[PlannedImage]) -> dict[str, int]:
    """Images have no natural key in the model; the demo identifies its images by URL."""
    table = _table(Image)
    wanted = {image.url: image for image in images}
    existing: dict[str, tuple[int, Any, Any, Any, Any]] = {}
    result = await session.execute(
        select(
            table.c.id, table.c.url, table.c.caption, table.c.credit, table.c.width, table.c.height
        )
        .where(table.c.url.in_(list(wanted)))
        .order_by(table.c.id)
    )
    for row in result:
        existing.setdefault(row.url, (row.id, row.caption, row.credit, row.width, row.height))
    missing = [
        {
            "url": i.url,
            "caption": i.caption,
            "credit": i.credit,
            "width": i.width,
            "height": i.height,
        }
        for url, i in wanted.items()
        if url not in existing
    ]
    for chunk in _chunks(missing):
        inserted = await session.execute(
            insert(table).values(list(chunk)).returning(table.c.id, table.c.url)
        )
        for row in inserted:
            image = wanted[row.url]
            existing[row.url] = (row.id, image.caption, image.credit, image.width, image.height)
    changed = [
        {
            "id": existing[url][0],
            "caption": i.caption,
            "credit": i.credit,
            "width": i.width,
            "height": i.height,
        }
        for url, i in wanted.items()
        if existing[url][1:] != (i.caption, i.credit, i.width, i.height)
    ]
    if changed:
        await session.execute(update(Image), changed)
    return {url: values[0] for url, values in existing.items()}


async def _sync_links(
    session: AsyncSession,
    table: Table,
    owner_column: str,
    desired: dict[int, set[tuple[Any, ...]]],
    columns: Sequence[str],
) -> None:
    """Make each owner's link rows exactly `desired`, touching only owners whose links differ."""
    owner = table.c[owner_column]
    existing: dict[int, set[tuple[Any, ...]]] = defaultdict(set)
    result = await session.execute(
        select(owner, *(table.c[name] for name in columns)).where(owner.in_(list(desired)))
    )
    for row in result:
        existing[row[0]].add(tuple(row[1:]))
    stale = [owner_id for owner_id, links in desired.items() if existing.get(owner_id) != links]
    if not stale:
        return
    await session.execute(delete(table).where(owner.in_(stale)))
    rows = [
        {owner_column: owner_id, **dict(zip(columns, link, strict=True))}
        for owner_id in stale
        for link in sorted(desired[owner_id])
    ]
    for chunk in _chunks(rows):
        await session.execute(insert(table).values(list(chunk)))


async def _park_moved_slugs(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Give demo articles whose slug is about to change a temporary, unique one.

    After the generator changes, a reload can hand a slug from one stored article to another;
    the unique (source, slug) constraint is checked row by row, so the rows that move are
    parked first. On an ordinary reload no slug changes and this updates nothing.
    """
    articles = _table(Article)
    planned = values(
        column("source_id", BigInteger),
        column("external_id", String),
        column("slug", String),
        name="planned",
    ).data([(row["source_id"], row["external_id"], row["slug"]) for row in rows])
    await session.execute(
        update(articles)
        .where(
            articles.c.source_id == planned.c.source_id,
            articles.c.external_id == planned.c.external_id,
            articles.c.slug != planned.c.slug,
        )
        .values(slug=func.concat("reseeding-", articles.c.id))
    )


async def seed_demo(session: AsyncSession) -> dict[str, int]:
    """Load the demo newsroom into `session`'s transaction; return the demo's rows per table.

    Idempotent: rows are matched on natural keys (slugs; (source, external_id) for articles;
    (newsletter, date) for issues; URL for images) and only changed values are written, so a
    second run leaves every row as it was. Nothing is committed: the caller decides.
    """
    newsroom = build_newsroom()
    articles = newsroom.articles

    logo_images = [PlannedImage(s.logo_url, f"{s.name} logo", s.name, 400, 120) for s in SOURCES]
    avatar_images = [
        PlannedImage(f"{CDN}/avatars/{person_slug(p)}.jpg", p.name, None, 256, 256) for p in PERSONS
    ]
    article_images = [a.image for a in articles if a.image is not None]
    image_ids = await _sync_images(session, logo_images + avatar_images + article_images)

    stamp = {"created_at": CATALOGUE_TIME, "updated_at": CATALOGUE_TIME}
    source_ids = await _upsert(
        session,
        _table(Source),
        [
            {
                "slug": s.slug,
                "name": s.name,
                "description": s.description,
                "url": s.url,
                "country": s.country,
                "language": "en",
                "logo_id": image_ids[s.logo_url],
                **stamp,
            }
            for s in SOURCES
        ],
        ["slug"],
    )
    source_id = {slug: pk for (slug,), pk in source_ids.items()}

    section_id: dict[str, int] = {}
    for level in (False, True):  # parents first, so children can point at them
        rows = [
            {
                "slug": s.slug,
                "name": s.name,
                "description": s.description,
                "parent_id": section_id[s.parent] if s.parent else None,
                "position": position,
                **stamp,
            }
            for position, s in enumerate(SECTIONS)
            if (s.parent is not None) == level
        ]
        ids = await _upsert(session, _table(Section), rows, ["slug"])
        section_id |= {slug: pk for (slug,), pk in ids.items()}

    author_rows = [
        {
            "slug": organisation_slug(s),
            "name": s.byline,
            "bio": organisation_bio(s),
            "is_organization": True,
            "source_id": source_id[s.slug],
            "avatar_id": image_ids[s.logo_url],
            **stamp,
        }
        for s in SOURCES
    ] + [
        {
            "slug": person_slug(p),
            "name": p.name,
            "bio": p.bio,
            "is_organization": False,
            "source_id": source_id[p.source],
            "avatar_id": image_ids[f"{CDN}/avatars/{person_slug(p)}.jpg"],
            **stamp,
        }
        for p in PERSONS
    ]
    author_ids = await _upsert(session, _table(Author), author_rows, ["slug"])
    author_id = {slug: pk for (slug,), pk in author_ids.items()}

    tag_ids = await _upsert(
        session, _table(Tag), [{"slug": k, "name": v} for k, v in TAGS.items()], ["slug"]
    )
    tag_id = {slug: pk for (slug,), pk in tag_ids.items()}

    article_rows = []
    for a in articles:
        body_html = sanitize_html(paragraphs_to_html(list(a.paragraphs)))
        body_text = html_to_text(body_html)
        article_rows.append(
            {
                "source_id": source_id[a.source],
                "external_id": a.external_id,
                "section_id": section_id[a.section],
                "slug": a.slug,
                "status": a.status,
                "published_at": a.published_at,
                "headline": a.headline,
                "dek": a.dek,
                "body_html": body_html,
                "body_text": body_text,
                "excerpt": make_excerpt(body_text),
                "language": "en",
                "url": a.url,
                "image_id": image_ids[a.image.url] if a.image else None,
                "reading_time_minutes": reading_time_minutes(body_text),
                "created_at": a.created_at,
                "updated_at": a.updated_at,
            }
        )
    await _park_moved_slugs(session, article_rows)
    article_ids = await _upsert(
        session, _table(Article), article_rows, ["source_id", "external_id"]
    )
    article_id = {a.key: article_ids[(source_id[a.source], a.external_id)] for a in articles}

    await _sync_links(
        session,
        _table(ArticleAuthor),
        "article_id",
        {
            article_id[a.key]: {
                (author_id[slug], position) for position, slug in enumerate(a.authors)
            }
            for a in articles
        },
        ["author_id", "position"],
    )
    await _sync_links(
        session,
        _table(ArticleTag),
        "article_id",
        {article_id[a.key]: {(tag_id[t],) for t in a.tags} for a in articles},
        ["tag_id"],
    )
    await _sync_links(
        session,
        _table(ArticleCountry),
        "article_id",
        {article_id[a.key]: {(c,) for c in a.countries} for a in articles},
        ["country"],
    )

    newsletter_ids = await _upsert(
        session,
        _table(Newsletter),
        [
            {
                "slug": NEWSLETTER_SLUG,
                "name": NEWSLETTER_NAME,
                "description": NEWSLETTER_DESCRIPTION,
                **stamp,
            }
        ],
        ["slug"],
    )
    newsletter_id = newsletter_ids[(NEWSLETTER_SLUG,)]
    issue_ids = await _upsert(
        session,
        _table(NewsletterIssue),
        [
            {
                "newsletter_id": newsletter_id,
                "date": issue.date,
                "title": issue.title,
                "intro": issue.intro,
                "published_at": issue.published_at,
                "created_at": issue.published_at,
                "updated_at": issue.published_at,
            }
            for issue in newsroom.issues
        ],
        ["newsletter_id", "date"],
    )
    await _sync_links(
        session,
        _table(NewsletterItem),
        "issue_id",
        {
            issue_ids[(newsletter_id, issue.date)]: {
                (position, article_id[item.article], item.blurb)
                for position, item in enumerate(issue.items)
            }
            for issue in newsroom.issues
        },
        ["position", "article_id", "blurb"],
    )

    return {
        "images": len(image_ids),
        "sources": len(source_id),
        "sections": len(section_id),
        "authors": len(author_id),
        "tags": len(tag_id),
        "articles": len(article_id),
        "article_authors": sum(len(a.authors) for a in articles),
        "article_tags": sum(len(a.tags) for a in articles),
        "article_countries": sum(len(a.countries) for a in articles),
        "newsletters": 1,
        "newsletter_issues": len(newsroom.issues),
        "newsletter_items": sum(len(issue.items) for issue in newsroom.issues),
    }
