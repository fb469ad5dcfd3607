"""News-story templates for generated demo and benchmark content.

Each `Topic` is a kind of story a paper in the network runs again and again (a central bank
decision, monsoon floods, a ministerial visit), written as headline, dek and paragraph templates
with slots filled from a `Country` profile and from numbers drawn from a seeded random
generator. `compose_story` turns a topic, a country and a date into a readable story with tags,
the countries it is about and a photo caption. Analysts quoted in generated stories are
invented people; officials are named only by their role. The profiles are in
`data/countries.toml` and the topics in `data/topics.toml`; this module gives them their types.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from api.demo.loader import Entry, entries, table

_COUNTRIES_FILE = "countries.toml"
_TOPICS_FILE = "topics.toml"


@dataclass(frozen=True)
class Country:
    """What a template needs to know to write about a country."""

    code: str
    name: str  # as used mid-sentence: "the Philippines"
    adjective: str
    capital: str
    city: str = ""  # another large city
    region: str = ""  # a province or region often in the news
    currency: str = ""
    central_bank: str = ""
    index: str = ""  # the main stock index
    legislature: str = ""
    leader: str = ""  # head of government, by title
    university: str = ""
    analysts: tuple[str, str] = ("", "")  # invented experts
    port: str = ""
    given_names: tuple[str, ...] = ()  # for invented bylines in synthetic data
    family_names: tuple[str, ...] = ()
    family_first: bool = False
    population: float = 0.0  # millions, 2018; scales people counts in stories


def _country(entry: Entry) -> Country:
    analysts = entry.texts("analysts", ("", ""))
    if len(analysts) != 2:
        raise entry.error("analysts", "must name exactly two people")
    return Country(
        code=entry.text("code"),
        name=entry.text("name"),
        adjective=entry.text("adjective"),
        capital=entry.text("capital"),
        city=entry.text("city", ""),
        region=entry.text("region", ""),
        currency=entry.text("currency", ""),
        central_bank=entry.text("central_bank", ""),
        index=entry.text("index", ""),
        legislature=entry.text("legislature", ""),
        leader=entry.text("leader", ""),
        university=entry.text("university", ""),
        analysts=(analysts[0], analysts[1]),
        port=entry.text("port", ""),
        given_names=entry.texts("given_names", ()),
        family_names=entry.texts("family_names", ()),
        family_first=entry.flag("family_first", False),
        population=entry.number("population", 0.0),
    )


def _unknown_countries(codes: tuple[str, ...]) -> str | None:
    unknown = [code for code in codes if code not in COUNTRIES]
    return f"names countries without a profile: {', '.join(unknown)}" if unknown else None


def _groups(entry: Entry) -> dict[str, tuple[str, ...]]:
    groups = {name: entry.texts(name) for name in entry}
    for name, codes in groups.items():
        if problem := _unknown_countries(codes):
            raise entry.error(name, problem)
    return groups


COUNTRIES: dict[str, Country] = {
    country.code: country for country in entries(_COUNTRIES_FILE, "country", _country)
}

HAS_STOCK_INDEX = tuple(c.code for c in COUNTRIES.values() if c.index)
NETWORK_COUNTRIES = tuple(code for code, c in COUNTRIES.items() if c.central_bank)
# Groups a topic can be written for by name; "has-stock-index" follows from the profiles.
COUNTRY_GROUPS: dict[str, tuple[str, ...]] = {
    **table(_COUNTRIES_FILE, "groups", _groups),
    "has-stock-index": HAS_STOCK_INDEX,
}


@dataclass(frozen=True)
class Topic:
    """A recurring kind of story, written as templates with {slots}."""

    key: str
    section: str
    tags: tuple[str, ...]
    headlines: tuple[str, ...]
    deks: tuple[str, ...]
    ledes: tuple[str, ...]  # ledes[i % len(ledes)] opens the story under headlines[i]
    body: tuple[str, ...]  # in narrative order; a story uses an ordered subset
    quotes: tuple[str, ...]
    captions: tuple[str, ...]
    countries: tuple[str, ...] | None = None  # None: any network country
    partners: tuple[str, ...] = ()  # non-empty: the story is also about a partner country
    window: tuple[date, date] | None = None  # only newsworthy between these dates (inclusive)

    def covers(self, day: date) -> bool:
        """Whether a story on this topic makes sense on `day`."""
        return self.window is None or self.window[0] <= day <= self.window[1]


def _countries(entry: Entry, listed: str, group: str) -> tuple[str, ...] | None:
    """Country codes given as an array (`listed`) or by group name (`group`); None if neither."""
    if entry.has(group):
        if entry.has(listed):
            raise entry.error(group, f"cannot be given together with {listed!r}")
        name = entry.text(group)
        if name not in COUNTRY_GROUPS:
            raise entry.error(group, f"names no group of {_COUNTRIES_FILE}: {name!r}")
        return COUNTRY_GROUPS[name]
    if not entry.has(listed):
        return None
    codes = entry.texts(listed)
    if problem := _unknown_countries(codes):
        raise entry.error(listed, problem)
    return codes


def _topic(entry: Entry) -> Topic:
    topic = Topic(
        key=entry.text("key"),
        section=entry.text("section"),
        tags=entry.texts("tags"),
        headlines=entry.texts("headlines"),
        deks=entry.paragraphs("deks"),
        ledes=entry.paragraphs("ledes"),
        body=entry.paragraphs("body"),
        quotes=entry.paragraphs("quotes"),
        captions=entry.paragraphs("captions"),
        countries=_countries(entry, "countries", "country_group"),
        partners=_countries(entry, "partners", "partner_group") or (),
        window=entry.period("window"),
    )
    # compose_story draws from every one of these, so none may be empty.
    for name in ("headlines", "deks", "ledes", "body", "quotes", "captions"):
        if not getattr(topic, name):
            raise entry.error(name, "must not be empty")
    return topic


TOPICS: tuple[Topic, ...] = entries(_TOPICS_FILE, "topic", _topic)
TOPIC_BY_KEY: dict[str, Topic] = {topic.key: topic for topic in TOPICS}

# Projects a Belt and Road story can be about.
_PROJECTS: tuple[str, ...] = table(
    _TOPICS_FILE, "slot_choices", lambda choices: choices.texts("projects")
)
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@dataclass(frozen=True)
class Story:
    """A composed story, ready to be stored."""

    topic: str
    section: str
    headline: str
    dek: str
    paragraphs: tuple[str, ...]
    tags: tuple[str, ...]
    countries: tuple[str, ...]
    image_caption: str


def topics_for(country: str, day: date | None = None) -> tuple[Topic, ...]:
    """Topics a story about `country` can be on (on `day`, if given), in catalogue order."""
    return tuple(
        t
        for t in TOPICS
        if (t.countries is None or country in t.countries) and (day is None or t.covers(day))
    )


def _capitalize(text: str) -> str:
    return text[:1].upper() + text[1:]


def _possessive(name: str) -> str:
    return name + ("\u2019" if name.endswith("s") else "\u2019s")


def _people(millions: float) -> str:
    """A head count as a newspaper writes it: "105 million", "2.4 million", "480,000"."""
    if millions >= 10:
        return f"{round(millions):,} million"
    if millions >= 1:
        return f"{millions:.1f} million"
    return f"{round(millions * 1000) * 1000:,}"


# Newspaper style spells out numbers below ten; templates only draw small numbers from 3 to 9.
_SMALL_NUMBERS = ("three", "four", "five", "six", "seven", "eight", "nine")
_SMALL_ORDINALS = ("third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth")


def _slots(rng: random.Random, home: Country, partner: Country | None, day: date) -> dict[str, str]:
    """Every value a template may ask for, drawn in a fixed order so output is reproducible."""
    analysts = home.analysts if home.analysts[0] else ("Daniel Koh", "Priya Nair")
    first_analyst = rng.randrange(2)
    previous = day.replace(day=1) - timedelta(days=1)
    rate = rng.randrange(4, 34) * 0.25
    small = rng.randrange(len(_SMALL_NUMBERS))
    slots = {
        "country": home.name,
        "Country": _capitalize(home.name),
        "country\u2019s": _possessive(home.name),
        "Country\u2019s": _capitalize(_possessive(home.name)),
        "adjective": home.adjective,
        "capital": home.capital,
        "city": home.city or home.capital,
        "region": home.region or home.capital,
        "currency": home.currency,
        "central_bank": home.central_bank,
        "index": home.index,
        "legislature": home.legislature,
        "leader": home.leader,
        "university": home.university,
        "analyst": analysts[first_analyst],
        "analyst2": analysts[1 - first_analyst],
        "port": home.port,
        "weekday": (day - timedelta(days=1)).strftime("%A"),
        "prev_month": _MONTHS[previous.month - 1],
        "next_month": _MONTHS[day.month % 12],
        "next_year": str(day.year + 1),
        "target_year": str(day.year + rng.randrange(7, 13)),
        "rate": f"{rate:.2f}",
        "bps": rng.choice(("25", "50")),
        "pct": f"{rng.uniform(1.2, 9.8):.1f}",
        "pct2": f"{rng.uniform(0.3, 4.6):.1f}",
        "pct_round": str(rng.randrange(15, 55, 5)),
        "n": _SMALL_NUMBERS[small],
        "nth": _SMALL_ORDINALS[small],
        "n2": str(rng.randrange(12, 60)),
        "n3": str(rng.randrange(120, 900)),
        "thousand": f"{rng.randrange(12, 480) * 100:,}",
        "million": str(rng.randrange(15, 950)),
        "billion": f"{rng.uniform(0.6, 14.0):.1f}",
        "deaths": str(rng.randrange(3, 42)),
        "displaced": f"{rng.randrange(12, 950) * 100:,}",
        "mw": str(rng.randrange(5, 60) * 20),
        "project": rng.choice(_PROJECTS),
    }
    people = home.population or 10.0
    slots["voters"] = _people(people * rng.uniform(0.55, 0.7))
    slots["wage_earners"] = _people(people * rng.uniform(0.02, 0.08))
    if partner is not None:
        slots |= {
            "partner": partner.name,
            "Partner": _capitalize(partner.name),
            "partner_adjective": partner.adjective,
            "partner_capital": partner.capital,
        }
    return slots


def _fill(template: str, slots: Mapping[str, str]) -> str:
    return _capitalize(template.format_map(slots))


def compose_story(
    rng: random.Random,
    topic: Topic,
    home: Country,
    day: date,
    partner: Country | None = None,
) -> Story:
    """Write one story on `topic` about `home` (and `partner`, for two-country topics).

    The same random state, topic, country and date always give the same story. Stories have a
    lede, an ordered selection of the topic's body paragraphs and usually a quote: between
    three and eight paragraphs.
    """
    if topic.partners and partner is None:
        candidates = [code for code in topic.partners if code != home.code]
        partner = COUNTRIES[rng.choice(candidates)]
    slots = _slots(rng, home, partner, day)
    # Headlines and ledes are written in matching pairs: the lede tells the headline's story.
    angle = rng.randrange(len(topic.headlines))
    headline = _fill(topic.headlines[angle], slots)
    dek = _fill(rng.choice(topic.deks), slots)
    body_count = rng.randint(2, min(len(topic.body), 6))
    chosen = sorted(rng.sample(range(len(topic.body)), body_count))
    body = [_fill(topic.body[i], slots) for i in chosen]
    quote_count = rng.choice((0, 1, 1, 2)) if len(topic.quotes) > 1 else 1
    quotes = [
        _fill(q, slots) for q in rng.sample(topic.quotes, min(quote_count, 8 - 1 - len(body)))
    ]
    # The first quote follows the paragraph after the lede; a second one closes the story.
    lede = _fill(topic.ledes[angle % len(topic.ledes)], slots)
    paragraphs = [lede, *body[:1], *quotes[:1], *body[1:]]
    paragraphs.extend(quotes[1:])
    countries = [home.code]
    if partner is not None and partner.code != home.code:
        countries.append(partner.code)
    return Story(
        topic=topic.key,
        section=topic.section,
        headline=headline,
        dek=dek,
        paragraphs=tuple(paragraphs),
        tags=topic.tags,
        countries=tuple(countries),
        image_caption=_fill(rng.choice(topic.captions), slots),
    )
