"""Who publishes in the demo: the Asia News Network papers, the site's sections, bylines and tags.

Sources are modelled on Asia News Network member papers, with short public descriptions; the
person bylines other than Cod Satrusayang are invented, plausible regional names. Only the
seed-page stories are real; everything the demo generates around them is fictional.
"""

# ruff: noqa: RUF001 -- curly apostrophes in names and descriptions are intended typography.

from __future__ import annotations

from dataclasses import dataclass

from api.demo.seed_page import KOREA_HERALD_ABOUT

CDN = "https://cdn.broadsheet.example"


@dataclass(frozen=True)
class SourceSpec:
    """A newspaper in the network; `home` is the country it mostly reports on."""

    slug: str
    name: str
    country: str
    url: str
    description: str
    id_prefix: str  # prefix of the paper's own article ids ("kh-2018-0830-001")
    byline: str  # the organisation byline the paper uses for staff stories

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


SOURCES: tuple[SourceSpec, ...] = (
    SourceSpec(
        "the-korea-herald",
        "The Korea Herald",
        "KR",
        "https://www.koreaherald.com",
        KOREA_HERALD_ABOUT,
        "kh",
        "The Korea Herald",
    ),
    SourceSpec(
        "the-daily-star",
        "The Daily Star",
        "BD",
        "https://www.thedailystar.net",
        "Bangladesh’s largest-circulation English-language daily, published in Dhaka since 1991.",
        "ds",
        "Daily Star",
    ),
    SourceSpec(
        "asia-news-network",
        "Asia News Network",
        "TH",
        "https://asianews.network",
        "An alliance of leading newspapers across Asia, based in Bangkok, whose members share "
        "news, commentary and analysis with one another and with readers worldwide.",
        "ann",
        "Asia News Network",
    ),
    SourceSpec(
        "the-straits-times",
        "The Straits Times",
        "SG",
        "https://www.straitstimes.com",
        "Singapore’s English-language flagship daily, first published in 1845.",
        "st",
        "The Straits Times",
    ),
    SourceSpec(
        "the-jakarta-post",
        "The Jakarta Post",
        "ID",
        "https://www.thejakartapost.com",
        "Indonesia’s leading English-language daily, founded in Jakarta in 1983.",
        "tjp",
        "The Jakarta Post",
    ),
    SourceSpec(
        "the-star",
        "The Star",
        "MY",
        "https://www.thestar.com.my",
        "Malaysia’s most widely read English-language newspaper.",
        "star",
        "The Star",
    ),
    SourceSpec(
        "philippine-daily-inquirer",
        "Philippine Daily Inquirer",
        "PH",
        "https://www.inquirer.net",
        "One of the Philippines’ most widely read broadsheets, founded in Manila in 1985.",
        "pdi",
        "Philippine Daily Inquirer",
    ),
    SourceSpec(
        "the-nation",
        "The Nation",
        "TH",
        "https://www.nationthailand.com",
        "Thailand’s independent English-language newspaper, published in Bangkok since 1971.",
        "tn",
        "The Nation",
    ),
    SourceSpec(
        "viet-nam-news",
        "Viet Nam News",
        "VN",
        "https://vietnamnews.vn",
        "Viet Nam’s national English-language daily, published by the Vietnam News Agency.",
        "vns",
        "Viet Nam News",
    ),
    SourceSpec(
        "china-daily",
        "China Daily",
        "CN",
        "https://www.chinadaily.com.cn",
        "China’s largest English-language newspaper, published in Beijing since 1981.",
        "cd",
        "China Daily",
    ),
    SourceSpec(
        "the-statesman",
        "The Statesman",
        "IN",
        "https://www.thestatesman.com",
        "One of India’s oldest English-language dailies, founded in Calcutta in 1875.",
        "tsm",
        "The Statesman",
    ),
    SourceSpec(
        "dawn",
        "Dawn",
        "PK",
        "https://www.dawn.com",
        "Pakistan’s oldest and most widely read English-language newspaper, founded in 1941.",
        "dawn",
        "Dawn",
    ),
    SourceSpec(
        "the-kathmandu-post",
        "The Kathmandu Post",
        "NP",
        "https://kathmandupost.com",
        "Nepal’s leading English-language daily, published in Kathmandu since 1993.",
        "tkp",
        "The Kathmandu Post",
    ),
    SourceSpec(
        "the-japan-news",
        "The Japan News",
        "JP",
        "https://japannews.yomiuri.co.jp",
        "The English-language newspaper of The Yomiuri Shimbun, Japan’s largest daily.",
        "tjn",
        "The Japan News",
    ),
    SourceSpec(
        "the-phnom-penh-post",
        "The Phnom Penh Post",
        "KH",
        "https://www.phnompenhpost.com",
        "Cambodia’s English-language newspaper of record, founded in 1992.",
        "ppp",
        "The Phnom Penh Post",
    ),
    SourceSpec(
        "kuensel",
        "Kuensel",
        "BT",
        "https://kuenselonline.com",
        "Bhutan’s national newspaper, published in English and Dzongkha.",
        "kns",
        "Kuensel",
    ),
    SourceSpec(
        "the-island",
        "The Island",
        "LK",
        "https://island.lk",
        "A Sri Lankan English-language daily published in Colombo since 1981.",
        "isl",
        "The Island",
    ),
    SourceSpec(
        "eleven-media",
        "Eleven Media",
        "MM",
        "https://elevenmyanmar.com",
        "An independent Myanmar news group publishing daily from Yangon.",
        "elv",
        "Eleven Media",
    ),
    SourceSpec(
        "vientiane-times",
        "Vientiane Times",
        "LA",
        "https://www.vientianetimes.org.la",
        "Laos’ English-language daily, published in Vientiane since 1994.",
        "vt",
        "Vientiane Times",
    ),
    SourceSpec(
        "the-china-post",
        "The China Post",
        "TW",
        "https://chinapost.nownews.com",
        "Taiwan’s English-language news publication, founded in Taipei in 1952.",
        "tcp",
        "The China Post",
    ),
    SourceSpec(
        "gogo-mongolia",
        "Gogo Mongolia",
        "MN",
        "https://mongolia.gogo.mn",
        "Mongolia’s leading news portal, publishing in Mongolian and English from Ulaanbaatar.",
        "gogo",
        "Gogo Mongolia",
    ),
    SourceSpec(
        "borneo-bulletin",
        "Borneo Bulletin",
        "BN",
        "https://borneobulletin.com.bn",
        "Brunei’s English-language daily, published in Bandar Seri Begawan since 1953.",
        "bb",
        "Borneo Bulletin",
    ),
)

