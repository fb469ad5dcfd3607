"""The demo newsroom as loaded: seed-page stories verbatim, the network around them, the
newsletter, idempotent reloads, and the synthetic bulk loader."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from api.demo.newsroom import (
    DRAFT_SLUGS,
    LEAD_STORY_SLUG,
    NEWSLETTER_SLUG,
    SCHEDULED_SLUGS,
    SEED_STORIES,
    SeedStory,
    seed_demo,
)
from api.demo.synthetic import seed_synthetic
from api.models import (
    Article,
    ArticleAuthor,
    ArticleStatus,
    Author,
    Newsletter,
    NewsletterIssue,
    NewsletterItem,
    Section,
    Source,
)

LEAD_HEADLINE = "US ramps up pressure on N. Korea"
KOREA_HEADLINES = {
    "US, NK head toward discussions on nuclear inspections",
    "Moon, Trump discuss \u2018corresponding measures\u2019 for NK denucelarization",
    "Kim vows to visit Seoul, dismantle nuke, missile sites",
}
KOREA_HERALD_BIO = (
    "The Korea Herald is the nation\u2019s largest English-language daily and the country\u2019s "
    "sole member of the Asia News Network."
)


async def article_by_headline(session: AsyncSession, headline: str) -> Article:
    return (await session.scalars(select(Article).where(Article.headline == headline))).one()


async def byline_names(session: AsyncSession, article_id: int) -> list[str]:
    names = await session.scalars(
        select(Author.name)
        .join(ArticleAuthor, ArticleAuthor.author_id == Author.id)
        .where(ArticleAuthor.article_id == article_id)
        .order_by(ArticleAuthor.position)
    )
    return list(names)


async def scalar_int(session: AsyncSession, sql: str, **params: Any) -> int:
    value = await session.scalar(text(sql), params)
    return int(value or 0)


# --- The seed page, faithfully ------------------------------------------------------------------


@pytest.mark.parametrize("story", SEED_STORIES, ids=lambda story: story.external_id)
async def test_seed_story_is_stored_as_on_the_page(
    db_session: AsyncSession, story: SeedStory
) -> None:
    article = await article_by_headline(db_session, story.headline)
    source = await db_session.get(Source, article.source_id)
    section = await db_session.get(Section, article.section_id)
    assert source is not None
    assert section is not None
    assert source.slug == story.source_slug
    assert section.slug == story.section_slug == "diplomacy"
    assert article.status is ArticleStatus.PUBLISHED
    assert article.published_at is not None
    assert article.published_at.astimezone(UTC).date() == story.date
    assert await byline_names(db_session, article.id) == [story.byline]
    if story.teaser is not None:
        # The page's teaser, cut mid-word, is the opening of the stored story, verbatim.
        assert article.body_text.startswith(story.teaser)


@pytest.mark.parametrize(
    ("headline", "day", "source", "byline"),
    [
        (LEAD_HEADLINE, date(2018, 8, 30), "the-korea-herald", "The Korea Herald"),
        (
            "US, NK head toward discussions on nuclear inspections",
            date(2018, 9, 26),
            "the-korea-herald",
            "The Korea Herald",
        ),
        (
            "Ending Rohingya Crisis: Bangladesh tables 3 proposals at UN meeting",
            date(2018, 9, 25),
            "the-daily-star",
            "Daily Star",
        ),
        (
            "Moon, Trump discuss \u2018corresponding measures\u2019 for NK denucelarization",
            date(2018, 9, 25),
            "the-korea-herald",
            "The Korea Herald",
        ),
        (
            "New airport construction adds to China\u2019s influence in the Maldives",
            date(2018, 9, 20),
            "asia-news-network",
            "Cod Satrusayang",
        ),
        (
            "Kim vows to visit Seoul, dismantle nuke, missile sites",
            date(2018, 9, 20),
            "the-korea-herald",
            "The Korea Herald",
        ),
        (
            "El Salvador ups pressure on Taiwan relations",
            date(2018, 9, 20),
            "asia-news-network",
            "Asia News Network",
        ),
    ],
)
async def test_page_stories_written_out_independently_of_the_seed_module(
    db_session: AsyncSession, headline: str, day: date, source: str, byline: str
) -> None:
    # The same facts as above, typed from the page rather than read from SEED_STORIES, so a
    # typo in the seed module cannot make both sides of the comparison wrong together.
    article = await article_by_headline(db_session, headline)
    source_row = await db_session.get(Source, article.source_id)
    assert source_row is not None
    assert source_row.slug == source
    assert article.published_at is not None
    assert article.published_at.astimezone(UTC).date() == day
    assert await byline_names(db_session, article.id) == [byline]


async def test_lead_story_dek_and_full_body(db_session: AsyncSession) -> None:
    lead = await article_by_headline(db_session, LEAD_HEADLINE)
    assert lead.slug == LEAD_STORY_SLUG == "us-ramps-up-pressure-on-n-korea"
    assert lead.dek == (
        "The US appears to be turning up the heat on North Korea amid stalled denuclearization "
        "talks, with US Defense Secretary James Mattis hinting at a resumption of US-South "
        "Korea military drills."
    )
    paragraphs = lead.body_text.split("\n\n")
    assert len(paragraphs) == 25
    assert paragraphs[0] == (
        "As the US reportedly responds to a \u201cbelligerent letter\u201d from North Korea by "
        "stepping up the pressure, prospects of negotiations between North Korea and the US "
        "appear bleak unless the communist state makes a major concession, experts say."
    )
    assert paragraphs[2] == (
        "\u201cWe took the step to suspend several of the largest exercises as a good-faith "
        "measure coming out of the Singapore summit,\u201d Mattis told reporters Tuesday. "
        "\u201cWe have no plans at this time to suspend any more exercises.\u201d"
    )
    assert paragraphs[12] == (
        "She also said \u201cthere is progress being made\u201d on denuclearization."
    )
    assert paragraphs[16] == (
        "The US is not likely to make any more concessions until North Korea acts, he said."
    )
    assert paragraphs[-1] == (
        "\u201cI believe that the role of the inter-Korean summit has become much greater in "
        "solving the problem and overcoming the hurdle as North Korea-US relations are in a "
        "deadlock,\u201d presidential spokesperson Kim told reporters."
    )
    assert lead.body_html.count("<p>") == 25
    assert "<script" not in lead.body_html
    assert len(lead.excerpt) <= 300
    assert lead.excerpt.endswith("\u2026")
    assert lead.reading_time_minutes >= 3
    assert lead.updated_at.astimezone(UTC).date() == date(2018, 8, 30)


async def test_bylines_and_affiliations(db_session: AsyncSession) -> None:
    rows = await db_session.execute(
        select(Author.slug, Author.name, Author.is_organization, Author.bio, Source.slug)
        .join(Source, Source.id == Author.source_id)
        .where(
            Author.slug.in_(
                ["the-korea-herald", "daily-star", "asia-news-network", "cod-satrusayang"]
            )
        )
    )
    authors = {slug: (name, is_org, bio, source) for slug, name, is_org, bio, source in rows}
    assert authors["the-korea-herald"] == (
        "The Korea Herald",
        True,
        KOREA_HERALD_BIO,
        "the-korea-herald",
    )
    assert authors["daily-star"][:2] == ("Daily Star", True)
    assert authors["daily-star"][3] == "the-daily-star"
    assert authors["asia-news-network"][:2] == ("Asia News Network", True)
    assert authors["asia-news-network"][3] == "asia-news-network"
    assert authors["cod-satrusayang"][:2] == ("Cod Satrusayang", False)
    assert authors["cod-satrusayang"][3] == "asia-news-network"
    assert all(bio for _, _, bio, _ in authors.values())


async def test_seed_stories_are_tagged_sensibly(db_session: AsyncSession) -> None:
    rows = await db_session.execute(
        text(
            """
            SELECT a.headline,
                   array(SELECT t.slug FROM article_tags at JOIN tags t ON t.id = at.tag_id
                         WHERE at.article_id = a.id) AS tags,
                   array(SELECT c.country FROM article_countries c
                         WHERE c.article_id = a.id) AS countries
            FROM articles a WHERE a.headline = ANY(:headlines)
            """
        ),
        {"headlines": [story.headline for story in SEED_STORIES]},
    )
    stories = {headline: (set(tags), set(countries)) for headline, tags, countries in rows}
    for headline in {LEAD_HEADLINE} | KOREA_HEADLINES:
        tags, countries = stories[headline]
        assert {"north-korea", "denuclearization"} <= tags
        assert {"KP", "KR", "US"} <= countries
    rohingya = stories["Ending Rohingya Crisis: Bangladesh tables 3 proposals at UN meeting"]
    assert {"rohingya", "refugees"} <= rohingya[0]
    assert {"BD", "MM"} <= rohingya[1]
    maldives = stories["New airport construction adds to China\u2019s influence in the Maldives"]
    assert {"belt-and-road", "china"} <= maldives[0]
    assert {"MV", "CN"} <= maldives[1]
    assert {"TW", "SV", "CN"} <= stories["El Salvador ups pressure on Taiwan relations"][1]


async def test_other_korea_stories_share_the_most_tags_with_the_lead(
    db_session: AsyncSession,
) -> None:
    rows = await db_session.execute(
        text(
            """
            SELECT a.headline, count(*) AS shared
            FROM articles a
            JOIN article_tags at ON at.article_id = a.id
            WHERE at.tag_id IN (
                SELECT at2.tag_id FROM article_tags at2
                JOIN articles lead ON lead.id = at2.article_id
                WHERE lead.headline = :lead)
              AND a.headline <> :lead AND a.status = 'published'
            GROUP BY a.headline
            ORDER BY shared DESC, a.headline
            """
        ),
        {"lead": LEAD_HEADLINE},
    )
    ranked = rows.all()
    assert {headline for headline, _ in ranked[:3]} == KOREA_HEADLINES
    assert all(shared < ranked[2][1] for _, shared in ranked[3:])
    tagged = await scalar_int(
        db_session,
        "SELECT count(DISTINCT at.article_id) FROM article_tags at JOIN tags t ON t.id = at.tag_id"
        " WHERE t.slug = 'north-korea'",
    )
    assert tagged == 4, "only the seed page's Korea stories carry north-korea"


# --- The network around them -------------------------------------------------------------------


async def test_sources_span_the_region(db_session: AsyncSession) -> None:
    sources = (await db_session.scalars(select(Source))).all()
    assert len(sources) >= 12
    assert len({source.country for source in sources}) >= 8
    by_slug = {source.slug: source for source in sources}
    assert by_slug["the-korea-herald"].name == "The Korea Herald"
    assert by_slug["the-korea-herald"].country == "KR"
    assert by_slug["the-daily-star"].name == "The Daily Star"
    assert by_slug["the-daily-star"].country == "BD"
    assert by_slug["asia-news-network"].name == "Asia News Network"
    logos = await db_session.execute(
        text("SELECT s.slug, i.url FROM sources s JOIN images i ON i.id = s.logo_id")
    )
    logo_urls = {row.slug: row.url for row in logos}
    for source in sources:
        assert source.language == "en"
        assert source.description
        assert (source.url or "").startswith("https://")
        assert len(source.country or "") == 2
        assert logo_urls[source.slug].startswith("https://cdn.broadsheet.example/logos/")


async def test_catalogue_sizes(db_session: AsyncSession) -> None:
    assert await scalar_int(db_session, "SELECT count(*) FROM sections") >= 6
    assert await scalar_int(db_session, "SELECT count(*) FROM sections WHERE parent_id IS NOT NULL")
    assert await scalar_int(db_session, "SELECT count(*) FROM authors") >= 30
    assert await scalar_int(db_session, "SELECT count(*) FROM authors WHERE NOT is_organization")
    assert await scalar_int(db_session, "SELECT count(*) FROM authors WHERE bio IS NULL") == 0
    published = await scalar_int(
        db_session,
        "SELECT count(*) FROM articles WHERE status = 'published' AND published_at <= now()",
    )
    assert published >= 200
    assert await scalar_int(db_session, "SELECT count(DISTINCT source_id) FROM articles") >= 12
    assert await scalar_int(db_session, "SELECT count(DISTINCT section_id) FROM articles") >= 6


async def test_every_published_article_is_complete(db_session: AsyncSession) -> None:
    incomplete = await db_session.execute(
        text(
            """
            SELECT a.headline FROM articles a
            WHERE a.status = 'published' AND (
                NOT EXISTS (SELECT 1 FROM article_tags t WHERE t.article_id = a.id)
                OR NOT EXISTS (SELECT 1 FROM article_countries c WHERE c.article_id = a.id)
                OR NOT EXISTS (SELECT 1 FROM article_authors w WHERE w.article_id = a.id)
                OR a.external_id IS NULL OR a.body_text = '' OR a.excerpt = ''
                OR length(a.excerpt) > 300 OR a.url NOT LIKE 'https://%'
                OR a.body_html NOT LIKE '<p>%' OR a.language <> 'en'
                OR a.body_text ILIKE '%lorem ipsum%' OR a.body_text LIKE '%{%')
            """
        )
    )
    assert incomplete.scalars().all() == []
    # Generated stories (everything but the seed page's) run from three to eight paragraphs.
    paragraphs = await db_session.execute(
        text(
            "SELECT min(n), max(n) FROM (SELECT array_length(string_to_array(body_text, "
            "E'\\n\\n'), 1) AS n FROM articles WHERE NOT external_id = ANY(:seeds)) counts"
        ),
        {"seeds": [story.external_id for story in SEED_STORIES]},
    )
    fewest, most = paragraphs.one()
    assert (fewest, most) == (3, 8)
    assert await scalar_int(
        db_session, "SELECT count(*) FROM article_authors WHERE position = 1"
    ), "some stories have two bylines"
    assert await scalar_int(db_session, "SELECT count(*) FROM articles WHERE image_id IS NOT NULL")


async def test_headlines_are_unique_across_the_demo(db_session: AsyncSession) -> None:
    duplicates = await db_session.scalars(
        text("SELECT headline FROM articles GROUP BY headline HAVING count(*) > 1")
    )
    assert duplicates.all() == []


async def test_drafts_and_scheduled_stories(db_session: AsyncSession) -> None:
    assert DRAFT_SLUGS
    assert SCHEDULED_SLUGS
    drafts = (await db_session.scalars(select(Article).where(Article.slug.in_(DRAFT_SLUGS)))).all()
    assert len(drafts) == len(DRAFT_SLUGS)
    assert all(a.status is ArticleStatus.DRAFT and a.published_at is None for a in drafts)
    scheduled = (
        await db_session.scalars(select(Article).where(Article.slug.in_(SCHEDULED_SLUGS)))
    ).all()
    assert len(scheduled) == len(SCHEDULED_SLUGS)
    now = datetime.now(UTC)
    for article in scheduled:
        assert article.status is ArticleStatus.PUBLISHED
        assert article.published_at is not None
        assert article.published_at > now


async def test_eastern_briefings_newsletter(db_session: AsyncSession) -> None:
    newsletter = (
        await db_session.scalars(select(Newsletter).where(Newsletter.slug == NEWSLETTER_SLUG))
    ).one()
    assert newsletter.name == "Eastern Briefings"
    assert newsletter.description == (
        "Our Eastern Briefings Newsletter presents curated stories from 22 Asian newspapers "
        "from South, Southeast and Northeast Asia."
    )
    issues = (
        await db_session.scalars(
            select(NewsletterIssue)
            .where(NewsletterIssue.newsletter_id == newsletter.id)
            .order_by(NewsletterIssue.date)
        )
    ).all()
    assert len(issues) >= 14
    days = [issue.date for issue in issues]
    assert days == [days[0] + timedelta(days=n) for n in range(len(days))], "consecutive days"
    blurbs: list[str | None] = []
    for issue in issues:
        assert issue.title == f"Eastern Briefings \u2014 {issue.date.day} {issue.date:%B %Y}"
        assert issue.intro
        assert issue.published_at is not None
        assert issue.published_at < datetime.now(UTC)
        items = (
            await db_session.execute(
                select(NewsletterItem.position, NewsletterItem.blurb, Article)
                .join(Article, Article.id == NewsletterItem.article_id)
                .where(NewsletterItem.issue_id == issue.id)
                .order_by(NewsletterItem.position)
            )
        ).all()
        assert len(items) >= 5
        assert [position for position, _, _ in items] == list(range(len(items)))
        for _, blurb, article in items:
            blurbs.append(blurb)
            assert article.status is ArticleStatus.PUBLISHED
            assert article.published_at is not None
            assert article.published_at <= issue.published_at
            published_on = article.published_at.astimezone(UTC).date()
            assert published_on in {issue.date, issue.date - timedelta(days=1)}
    assert any(blurb is None for blurb in blurbs), "some items fall back to the excerpt"
    assert sum(blurb is not None for blurb in blurbs) > len(blurbs) / 2

    latest = issues[-1]
    assert latest.date == date(2018, 9, 26)
    latest_headlines = set(
        await db_session.scalars(
            select(Article.headline)
            .join(NewsletterItem, NewsletterItem.article_id == Article.id)
            .where(NewsletterItem.issue_id == latest.id)
        )
    )
    assert "US, NK head toward discussions on nuclear inspections" in latest_headlines


# --- Reloading changes nothing ------------------------------------------------------------------

_SNAPSHOT = {
    table: f"SELECT count(*), md5(coalesce(string_agg(row_text, '|' ORDER BY row_text), '')) "
    f"FROM (SELECT t::text || ':' || t.xmin::text AS row_text FROM {table} t) rows"
    for table in (
        "images",
        "sources",
        "sections",
        "authors",
        "tags",
        "articles",
        "article_authors",
        "article_tags",
        "article_countries",
        "newsletters",
        "newsletter_issues",
        "newsletter_items",
    )
}


async def snapshot(session: AsyncSession) -> dict[str, tuple[int, str]]:
    """Row count and a checksum of every row's values and row version (xmin), per table."""
    result = {}
    for table, sql in _SNAPSHOT.items():
        count, checksum = (await session.execute(text(sql))).one()
        result[table] = (count, checksum)
    return result


