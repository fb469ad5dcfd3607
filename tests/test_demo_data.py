"""The demo's content files: the loader's checks and prose rules, and that the files agree with
one another (every tag, section, paper, byline and template slot they name exists)."""

from __future__ import annotations

import random
import string
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from api.demo import loader
from api.demo.articles import DRAFTS, SCHEDULED
from api.demo.loader import DataFileError, Entry, entries, table
from api.demo.network import PERSONS, SECTIONS, SOURCE_BY_SLUG, SOURCES, TAGS
from api.demo.seed_page import LEAD_STORY, SEED_STORIES
from api.demo.storylines import COUNTRIES, NETWORK_COUNTRIES, TOPICS, _slots, compose_story

# --- The loader ---------------------------------------------------------------------------------


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point the loader at a scratch folder of data files."""
    monkeypatch.setattr(loader, "_path", lambda name: tmp_path / name)
    loader._document.cache_clear()
    yield tmp_path
    loader._document.cache_clear()


def _entry(**values: object) -> Entry:
    return Entry("test.toml: [[thing]] #1", values)


def test_text_reads_line_breaks_as_spaces() -> None:
    entry = _entry(bio="A reporter\n  who covers\nparliament.\n", name="Tshering Dema")
    assert entry.text("bio") == "A reporter who covers parliament."
    assert entry.text("name") == "Tshering Dema"
    assert entry.text("missing", "") == ""
    assert entry.optional_text("missing") is None


def test_no_break_spaces_are_content_even_at_line_edges() -> None:
    entry = _entry(teaser="solving the\xa0Rohingya\xa0\ncrisis")
    assert entry.text("teaser") == "solving the\xa0Rohingya\xa0 crisis"


def test_paragraphs_as_block_or_array() -> None:
    block = "\nFirst paragraph,\nwrapped.\n\nSecond one.\n   \nThird.\n"
    assert _entry(body=block).paragraphs("body") == (
        "First paragraph, wrapped.",
        "Second one.",
        "Third.",
    )
    assert _entry(body=["One.", "Two,\nwrapped."]).paragraphs("body") == ("One.", "Two, wrapped.")
    assert _entry().paragraphs("body", ()) == ()


@pytest.mark.parametrize(
    ("values", "read", "message"),
    [
        ({}, lambda e: e.text("slug"), "'slug' is missing"),
        ({"slug": 3}, lambda e: e.text("slug"), "'slug' must be a string, not an integer"),
        ({"tags": "a"}, lambda e: e.texts("tags"), "'tags' must be an array, not a string"),
        ({"tags": ["a", 1]}, lambda e: e.texts("tags"), "item 1 is an integer"),
        ({"flag": 1}, lambda e: e.flag("flag"), "'flag' must be a boolean"),
        ({"n": True}, lambda e: e.number("n"), "'n' must be an integer or a float"),
        ({"bio": "One.\n\nTwo."}, lambda e: e.text("bio"), "must be a single paragraph"),
        (
            {"at": datetime(2018, 8, 30, 1, 20)},
            lambda e: e.moment("at"),
            "must carry a UTC offset",
        ),
        ({"day": datetime(2018, 8, 30, tzinfo=UTC)}, lambda e: e.day("day"), "must be a date"),
        ({"window": [date(2018, 8, 20)]}, lambda e: e.period("window"), "two dates"),
        (
            {"window": [date(2018, 9, 1), date(2018, 8, 1)]},
            lambda e: e.period("window"),
            "must not end before it starts",
        ),
    ],
)
def test_wrong_values_name_the_entry_and_key(
    values: dict[str, object], read: Callable[[Entry], object], message: str
) -> None:
    with pytest.raises(DataFileError, match=r"test\.toml: \[\[thing\]\] #1: ") as raised:
        read(_entry(**values))
    assert message in str(raised.value)


def test_an_unknown_key_is_an_error(data_dir: Path) -> None:
    (data_dir / "things.toml").write_text(
        '[[thing]]\nslug = "a"\n\n[[thing]]\nslug = "b"\nnmae = "typo"\n', encoding="utf-8"
    )
    with pytest.raises(DataFileError) as raised:
        entries("things.toml", "thing", lambda entry: entry.text("slug"))
    assert (
        str(raised.value) == f"{data_dir / 'things.toml'}: [[thing]] #2 (b): unknown key(s) 'nmae'"
    )


def test_an_unknown_key_in_a_nested_table_is_an_error(data_dir: Path) -> None:
    (data_dir / "nested.toml").write_text('[top.inner]\nkept = "x"\nextra = 1\n', encoding="utf-8")
    with pytest.raises(DataFileError, match=r"\[top\]: \[inner\]: unknown key\(s\) 'extra'"):
        table("nested.toml", "top", lambda entry: entry.table("inner").text("kept"))


def test_file_errors_name_the_file(data_dir: Path) -> None:
    with pytest.raises(DataFileError, match=r"absent\.toml"):
        entries("absent.toml", "thing", lambda entry: entry.text("slug"))
    (data_dir / "broken.toml").write_text('slug = "unterminated\n', encoding="utf-8")
    with pytest.raises(DataFileError, match=r"broken\.toml"):
        entries("broken.toml", "thing", lambda entry: entry.text("slug"))
    (data_dir / "flat.toml").write_text('thing = "not a table"\n', encoding="utf-8")
    with pytest.raises(
        DataFileError, match=r"flat\.toml: expected an array of tables \[\[thing\]\]"
    ):
        entries("flat.toml", "thing", lambda entry: entry.text("slug"))


# --- The shipped files agree with one another ----------------------------------------------------


def test_network_references_resolve() -> None:
    sections = {section.slug for section in SECTIONS}
    assert len(SOURCES) == len(SOURCE_BY_SLUG) == 22
    assert len(sections) == len(SECTIONS) == 11
    assert {s.parent for s in SECTIONS if s.parent} <= sections
    for person in PERSONS:
        assert person.source in SOURCE_BY_SLUG, person
        assert person.beat in sections, person


def test_stories_name_known_tags_sections_and_papers() -> None:
    sections = {section.slug for section in SECTIONS}
    bylines = {s.byline for s in SOURCES} | {p.name for p in PERSONS}
    for topic in TOPICS:
        assert set(topic.tags) <= set(TAGS), topic.key
        assert topic.section in sections, topic.key
    for story in SEED_STORIES:
        assert set(story.tags) <= set(TAGS), story.external_id
        assert story.source_slug in SOURCE_BY_SLUG
        assert story.byline in bylines
    for desk in (*DRAFTS, *SCHEDULED):
        assert set(desk.tags) <= set(TAGS), desk.headline
        assert desk.source in SOURCE_BY_SLUG
        assert desk.section in sections
        assert desk.byline in bylines


def test_seed_page_shape() -> None:
    assert LEAD_STORY.teaser is None
    assert len(LEAD_STORY.paragraphs) == 25
    assert all(story.teaser is not None for story in SEED_STORIES[1:])
    assert "\xa0Rohingya\xa0" in SEED_STORIES[2].paragraphs[0]


def test_every_template_slot_is_filled() -> None:
    slots = set(_slots(random.Random(1), COUNTRIES["TH"], COUNTRIES["CN"], date(2018, 9, 1)))
    for topic in TOPICS:
        templates = (
            *topic.headlines,
            *topic.deks,
            *topic.ledes,
            *topic.body,
            *topic.quotes,
            *topic.captions,
        )
        used = {
            name for template in templates for _, name, _, _ in string.Formatter().parse(template)
        }
        assert used - {None} <= slots, topic.key


def test_every_topic_composes_for_every_country_it_covers() -> None:
    rng = random.Random(7)
    for topic in TOPICS:
        day = topic.window[0] if topic.window else date(2018, 9, 1)
        for code in topic.countries or NETWORK_COUNTRIES:
            story = compose_story(rng, topic, COUNTRIES[code], day)
            assert story.headline
            assert "{" not in " ".join(story.paragraphs)
