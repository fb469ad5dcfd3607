"""Synthetic articles as rows for COPY: the pure, CPU-bound half of `seed_synthetic`.

A `Writer` turns its random state, the synthetic papers and the ids of their sections and tags
into table rows, story by story, with no database access, so batches can be written in a worker
thread while the server copies the previous one. Papers, reporters, topics and extra tags are
drawn from Zipf distributions, times from a bursty calendar (api/demo/synthetic_shape.py), and
bodies are lengthened to 400-1,500 words from the story templates (api/demo/synthetic_text.py).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from api.content import make_excerpt, reading_time_for_words, slugify
from api.demo.network import CDN
from api.demo.storylines import NETWORK_COUNTRIES, TOPICS, Country, Topic, compose_story
from api.demo.synthetic_shape import BODY_WORDS, Calendar, Zipf, body_words, zipf_order
from api.demo.synthetic_text import Library

PREFIX = "syn-"
IMAGE_SHARE = 0.7  # stories with a lead image
EXTRA_TAGS = (0, 0, 1, 1, 1, 2, 2, 3)  # how many long-tail tags a story gets, drawn uniformly
_EXCERPT_SOURCE = 400  # characters of the opening paragraphs enough for any excerpt

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


def undated_topics() -> list[Topic]:
    """Topics synthetic stories use: those tied to no news window (the demo's events are later)."""
    return [t for t in TOPICS if t.window is None]


@dataclass
class Writer:
    """Writes synthetic stories as rows; a pure function of its random state and inputs.

    `mastheads` are in Zipf order (the first paper publishes the most) and `tail_tag_ids` too;
    the calendar is drawn from the seed alone, so appended loads share its news events.
    """

    rng: random.Random
    seed: int
    mastheads: Sequence[Masthead]
    section_ids: dict[str, int]
    tag_ids: dict[str, int]
    tail_tag_ids: Sequence[int]
    topics: dict[str, list[Topic]] = field(init=False)
    calendar: Calendar = field(init=False)
    library: Library = field(init=False)

    def __post_init__(self) -> None:
        catalogue = undated_topics()
        self.catalogue = catalogue
        # Each country's topics in its own Zipf order: a paper has its staple stories.
        by_key = {t.key: t for t in catalogue}
        self.topics = {
            code: [
                by_key[key]
                for key in zipf_order(
                    [t.key for t in catalogue if t.countries is None or code in t.countries],
                    code,
                )
            ]
            for code in NETWORK_COUNTRIES
        }
        self.topic_draw = {code: Zipf(len(t), 1.1) for code, t in self.topics.items()}
        self.paper_draw = Zipf(len(self.mastheads), 1.0)
        self.reporter_draw = {m.id: Zipf(len(m.reporters), 1.0) for m in self.mastheads}
        self.tail_draw = Zipf(len(self.tail_tag_ids), 1.0) if self.tail_tag_ids else None
        calendar_rng = random.Random(f"broadsheet-synthetic-calendar:{self.seed}")  # noqa: S311
        self.calendar = Calendar(calendar_rng, len(catalogue))
        self.library = Library(self.topics)

    def _topic(self, country: Country, event_topic: int | None) -> Topic:
        if event_topic is not None:
            topic = self.catalogue[event_topic]
            if topic.countries is None or country.code in topic.countries:
                return topic
        covering = self.topics[country.code]
        return covering[self.topic_draw[country.code].draw(self.rng)]

    def _tags(self, topic: Topic) -> list[int]:
        tags = [self.tag_ids[PREFIX + t] for t in topic.tags]
        if self.tail_draw is not None:
            for _ in range(self.rng.choice(EXTRA_TAGS)):
                tag = self.tail_tag_ids[self.tail_draw.draw(self.rng)]
                if tag not in tags:
                    tags.append(tag)
        return tags

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
            paper = self.mastheads[self.paper_draw.draw(rng)]
            published_at, event_topic = self.calendar.draw(rng)
            topic = self._topic(paper.country, event_topic)
            story = compose_story(rng, topic, paper.country, published_at.date())
            body = self.library.lengthen(
                rng, story.paragraphs, paper.country, story.section, body_words(rng), BODY_WORDS[1]
            )
            body_text = "\n\n".join(p.text for p in body)
            # The excerpt only ever reads the opening: no need to scan the whole body.
            cut = body_text.find(" ", _EXCERPT_SOURCE)
            excerpt = make_excerpt(body_text if cut < 0 else body_text[:cut])
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
                    "\n".join(p.html for p in body),
                    body_text,
                    excerpt,
                    "en",
                    f"https://{paper.domain}/{story.section}/{published_at:%Y/%m/%d}/{slug}",
                    image_id,
                    reading_time_for_words(sum(p.words for p in body)),
                    published_at,
                    published_at,
                )
            )
            reporters = paper.reporters
            byline = [reporters[self.reporter_draw[paper.id].draw(rng)]]
            if rng.random() < 0.15:
                byline = [paper.staff]
            elif rng.random() < 0.1 and len(reporters) > 1:
                byline.append(next(r for r in reporters if r != byline[0]))
            rows.article_authors.extend(
                (article_id, author, position) for position, author in enumerate(byline)
            )
            rows.article_tags.extend((article_id, tag) for tag in self._tags(topic))
            rows.article_countries.extend((article_id, code) for code in story.countries)
        return rows