async def test_seed_demo_twice_changes_nothing(db_session: AsyncSession) -> None:
    before = await snapshot(db_session)
    counts = await seed_demo(db_session)
    await db_session.flush()
    after = await snapshot(db_session)
    # Same values and the same row versions: the reload did not even rewrite identical rows.
    assert after == before
    assert counts == {table: before[table][0] for table in counts}
    assert counts["articles"] >= 200


# --- Synthetic bulk data ------------------------------------------------------------------------


async def test_seed_synthetic_adds_exactly_the_requested_articles(
    db_session: AsyncSession,
) -> None:
    visible = "SELECT count(*) FROM articles WHERE status = 'published' AND published_at <= now()"
    articles_before = await scalar_int(db_session, "SELECT count(*) FROM articles")
    visible_before = await scalar_int(db_session, visible)
    connection = await db_session.connection()
    reported: list[int] = []
    load = await seed_synthetic(
        connection,
        articles=500,
        sources=4,
        seed=11,
        progress=lambda phase, done, total: reported.append(done) if phase == "articles" else None,
    )
    counts = load.rows
    assert counts["articles"] == 500
    assert reported[-1] == 500
    assert await scalar_int(db_session, "SELECT count(*) FROM articles") == articles_before + 500
    assert await scalar_int(db_session, visible) == visible_before + 500
    synthetic = """
        FROM articles a JOIN sources s ON s.id = a.source_id WHERE s.slug LIKE 'syn-%'
    """
    assert await scalar_int(db_session, f"SELECT count(*) {synthetic}") == 500
    assert (
        await scalar_int(
            db_session,
            f"""SELECT count(*) {synthetic} AND (
                NOT EXISTS (SELECT 1 FROM article_tags t WHERE t.article_id = a.id)
                OR NOT EXISTS (SELECT 1 FROM article_countries c WHERE c.article_id = a.id)
                OR NOT EXISTS (SELECT 1 FROM article_authors w WHERE w.article_id = a.id)
                OR a.search_vector IS NULL OR length(a.excerpt) > 300)""",
        )
        == 0
    )
    assert counts["article_tags"] == await scalar_int(
        db_session,
        f"SELECT count(*) FROM article_tags WHERE article_id IN (SELECT a.id {synthetic})",
    )
    # Synthetic taxonomy is namespaced: nothing of the demo's is reused or renamed.
    assert (
        await scalar_int(
            db_session,
            "SELECT count(*) FROM sources WHERE slug LIKE 'syn-%'",
        )
        == 4
    )
    assert (
        await scalar_int(
            db_session,
            "SELECT count(*) FROM article_tags at JOIN tags t ON t.id = at.tag_id "
            f"WHERE t.slug NOT LIKE 'syn-%' AND at.article_id IN (SELECT a.id {synthetic})",
        )
        == 0
    )


async def test_seed_synthetic_is_deterministic_and_appends(db_session: AsyncSession) -> None:
    connection = await db_session.connection()
    listing = text(
        "SELECT a.external_id, a.slug, a.headline, a.published_at, s.slug FROM articles a "
        "JOIN sources s ON s.id = a.source_id WHERE s.slug LIKE 'syn-%' ORDER BY a.external_id"
    )

    first = await connection.begin_nested()
    await seed_synthetic(connection, articles=120, sources=3, seed=5)
    once = (await connection.execute(listing)).all()
    await first.rollback()

    second = await connection.begin_nested()
    await seed_synthetic(connection, articles=120, sources=3, seed=5)
    again = (await connection.execute(listing)).all()
    # A second load on top appends rather than colliding on slugs or external ids.
    await seed_synthetic(connection, articles=30, sources=3, seed=5)
    appended = await connection.scalar(
        select(func.count()).select_from(Article).join(Source).where(Source.slug.like("syn-%"))
    )
    await second.rollback()

    assert len(once) == 120
    assert once == again
    assert appended == 150