SECTIONS: tuple[SectionSpec, ...] = (
    SectionSpec(
        "diplomacy",
        "Diplomacy",
        "Summits, treaties and the relations between Asia’s capitals and the rest of the world.",
    ),
    SectionSpec(
        "politics",
        "Politics",
        "Governments, parliaments, parties and the people who run them.",
    ),
    SectionSpec(
        "elections",
        "Elections",
        "Campaigns, polls and results across the region.",
        parent="politics",
    ),
    SectionSpec(
        "economy",
        "Economy",
        "Growth, trade, jobs and the policies that shape Asia’s economies.",
    ),
    SectionSpec(
        "markets",
        "Markets",
        "Stocks, bonds, currencies and commodities.",
        parent="economy",
    ),
    SectionSpec(
        "climate-environment",
        "Climate & Environment",
        "Weather, disasters, pollution, conservation and the energy transition.",
    ),
    SectionSpec(
        "technology",
        "Technology",
        "Start-ups, platforms, telecoms and the rules that govern them.",
    ),
    SectionSpec("health", "Health", "Public health, hospitals and medicine."),
    SectionSpec("culture", "Culture", "Heritage, festivals, film, food and the arts."),
    SectionSpec("sport", "Sport", "Results, tournaments and the people who play."),
    SectionSpec(
        "opinion",
        "Opinion",
        "Commentary and analysis from the network’s editorial writers.",
    ),
)

# Tag slug -> display name. Every tag a story uses must be listed here.
TAGS: dict[str, str] = {
    # Seed-page stories.
    "north-korea": "North Korea",
    "denuclearization": "Denuclearization",
    "us-north-korea-summit": "US-North Korea summit",
    "military-drills": "Military drills",
    "nuclear-inspections": "Nuclear inspections",
    "inter-korean-relations": "Inter-Korean relations",
    "inter-korean-summit": "Inter-Korean summit",
    "rohingya": "Rohingya",
    "refugees": "Refugees",
    "united-nations": "United Nations",
    "belt-and-road": "Belt and Road",
    "china": "China",
    "infrastructure": "Infrastructure",
    "aviation": "Aviation",
    "taiwan": "Taiwan",
    "diplomatic-recognition": "Diplomatic recognition",
    "corruption": "Corruption",
    # Generated stories.
    "interest-rates": "Interest rates",
    "central-banks": "Central banks",
    "inflation": "Inflation",
    "currencies": "Currencies",
    "stocks": "Stocks",
    "gdp": "GDP",
    "trade": "Trade",
    "us-china-trade-war": "US-China trade war",
    "exports": "Exports",
    "tourism": "Tourism",
    "remittances": "Remittances",
    "migrant-workers": "Migrant workers",
    "budget": "Budget",
    "parliament": "Parliament",
    "cabinet": "Cabinet",
    "labour": "Labour",
    "minimum-wage": "Minimum wage",
    "elections": "Elections",
    "asean": "ASEAN",
    "south-china-sea": "South China Sea",
    "bilateral-relations": "Bilateral relations",
    "monsoon": "Monsoon",
    "floods": "Floods",
    "disasters": "Disasters",
    "air-pollution": "Air pollution",
    "haze": "Haze",
    "plastic-waste": "Plastic waste",
    "recycling": "Recycling",
    "renewable-energy": "Renewable energy",
    "solar-power": "Solar power",
    "digital-payments": "Digital payments",
    "fintech": "Fintech",
    "data-privacy": "Data privacy",
    "cybersecurity": "Cybersecurity",
    "startups": "Start-ups",
    "venture-capital": "Venture capital",
    "dengue": "Dengue",
    "public-health": "Public health",
    "heritage": "Heritage",
    "unesco": "UNESCO",
    "festivals": "Festivals",
    "film": "Film",
    "asian-games-2018": "Asian Games 2018",
    "football": "Football",
    "urban-transport": "Urban transport",
    "cities": "Cities",
    "youth-unemployment": "Youth unemployment",
    "education": "Education",
    "ageing": "Ageing",
}

