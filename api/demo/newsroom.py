"""The demo newsroom: the Eastern Briefings page's stories in a small, believable news network.

`seed_demo` loads, into the session it is given, 22 Asia News Network papers, the site's
sections, staff and organisation bylines, the seven Diplomacy stories from the seed page
(verbatim), a few hundred generated stories from August and September 2018 around them, a few
drafts and scheduled stories, and the "Eastern Briefings" newsletter with a fortnight of daily
issues. Everything is deterministic (fixed dates, a fixed random seed) and written as upserts on
natural keys, so loading twice changes nothing. The caller owns the transaction.

The plan is made in `articles` and `issues` from the content in `data/`; this module builds it
and writes it, through the idempotent helpers in `upserts`.
"""

from __future__ import annotations

import functools
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from api.content import (
    html_to_text,
    make_excerpt,
    paragraphs_to_html,
    reading_time_minutes,
    sanitize_html,
    slugify,
)
from api.demo.articles import (
    DRAFT_SLUGS,
    DRAFTS,
    SCHEDULE_START,
    SCHEDULED,
    SCHEDULED_SLUGS,
    PlannedArticle,
    PlannedImage,
    desk_article,
    generated_articles,
    organisation_slug,
    person_slug,
    seed_article,
)
from api.demo.issues import (
    NEWSLETTER_DESCRIPTION,
    NEWSLETTER_NAME,
    NEWSLETTER_SLUG,
    PlannedIssue,
    plan_issues,
)
from api.demo.network import CDN, PERSONS, SECTIONS, SOURCES, TAGS, organisation_bio
from api.demo.seed_page import LEAD_STORY, SEED_STORIES, SeedStory
from api.demo.upserts import park_moved_slugs, sync_images, sync_links, table_of, upsert
from api.models import (
    Article,
    ArticleAuthor,
    ArticleCountry,
    ArticleTag,
    Author,
    Newsletter,
    NewsletterIssue,
    NewsletterItem,
    Section,
    Source,
    Tag,
)
from api.related_lists import refresh_all_related
from api.services.listing import relist_all

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

LEAD_STORY_SLUG = slugify(LEAD_STORY.headline)

RANDOM_SEED = 20180830
# Reference rows (sources, sections, authors, newsletter) carry this fixed creation time, so
# reloading the demo never moves a timestamp.
CATALOGUE_TIME = datetime(2018, 7, 2, 0, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Newsroom:
    """Everything the demo loads, as plain data."""

    articles: tuple[PlannedArticle, ...]
    issues: tuple[PlannedIssue, ...]


@functools.cache
def build_newsroom() -> Newsroom:
    """The demo as plain data: every article (seed, generated, desk) and newsletter issue."""
    rng = random.Random(RANDOM_SEED)  # noqa: S311 -- demo content, not security
    seeds = [seed_article(story) for story in SEED_STORIES]
    generated = generated_articles(rng, seeds)
    desk = [desk_article(story, i, None) for i, story in enumerate(DRAFTS)]
    desk += [
        desk_article(story, i, SCHEDULE_START + timedelta(days=i))
        for i, story in enumerate(SCHEDULED)
    ]
    published = seeds + generated
    return Newsroom(articles=tuple(published + desk), issues=tuple(plan_issues(rng, published)))


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
    image_ids = await sync_images(session, logo_images + avatar_images + article_images)

    stamp = {"created_at": CATALOGUE_TIME, "updated_at": CATALOGUE_TIME}
    source_ids = await upsert(
        session,
        table_of(Source),
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
                "listed": True,  # the site's sections: shown even before a story is in them
                **stamp,
            }
            for position, s in enumerate(SECTIONS)
            if (s.parent is not None) == level
        ]
        ids = await upsert(session, table_of(Section), rows, ["slug"])
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
    author_ids = await upsert(session, table_of(Author), author_rows, ["slug"])
    author_id = {slug: pk for (slug,), pk in author_ids.items()}

    tag_ids = await upsert(
        session, table_of(Tag), [{"slug": k, "name": v} for k, v in TAGS.items()], ["slug"]
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
    await park_moved_slugs(session, article_rows)
    article_ids = await upsert(
        session, table_of(Article), article_rows, ["source_id", "external_id"]
    )
    article_id = {a.key: article_ids[(source_id[a.source], a.external_id)] for a in articles}

    await sync_links(
        session,
        table_of(ArticleAuthor),
        "article_id",
        {
            article_id[a.key]: {
                (author_id[slug], position) for position, slug in enumerate(a.authors)
            }
            for a in articles
        },
        ["author_id", "position"],
    )
    await sync_links(
        session,
        table_of(ArticleTag),
        "article_id",
        {article_id[a.key]: {(tag_id[t],) for t in a.tags} for a in articles},
        ["tag_id"],
    )
    await sync_links(
        session,
        table_of(ArticleCountry),
        "article_id",
        {article_id[a.key]: {(c,) for c in a.countries} for a in articles},
        ["country"],
    )

    newsletter_ids = await upsert(
        session,
        table_of(Newsletter),
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
    issue_ids = await upsert(
        session,
        table_of(NewsletterIssue),
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
    await sync_links(
        session,
        table_of(NewsletterItem),
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

    await relist_all(session)
    # Written without the write services: every stored related list is recomputed.
    await refresh_all_related(session)
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
