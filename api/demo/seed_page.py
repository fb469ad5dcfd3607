"""The seven Diplomacy stories on the Eastern Briefings page, as the demo newsroom publishes them.

Text is copied from the page verbatim: headlines with their typos ("denucelarization") and curly
quotes, the lead story's dek and every paragraph of its body, and the no-break spaces the page
carries inside some teasers. The other six stories appear on the page only as teasers cut
mid-word; each teaser is kept as its story's opening paragraph and the cut word and sentence are
finished (marked at each story). A few stories then get one or two paragraphs of well-documented
background (the Pyongyang Joint Declaration, the Maldives election date); none of the completions
adds words to anyone's quoted speech beyond closing the quote that the page cuts off. The stories
are in `data/seed_page.toml`; this module gives them their type.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from api.demo.loader import Entry, entries


@dataclass(frozen=True)
class SeedStory:
    """One story from the seed page and everything the demo stores about it."""

    headline: str
    date: date  # the date the page shows ("Updated: August 30, 2018" for the lead)
    source_slug: str
    byline: str  # the author's name as the page prints it after "By"
    section_slug: str
    external_id: str
    published_at: datetime
    updated_at: datetime
    paragraphs: tuple[str, ...]
    tags: tuple[str, ...]
    countries: tuple[str, ...]
    dek: str | None = None
    teaser: str | None = None  # the page's teaser, exactly as cut; None for the lead story
    image_caption: str | None = None


def _story(entry: Entry) -> SeedStory:
    teaser = entry.optional_text("teaser")
    if teaser is None:
        paragraphs = entry.paragraphs("paragraphs")
    else:
        # The teaser, finished where the page cuts it, opens the story; background may follow.
        opening = teaser + entry.text("completion")
        paragraphs = (opening, *entry.paragraphs("paragraphs", ()))
    return SeedStory(
        headline=entry.text("headline"),
        date=entry.day("date"),
        source_slug=entry.text("source_slug"),
        byline=entry.text("byline"),
        section_slug=entry.text("section_slug"),
        external_id=entry.text("external_id"),
        published_at=entry.moment("published_at"),
        updated_at=entry.moment("updated_at"),
        paragraphs=paragraphs,
        tags=entry.texts("tags"),
        countries=entry.texts("countries"),
        dek=entry.optional_text("dek"),
        teaser=teaser,
        image_caption=entry.optional_text("image_caption"),
    )


SEED_STORIES: tuple[SeedStory, ...] = entries("seed_page.toml", "story", _story)
# The first story in the file is the page's lead: the only one printed in full, under its dek.
LEAD_STORY = SEED_STORIES[0]