# Bylines for staff stories and one or two reporters per paper. The reporters are invented.
PERSONS: tuple[PersonSpec, ...] = (
    PersonSpec(
        "Cod Satrusayang",
        "asia-news-network",
        "diplomacy",
        "Cod Satrusayang is the managing editor of Asia News Network, based in Bangkok, where "
        "he writes on regional diplomacy and China’s reach across Asia.",
    ),
    PersonSpec(
        "Maya Ramakrishnan",
        "asia-news-network",
        "economy",
        "Maya Ramakrishnan edits Asia News Network’s regional economy coverage from Bangkok.",
    ),
    PersonSpec(
        "Park Han-sol",
        "the-korea-herald",
        "economy",
        "Park Han-sol covers the Bank of Korea, finance and trade for The Korea Herald.",
    ),
    PersonSpec(
        "Choi Ji-yoon",
        "the-korea-herald",
        "technology",
        "Choi Ji-yoon reports on technology, telecoms and start-ups for The Korea Herald.",
    ),
    PersonSpec(
        "Farhana Rahman",
        "the-daily-star",
        "climate-environment",
        "Farhana Rahman is The Daily Star’s environment correspondent in Dhaka.",
    ),
    PersonSpec(
        "Shakil Hossain",
        "the-daily-star",
        "politics",
        "Shakil Hossain covers parliament and politics for The Daily Star.",
    ),
    PersonSpec(
        "Rachel Tan",
        "the-straits-times",
        "economy",
        "Rachel Tan is a business correspondent at The Straits Times.",
    ),
    PersonSpec(
        "Marcus Lim",
        "the-straits-times",
        "diplomacy",
        "Marcus Lim writes on Singapore’s foreign relations and regional security for The "
        "Straits Times.",
    ),
    PersonSpec(
        "Dewi Kusumawati",
        "the-jakarta-post",
        "climate-environment",
        "Dewi Kusumawati covers the environment and disaster response for The Jakarta Post.",
    ),
    PersonSpec(
        "Arief Nugroho",
        "the-jakarta-post",
        "politics",
        "Arief Nugroho is a political reporter at The Jakarta Post.",
    ),
    PersonSpec(
        "Nurul Aina Ismail",
        "the-star",
        "politics",
        "Nurul Aina Ismail covers Malaysian politics for The Star.",
    ),
    PersonSpec(
        "Jason Wong",
        "the-star",
        "markets",
        "Jason Wong writes on markets and corporate Malaysia for The Star.",
    ),
    PersonSpec(
        "Maricel Dela Cruz",
        "philippine-daily-inquirer",
        "politics",
        "Maricel Dela Cruz covers Congress and Malacañang for the Philippine Daily Inquirer.",
    ),
    PersonSpec(
        "Paolo Villanueva",
        "philippine-daily-inquirer",
        "economy",
        "Paolo Villanueva is a business reporter at the Philippine Daily Inquirer.",
    ),
    PersonSpec(
        "Pornthip Wongsuwan",
        "the-nation",
        "economy",
        "Pornthip Wongsuwan covers the Thai economy and tourism for The Nation.",
    ),
    PersonSpec(
        "Kittipong Srisawat",
        "the-nation",
        "politics",
        "Kittipong Srisawat reports on Thai politics for The Nation.",
    ),
    PersonSpec(
        "Nguyễn Thu Hà",
        "viet-nam-news",
        "economy",
        "Nguyễn Thu Hà reports on trade and investment for Viet Nam News.",
    ),
    PersonSpec(
        "Trần Minh Đức",
        "viet-nam-news",
        "culture",
        "Trần Minh Đức writes on culture and society for Viet Nam News.",
    ),
    PersonSpec(
        "Zhang Yiwen",
        "china-daily",
        "economy",
        "Zhang Yiwen is a business reporter at China Daily in Beijing.",
    ),
    PersonSpec(
        "Liu Jianing",
        "china-daily",
        "technology",
        "Liu Jianing covers technology and the internet economy for China Daily.",
    ),
    PersonSpec(
        "Ananya Mukherjee",
        "the-statesman",
        "politics",
        "Ananya Mukherjee is a political correspondent for The Statesman in Kolkata.",
    ),
    PersonSpec(
        "Rohit Banerjee",
        "the-statesman",
        "sport",
        "Rohit Banerjee writes on cricket, football and the business of sport for The Statesman.",
    ),
    PersonSpec(
        "Ayesha Siddiqui",
        "dawn",
        "economy",
        "Ayesha Siddiqui covers the economy for Dawn from Karachi.",
    ),
    PersonSpec(
        "Bilal Qureshi",
        "dawn",
        "diplomacy",
        "Bilal Qureshi reports on foreign affairs for Dawn from Islamabad.",
    ),
    PersonSpec(
        "Sunita Shrestha",
        "the-kathmandu-post",
        "climate-environment",
        "Sunita Shrestha covers climate, disasters and the Himalaya for The Kathmandu Post.",
    ),
    PersonSpec(
        "Bikash Thapa",
        "the-kathmandu-post",
        "politics",
        "Bikash Thapa reports on federal politics for The Kathmandu Post.",
    ),
    PersonSpec(
        "Haruka Sato",
        "the-japan-news",
        "technology",
        "Haruka Sato covers technology and industry for The Japan News.",
    ),
    PersonSpec(
        "Kenji Watanabe",
        "the-japan-news",
        "diplomacy",
        "Kenji Watanabe is a diplomatic correspondent for The Japan News.",
    ),
    PersonSpec(
        "Chan Sreymom",
        "the-phnom-penh-post",
        "economy",
        "Chan Sreymom covers business and investment for The Phnom Penh Post.",
    ),
    PersonSpec(
        "Vong Sovann",
        "the-phnom-penh-post",
        "politics",
        "Vong Sovann reports on politics and the courts for The Phnom Penh Post.",
    ),
    PersonSpec(
        "Tshering Dema",
        "kuensel",
        "health",
        "Tshering Dema covers health and education for Kuensel.",
    ),
    PersonSpec(
        "Karma Wangchuk",
        "kuensel",
        "politics",
        "Karma Wangchuk reports on parliament and local government for Kuensel.",
    ),
    PersonSpec(
        "Nirmala Perera",
        "the-island",
        "economy",
        "Nirmala Perera writes on the economy and the plantation sector for The Island.",
    ),
    PersonSpec(
        "Dinesh Jayawardena",
        "the-island",
        "sport",
        "Dinesh Jayawardena is The Island’s sports editor.",
    ),
    PersonSpec(
        "Aye Thandar",
        "eleven-media",
        "politics",
        "Aye Thandar covers the Union Parliament and the peace process for Eleven Media.",
    ),
    PersonSpec(
        "Kyaw Zin Oo",
        "eleven-media",
        "economy",
        "Kyaw Zin Oo reports on business and investment for Eleven Media.",
    ),
    PersonSpec(
        "Souksavanh Phommachanh",
        "vientiane-times",
        "economy",
        "Souksavanh Phommachanh covers trade, energy and infrastructure for Vientiane Times.",
    ),
    PersonSpec(
        "Lin Yu-ting",
        "the-china-post",
        "technology",
        "Lin Yu-ting covers Taiwan’s technology industry for The China Post.",
    ),
    PersonSpec(
        "Chen Wei-lun",
        "the-china-post",
        "diplomacy",
        "Chen Wei-lun reports on cross-strait relations and diplomacy for The China Post.",
    ),
    PersonSpec(
        "Oyuntsetseg Batbold",
        "gogo-mongolia",
        "climate-environment",
        "Oyuntsetseg Batbold covers mining, air quality and the environment for Gogo Mongolia.",
    ),
    PersonSpec(
        "Hakim Rahman",
        "borneo-bulletin",
        "culture",
        "Hakim Rahman writes on culture, heritage and community life for the Borneo Bulletin.",
    ),
)

SOURCE_BY_SLUG: dict[str, SourceSpec] = {source.slug: source for source in SOURCES}


def organisation_bio(source: SourceSpec) -> str:
    """The bio shown for a paper's organisation byline."""
    if source.slug == "the-korea-herald":
        return KOREA_HERALD_ABOUT
    return f"Staff reporting from {source.name}. {source.description}"
