"""The seven Diplomacy stories on the Eastern Briefings page, as the demo newsroom publishes them.

Text is copied from the page verbatim: headlines with their typos ("denucelarization") and curly
quotes, the lead story's dek and every paragraph of its body, and the no-break spaces the page
carries inside some teasers. The other six stories appear on the page only as teasers cut
mid-word; each teaser is kept as its story's opening paragraph and the cut word and sentence are
finished (marked at each story). A few stories then get one or two paragraphs of well-documented
background (the Pyongyang Joint Declaration, the Maldives election date); none of the completions
adds words to anyone's quoted speech beyond closing the quote that the page cuts off.
"""

# ruff: noqa: RUF001 -- the page's typography (curly quotes and apostrophes) is kept on purpose.

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime


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


def _utc(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


KOREA_HERALD_ABOUT = (
    "The Korea Herald is the nation’s largest English-language daily and the country’s "
    "sole member of the Asia News Network."
)
NEWSLETTER_DESCRIPTION = (
    "Our Eastern Briefings Newsletter presents curated stories from 22 Asian "
    "newspapers from South, Southeast and Northeast Asia."
)

LEAD_DEK = (
    "The US appears to be turning up the heat on North Korea amid stalled "
    "denuclearization talks, with US Defense Secretary James Mattis hinting at a "
    "resumption of US-South Korea military drills."
)
LEAD_PARAGRAPHS: tuple[str, ...] = (
    (
        "As the US reportedly responds to a “belligerent letter” from North Korea by "
        "stepping up the pressure, prospects of negotiations between North Korea and the "
        "US appear bleak unless the communist state makes a major concession, experts say."
    ),
    (
        "US President Donald Trump suspended the drills while talks with North Korea are "
        "underway in “good faith,” following his June 12 summit with North Korean leader "
        "Kim Jong-un in Singapore, a decision critics viewed as a premature concession to "
        "the North."
    ),
    (
        "“We took the step to suspend several of the largest exercises as a good-faith "
        "measure coming out of the Singapore summit,” Mattis told reporters Tuesday. “We "
        "have no plans at this time to suspend any more exercises.”"
    ),
    (
        "In the wake of the news report, South Korean authorities said Wednesday that they "
        "are closely coordinating with the US on the issue."
    ),
    (
        "“For now, South Korea and the US have not discussed the matter,” presidential "
        "spokesperson Kim Eui-kyeom told reporters. “It is an issue that should be "
        "discussed and decided upon between South Korea and the US while watching progress "
        "on North Korea’s denuclearization.”"
    ),
    (
        "The US signaled a possible resumption of the military exercises, which North "
        "Korea has denounced as “rehearsals for invasion,” after Trump canceled Pompeo’s "
        "planned trip to Pyongyang citing “insufficient” progress on denuclearization "
        "talks."
    ),
    (
        "US media reported that a “belligerent” letter sent by North Korean senior "
        "official Kim Yong-chol to Pompeo, only hours before he was scheduled to leave for "
        "Pyongyang with his new special envoy Stephen Biegun, had led Trump to cancel "
        "Pompeo’s trip."
    ),
    (
        "In the letter, North Korea warned the US that denuclearization talks are “again "
        "at stake and may fall apart” because “the US is still not ready to meet (North "
        "Korea’s) expectations in terms of taking a step forward to sign a peace treaty,” "
        "CNN reported, citing three unnamed sources."
    ),
    (
        "Follow-up negotiations to the US-North Korea June Singapore summit have shown "
        "little progress, with the two countries divided over the sequence of the "
        "denuclearization process."
    ),
    (
        "North Korea has demanded that the US declare an end to the 1950-53 Korean War as "
        "the first step to building trust in return for the goodwill gestures it has made, "
        "while the US has reportedly asked North Korea to hand over an inventory of its "
        "nuclear weapons programs first."
    ),
    (
        "While toughening its stance on North Korea, the US also signaled that it is still "
        "open to engaging with North Korea."
    ),
    (
        "Pompeo’s spokeswoman, Heather Nauert, cited a statement from Pompeo that said, "
        "“America stands ready to engage when it is clear that Chairman Kim stands ready "
        "to deliver on the commitments that he made at the Singapore summit with President "
        "Trump to completely denuclearize North Korea.”"
    ),
    "She also said “there is progress being made” on denuclearization.",
    (
        "The US appears to be seeking to prompt a change in North Korea’s attitude through "
        "pressure and appeasement amid a deadlock in their negotiations."
    ),
    (
        "“President Trump canceled Pompeo’s trip, but kept alive a momentum for dialogue. "
        "In line with the move, the US is sending a warning to North Korea by hinting at a "
        "resumption of the joint military drills,” said Shin Beom-chul, a senior "
        "researcher at the Asan Institute for Policy Studies."
    ),
    (
        "“With the momentum for diplomacy still alive, the US would not want to enrage "
        "North Korea for now, so it will not immediately resume the military exercises but "
        "wait for the North’s action until after the midterm elections in November.”"
    ),
    "The US is not likely to make any more concessions until North Korea acts, he said.",
    (
        "“In the worst scenario, North Korea may not make any concession either. The US "
        "then resumes the joint military drills with South Korea, and North Korea in "
        "response accuses the US of breaking its promise and makes a provocation, which "
        "could fuel tensions on the Korean Peninsula.”"
    ),
    (
        "North Korea on Wednesday blasted the US for its sanctions against the North, "
        "calling it an “outdated confrontation policy” in its state-run newspaper the "
        "Rodong Sinmun."
    ),
    (
        "But it has remained silent on Pompeo’s canceled trip to Pyongyang, which experts "
        "said may be a sign of the reclusive country’s frustration."
    ),
    (
        "Lim Eul-Chul, professor at Kyungnam University’s Graduate School of North Korean "
        "Studies, stressed the role the South Korean government should play in order to "
        "break the impasse between the US and North Korea."
    ),
    (
        "“Both the US and North Korea want to see progress, but they cannot make "
        "concessions anymore, given their domestic political schedules,” he said, "
        "referring to the US midterm elections in November and the 70th anniversary of the "
        "founding of North Korea in September. “So it appears to be difficult to advance "
        "their negotiations any further.”"
    ),
    (
        "“But I think their negotiations could gain speed to some extent if South Korea "
        "more actively serves to bridge the gap as a mediator,” he said."
    ),
    (
        "With talks between the US and North Korea in a stalemate, South Korea — which "
        "helped broker talks between North Korea and the US — has stressed the need for "
        "President Moon Jae-in’s scheduled summit with Kim in Pyongyang next month."
    ),
    (
        "“I believe that the role of the inter-Korean summit has become much greater in "
        "solving the problem and overcoming the hurdle as North Korea-US relations are in "
        "a deadlock,” presidential spokesperson Kim told reporters."
    ),
)

_TEASER_NUCLEAR_INSPECTIONS = (
    "Summit talks, meetings on nuclear inspections to take place soon. With the "
    "leaders of US and North Korea expected to meet soon for a second summit, the two "
    "countries are set to restart negotiations on nuclear inspections. US President "
    "Donald Trump said Monday that the venue of his second summit with North Korean "
    "leader Kim Jong-un would be announced in “a pretty short period of time.” Trump "
    "made the comments after talks with President Moon Jae-in in New York, during "
    "which Moon conveyed Kim’s proposals to Trump including the date and location for "
    "a second summit. Moon’s meeting with Trump follows his three-day trip to North "
    "Korea las"
)
_TEASER_ROHINGYA = (
    "Bangladesh Prime Minister Sheikh Hasina yesterday made three recommendations for "
    "solving the\xa0Rohingya\xa0crisis at its root while at the UN meeting in New "
    "York. According to her second recommendation, Myanmar must create a conducive "
    "environment by building trust and guaranteeing protection, rights and pathway to "
    "citizenship for all Rohingyas. If needed, it should create a “safe zone” inside "
    "the country to protect all civilians. Her third recommendation says atrocious "
    "crimes against Rohingyas in Myanmar should be prevented by bringing "
    "accountability and justice, particularly in the light of recommendations of the "
    "Fact-Finding Mission of the UN Human Rights Council. The PM was speaking at a "
    "high-level event on the “Global Compact on Refugees: A Model for Greater "
    "Solidarity and Cooperation” at the UN headquarters in New York. “In Bangladesh, "
    "now we’re faced with the largest forced mov"
)
_TEASER_CORRESPONDING_MEASURES = (
    "South Korean President Moon Jae-in arrived in New York on Sunday for a bilateral "
    "summit with US President Donald Trump that is partly aimed at brokering a second "
    "US-North Korea summit. South Korean President Moon Jae-in and US President Donald "
    "Trump on Monday discussed possible ways to reward North Korea for its "
    "denuclearization measures that will apparently include a second US-North Korea "
    "summit. “The leaders agreed to continue communicating closely about corresponding "
    "measures,” said Kim Eui-kyeom, a spokesman for South Korea’s presidential office "
    "Cheong Wa Dae. In their bilateral summit held in New York, the leaders of South K"
)
_TEASER_MALDIVES = (
    "Maldives airport opened a new runway constructed by China this week, a sign of "
    "Beijing’s growing influence on the island nation. Maldives airport opened its "
    "newly developed Code F runway at the Velana International Airport on Tuesday "
    "after two years of construction by Chinese firms. According to Chinese state "
    "media, the new runway is a milestone project of the Belt and Road Initiative. The "
    "contract for the airport expansion, including the development of the fuel farm, a "
    "cargo terminal, and the new runway, was signed between China and the Maldives in "
    "2014, Xinhua News Agency reported. Constructed by Beijing Urban Construction "
    "Group, a large international construction group based in China, the new runway is "
    "3,400 meters long and 60 meters wide. It is the latest push by China to gain "
    "influence over the politically troubled nation. Earlier this year, Maldivian "
    "President\xa0Abdulla Y"
)
_TEASER_KIM_VOWS = (
    "North Korean leader Kim Jong-un on Wednesday pledged to visit Seoul and "
    "reaffirmed commitment to giving up his country’s nuclear program. The Pyongyang "
    "Joint\xa0Declaration of September 2018 signed by the two l"
)
_TEASER_EL_SALVADOR = (
    "Prosecutors in El Salvador to investigate the alleged graft of some $10 million "
    "in funds donated by Taiwan. El Salvador announced it would sever ties with Taiwan "
    "and switch its allegiance to Beijing on 21th August. The loss of the Central "
    "American country reduces the number of Taiwan’s formal diplomatic allies to just "
    "17. Now the current president of El Salvador, Sanchez Ceren, is accused that he "
    "won the election by relying on partial fund which was donated by Taiwan in 2014. "
    "Prosecutor Douglas Melendez said in a TV interview that Taiwan gave $38 million "
    "to El Salvador for various projects, but the fund was used in a partisan campaign "
    "by Mauricio Funes in election won by current President Salvador Sanchez Ceren, "
    "the presidential candidate of the FMLN party in 2014. The FMLN party calling the "
    "accusations “baseless” and accusing Melendez of “attacking our candidate and o"
)

_KOREA_TAGS = ("north-korea", "denuclearization")
_KOREA_COUNTRIES = ("KP", "KR", "US")

LEAD_STORY = SeedStory(
    headline="US ramps up pressure on N. Korea",
    date=date(2018, 8, 30),
    source_slug="the-korea-herald",
    byline="The Korea Herald",
    section_slug="diplomacy",
    external_id="kh-2018-0830-001",
    published_at=_utc(2018, 8, 30, 1, 20),
    updated_at=_utc(2018, 8, 30, 8, 5),
    dek=LEAD_DEK,
    paragraphs=LEAD_PARAGRAPHS,
    tags=(*_KOREA_TAGS, "us-north-korea-summit", "military-drills"),
    countries=_KOREA_COUNTRIES,
    image_caption="A US Army tank during a joint exercise with South Korean forces.",
)

SEED_STORIES: tuple[SeedStory, ...] = (
    LEAD_STORY,
    SeedStory(
        headline="US, NK head toward discussions on nuclear inspections",
        date=date(2018, 9, 26),
        source_slug="the-korea-herald",
        byline="The Korea Herald",
        section_slug="diplomacy",
        external_id="kh-2018-0926-001",
        published_at=_utc(2018, 9, 26, 6, 10),
        updated_at=_utc(2018, 9, 26, 6, 10),
        teaser=_TEASER_NUCLEAR_INSPECTIONS,
        paragraphs=(
            # Cut at "North Korea las": finished as the trip it was, Moon's third summit with Kim.
            _TEASER_NUCLEAR_INSPECTIONS + "t week, his third summit with Kim this year.",
            "In the Pyongyang Joint Declaration signed during that visit, North Korea said it was "
            "willing to permanently dismantle its nuclear facilities in Yongbyon if the US takes "
            "corresponding measures.",
        ),
        tags=(*_KOREA_TAGS, "us-north-korea-summit", "nuclear-inspections"),
        countries=_KOREA_COUNTRIES,
    ),
    SeedStory(
        headline="Ending Rohingya Crisis: Bangladesh tables 3 proposals at UN meeting",
        date=date(2018, 9, 25),
        source_slug="the-daily-star",
        byline="Daily Star",
        section_slug="diplomacy",
        external_id="ds-2018-0925-001",
        published_at=_utc(2018, 9, 25, 4, 30),
        updated_at=_utc(2018, 9, 25, 4, 30),
        teaser=_TEASER_ROHINGYA,
        paragraphs=(
            # Cut inside a quotation at "the largest forced mov": the word is finished and the
            # quotation closed there rather than putting further words in the speaker's mouth.
            _TEASER_ROHINGYA + "ement of people,” she said.",
            "Her first recommendation called on Myanmar to abolish discriminatory laws, policies "
            "and practices against the Rohingyas and to address the root causes of their forced "
            "displacement.",
        ),
        tags=("rohingya", "refugees", "united-nations"),
        countries=("BD", "MM"),
        image_caption="Rohingya refugees at a camp in Cox’s Bazar, Bangladesh.",
    ),
    SeedStory(
        headline="Moon, Trump discuss ‘corresponding measures’ for NK denucelarization",
        date=date(2018, 9, 25),
        source_slug="the-korea-herald",
        byline="The Korea Herald",
        section_slug="diplomacy",
        external_id="kh-2018-0925-001",
        published_at=_utc(2018, 9, 25, 2, 15),
        updated_at=_utc(2018, 9, 25, 2, 15),
        teaser=_TEASER_CORRESPONDING_MEASURES,
        paragraphs=(
            # Cut at "the leaders of South K": finished with what the summit is documented to
            # have covered, the outcome of the Pyongyang summit the week before.
            _TEASER_CORRESPONDING_MEASURES
            + "orea and the US also reviewed the outcome of Moon’s summit with Kim in Pyongyang "
            "last week.",
        ),
        tags=(*_KOREA_TAGS, "us-north-korea-summit", "inter-korean-relations"),
        countries=_KOREA_COUNTRIES,
    ),
    SeedStory(
        headline="New airport construction adds to China’s influence in the Maldives",
        date=date(2018, 9, 20),
        source_slug="asia-news-network",
        byline="Cod Satrusayang",
        section_slug="diplomacy",
        external_id="ann-2018-0920-001",
        published_at=_utc(2018, 9, 20, 9, 0),
        updated_at=_utc(2018, 9, 20, 9, 0),
        teaser=_TEASER_MALDIVES,
        paragraphs=(
            # Cut at "President Abdulla Y": finished with the February 2018 state of emergency.
            _TEASER_MALDIVES
            + "ameen declared a state of emergency amid a standoff with the country’s Supreme "
            "Court.",
            "Maldivians vote in a presidential election on Sunday, in which Yameen faces the "
            "joint opposition candidate Ibrahim Mohamed Solih.",
        ),
        tags=("belt-and-road", "china", "infrastructure", "aviation"),
        countries=("MV", "CN"),
        image_caption="Velana International Airport in Malé, the Maldives.",
    ),
    SeedStory(
        headline="Kim vows to visit Seoul, dismantle nuke, missile sites",
        date=date(2018, 9, 20),
        source_slug="the-korea-herald",
        byline="The Korea Herald",
        section_slug="diplomacy",
        external_id="kh-2018-0920-001",
        published_at=_utc(2018, 9, 20, 3, 40),
        updated_at=_utc(2018, 9, 20, 3, 40),
        teaser=_TEASER_KIM_VOWS,
        paragraphs=(
            # Cut at "signed by the two l": finished with the declaration's missile-site clause.
            _TEASER_KIM_VOWS
            + "eaders commits the North to permanently dismantling its missile engine test site "
            "and launch platform in Tongchang-ri in the presence of experts from concerned "
            "countries.",
            "Kim agreed to visit Seoul in the near future at Moon’s invitation, which would make "
            "him the first North Korean leader to visit the South’s capital.",
        ),
        tags=(*_KOREA_TAGS, "inter-korean-relations", "inter-korean-summit"),
        countries=_KOREA_COUNTRIES,
    ),
    SeedStory(
        headline="El Salvador ups pressure on Taiwan relations",
        date=date(2018, 9, 20),
        source_slug="asia-news-network",
        byline="Asia News Network",
        section_slug="diplomacy",
        external_id="ann-2018-0920-002",
        published_at=_utc(2018, 9, 20, 11, 25),
        updated_at=_utc(2018, 9, 20, 11, 25),
        teaser=_TEASER_EL_SALVADOR,
        paragraphs=(
            # Cut inside a quotation at "our candidate and o": the word is finished and the
            # quotation closed, nothing more.
            _TEASER_EL_SALVADOR + "ur party.”",
        ),
        tags=("taiwan", "china", "diplomatic-recognition", "corruption"),
        countries=("TW", "SV", "CN"),
    ),
)
