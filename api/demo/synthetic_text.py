"""Full-length bodies for synthetic stories, written from the demo's story templates.

A composed story (api/demo/storylines.py) has three to eight paragraphs, a few hundred words at
most; real articles run longer. A `Library` holds, for each country, paragraphs written ahead
from every topic that covers it (several drafts each, with different figures and quotes), grouped
by section. A story is lengthened with paragraphs of its own section first, then of the
country's other news, so search sees the templates' real vocabulary in realistic proportions:
words every story uses ("government", "said") are common, a niche topic's words are rare.
Paragraphs are escaped for HTML once, when the library is built, not once per story.
"""

from __future__ import annotations

import html
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from api.demo.storylines import COUNTRIES, Country, Topic, compose_story

DRAFTS_PER_TOPIC = 6  # stories written per (topic, country) to fill the library
_DRAFT_DAY = date(2016, 6, 15)


@dataclass(frozen=True)
class Paragraph:
    text: str
    html: str  # "<p>…</p>", escaped
    words: int


def paragraph(text: str) -> Paragraph:
    """A paragraph with its HTML and word count (the same rules as api.content's)."""
    clean = text.strip()
    return Paragraph(clean, f"<p>{html.escape(clean, quote=False)}</p>", len(clean.split()))


@dataclass(frozen=True)
class Shelf:
    """A country's paragraphs: by section, and all of them."""

    by_section: dict[str, tuple[Paragraph, ...]]
    everything: tuple[Paragraph, ...]


class Library:
    """Paragraphs to lengthen stories with, per country; the same for every run and seed."""

    def __init__(self, topics: Mapping[str, Sequence[Topic]]) -> None:
        self.shelves: dict[str, Shelf] = {}
        for code, covering in topics.items():
            rng = random.Random(f"broadsheet-synthetic-library:{code}")  # noqa: S311
            by_section: dict[str, dict[str, Paragraph]] = {}
            for topic in covering:
                for _ in range(DRAFTS_PER_TOPIC):
                    story = compose_story(rng, topic, COUNTRIES[code], _DRAFT_DAY)
                    shelf = by_section.setdefault(topic.section, {})
                    for text in story.paragraphs:
                        shelf.setdefault(text, paragraph(text))  # no paragraph twice
            sections = {name: tuple(found.values()) for name, found in by_section.items()}
            everything = tuple(p for found in sections.values() for p in found)
            self.shelves[code] = Shelf(sections, everything)

    def lengthen(
        self,
        rng: random.Random,
        opening: Sequence[str],
        country: Country,
        section: str,
        words: int,
        limit: int,
    ) -> list[Paragraph]:
        """The story's own paragraphs, then library paragraphs until at least `words` words
        (never more than `limit`).

        No paragraph is used twice in one story while the country's shelf has fresh ones.
        """
        body = [paragraph(text) for text in opening]
        total = sum(p.words for p in body)
        seen = {p.text for p in body}
        shelf = self.shelves[country.code]
        for pool in (shelf.by_section.get(section, ()), shelf.everything):
            # Random picks, skipping repeats: cheaper than shuffling a long shelf per story.
            for _ in range(2 * len(pool)):
                if total >= words:
                    break
                candidate = pool[rng.randrange(len(pool))]
                if candidate.text in seen or total + candidate.words > limit:
                    continue
                body.append(candidate)
                seen.add(candidate.text)
                total += candidate.words
        # A small shelf: repeat paragraphs rather than publish a short story (within reason:
        # near `limit` no paragraph may fit, and a story a few words short is fine).
        for _ in range(100):
            if total >= words:
                break
            candidate = shelf.everything[rng.randrange(len(shelf.everything))]
            if total + candidate.words <= limit:
                body.append(candidate)
                total += candidate.words
        return body
