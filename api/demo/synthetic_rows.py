"""Synthetic articles as rows for COPY: the pure, CPU-bound half of `seed_synthetic`.

A `Writer` turns its random state, the synthetic papers and the ids of their sections and tags
into table rows, story by story, with no database access, so batches can be written in a
worker thread while the server copies the previous one.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from api.content import make_excerpt, paragraphs_to_html, reading_time_minutes, slugify
from api.demo.network import CDN
from api.demo.storylines import NETWORK_COUNTRIES, TOPICS, Country, Topic, compose_story

PREFIX = "syn-"
PERIOD_START = datetime(2015, 1, 1, tzinfo=UTC)
PERIOD_END = datetime(2018, 7, 31, 23, 59, tzinfo=UTC)  # the demo's own stories start after this
IMAGE_SHARE = 0.5

ARTICLE_COLUMNS = (
    "id",
    "source_id",
    "section_id",
    "slug",
    "external_id",
    "status",
    "published_at",
    "headline",
    "dek",
    "body_html",
    "body_text",
    "excerpt",
    "language",
    "url",
    "image_id",
    "reading_time_minutes",
    "created_at",
    "updated_at",
)
IMAGE_COLUMNS = ("id", "url", "caption", "credit", "width", "height")


@dataclass(frozen=True)
class Masthead:
    """A synthetic paper as loaded: its row id, home country and byline ids."""

    id: int
    slug: str
    name: str
    domain: str
    country: Country
    reporters: tuple[int, ...]
    staff: int  # the organisation byline


@dataclass
class Batch:
    """The rows one COPY round writes, table by table."""

    images: list[tuple[Any, ...]] = field(default_factory=list)
    articles: list[tuple[Any, ...]] = field(default_factory=list)
    article_authors: list[tuple[int, int, int]] = field(default_factory=list)
    article_tags: list[tuple[int, int]] = field(default_factory=list)
    article_countries: list[tuple[int, str]] = field(default_factory=list)

    async def copy(self, driver: Any) -> None:
        """Write the batch with COPY, parents before the rows that reference them."""
        await driver.copy_records_to_table("images", records=self.images, columns=IMAGE_COLUMNS)
        await driver.copy_records_to_table(
            "articles", records=self.articles, columns=ARTICLE_COLUMNS
        )
        await driver.copy_records_to_table(
            "article_authors",
            records=self.article_authors,
            columns=("article_id", "author_id", "position"),
        )
        await driver.copy_records_to_table(
            "article_tags", records=self.article_tags, columns=("article_id", "tag_id")
        )
        await driver.copy_records_to_table(
            "article_countries", records=self.article_countries, columns=("article_id", "country")
        )

    def sizes(self) -> dict[str, int]:
        """Rows per table in this batch."""
        return {
            "images": len(self.images),
            "articles": len(self.articles),
            "article_authors": len(self.article_authors),
            "article_tags": len(self.article_tags),
            "article_countries": len(self.article_countries),
        }


@dataclass
class Writer:
    """Writes synthetic stories as rows; a pure function of its random state and inputs."""

    rng: random.Random
    mastheads: Sequence[Masthead]
    section_ids: dict[str, int]
    tag_ids: dict[str, int]
    topics: dict[str, list[Topic]] = field(init=False)
    span_minutes: int = field(init=False)

    def __post_init__(self) -> None:
        # Topics tied to a news event (a window of dates) stay out of the years covered here.
        self.topics = {
            code: [
                t
                for t in TOPICS
                if t.window is None and (t.countries is None or code in t.countries)
            ]
            for code in NETWORK_COUNTRIES
        }
        self.span_minutes = int((PERIOD_END - PERIOD_START).total_seconds() // 60)

    def batch(
        self, first_number: int, article_ids: Sequence[int], image_ids: Sequence[int]
    ) -> Batch:
        """Rows for len(article_ids) articles numbered from `first_number`."""
        rng = self.rng
        rows = Batch()
        for offset, (article_id, spare_image_id) in enumerate(
            zip(article_ids, image_ids, strict=True)
        ):
            number = first_number + offset
            paper = self.mastheads[rng.randrange(len(self.mastheads))]
            published_at = PERIOD_START + timedelta(minutes=rng.randrange(self.span_minutes))
            topic = rng.choice(self.topics[paper.country.code])
            story = compose_story(rng, topic, paper.country, published_at.date())
            body_text = "\n\n".join(story.paragraphs)
            slug = f"{slugify(story.headline, max_length=180)}-{number}"
            image_id = None
            if rng.random() < IMAGE_SHARE:
                image_id = spare_image_id
                rows.images.append(
                    (
                        image_id,
                        f"{CDN}/synthetic/{paper.slug}/{number}.jpg",
                        story.image_caption,
                        paper.name,
                        1200,
                        rng.choice((675, 800)),
                    )
                )
            rows.articles.append(
                (
                    article_id,
                    paper.id,
                    self.section_ids[story.section],
                    slug,
                    f"{PREFIX}{number:08d}",
                    "published",
                    published_at,
                    story.headline,
                    story.dek,
                    # Template text is plain and trusted: escaping it is all the sanitizing needed.
                    paragraphs_to_html(list(story.paragraphs)),
                    body_text,
                    make_excerpt(body_text),
                    "en",
                    f"https://{paper.domain}/{story.section}/{published_at:%Y/%m/%d}/{slug}",
                    image_id,
                    reading_time_minutes(body_text),
                    published_at,
                    published_at,
                )
            )
            byline = [rng.choice(paper.reporters)] if rng.random() < 0.8 else [paper.staff]
            if rng.random() < 0.1:
                byline.append(next(r for r in paper.reporters if r != byline[0]))
            rows.article_authors.extend(
                (article_id, author, position) for position, author in enumerate(byline)
            )
            rows.article_tags.extend((article_id, self.tag_ids[PREFIX + t]) for t in story.tags)
            rows.article_countries.extend((article_id, code) for code in story.countries)
        return rows
