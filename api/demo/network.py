"""Who publishes in the demo: the Asia News Network papers, the site's sections, bylines and tags.

Sources are modelled on Asia News Network member papers, with short public descriptions; the
person bylines other than Cod Satrusayang are invented, plausible regional names. Only the
seed-page stories are real; everything the demo generates around them is fictional. The content
itself is in `data/network.toml`; this module gives it its types.
"""

from __future__ import annotations

from dataclasses import dataclass

from api.demo.loader import Entry, entries, table

CDN = "https://cdn.broadsheet.example"
_FILE = "network.toml"


@dataclass(frozen=True)
class SourceSpec:
    """A newspaper in the network; `country` is the country it mostly reports on."""

    slug: str
    name: str
    country: str
    url: str
    description: str
    id_prefix: str  # prefix of the paper's own article ids ("kh-2018-0830-001")
    byline: str  # the organisation byline the paper uses for staff stories
    staff_bio: str | None = None  # the staff byline's bio, where the paper prints its own

    @property
    def domain(self) -> str:
        return self.url.removeprefix("https://")

    @property
    def logo_url(self) -> str:
        return f"{CDN}/logos/{self.slug}.png"


@dataclass(frozen=True)
class SectionSpec:
    slug: str
    name: str
    description: str
    parent: str | None = None


@dataclass(frozen=True)
class PersonSpec:
    """A reporter: their paper and the section they mostly write for."""

    name: str
    source: str
    beat: str  # section slug
    bio: str


def _source(entry: Entry) -> SourceSpec:
    return SourceSpec(
        slug=entry.text("slug"),
        name=entry.text("name"),
        country=entry.text("country"),
        url=entry.text("url"),
        description=entry.text("description"),
        id_prefix=entry.text("id_prefix"),
        byline=entry.text("byline"),
        staff_bio=entry.optional_text("staff_bio"),
    )


def _section(entry: Entry) -> SectionSpec:
    return SectionSpec(
        slug=entry.text("slug"),
        name=entry.text("name"),
        description=entry.text("description"),
        parent=entry.optional_text("parent"),
    )


def _person(entry: Entry) -> PersonSpec:
    return PersonSpec(
        name=entry.text("name"),
        source=entry.text("source"),
        beat=entry.text("beat"),
        bio=entry.text("bio"),
    )


def _tags(entry: Entry) -> dict[str, str]:
    return {slug: entry.text(slug) for slug in entry}


SOURCES: tuple[SourceSpec, ...] = entries(_FILE, "source", _source)
SECTIONS: tuple[SectionSpec, ...] = entries(_FILE, "section", _section)
# Tag slug -> display name. Every tag a story uses must be listed here.
TAGS: dict[str, str] = table(_FILE, "tags", _tags)
# Bylines for staff stories and one or two reporters per paper.
PERSONS: tuple[PersonSpec, ...] = entries(_FILE, "person", _person)

SOURCE_BY_SLUG: dict[str, SourceSpec] = {source.slug: source for source in SOURCES}


def organisation_bio(source: SourceSpec) -> str:
    """The bio shown for a paper's organisation byline."""
    if source.staff_bio is not None:
        return source.staff_bio
    return f"Staff reporting from {source.name}. {source.description}"
