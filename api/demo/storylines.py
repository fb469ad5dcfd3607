"""News-story templates for generated demo and benchmark content.

Each `Topic` is a kind of story a paper in the network runs again and again (a central bank
decision, monsoon floods, a ministerial visit), written as headline, dek and paragraph templates
with slots filled from a `Country` profile and from numbers drawn from a seeded random
generator. `compose_story` turns a topic, a country and a date into a readable story with tags,
the countries it is about and a photo caption. Analysts quoted in generated stories are
invented people; officials are named only by their role.
"""

# ruff: noqa: RUF001 -- curly quotes and apostrophes in prose are intended typography.

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta


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


# One profile per country; the table is kept compact by hand, so the formatter leaves it be.
# fmt: off
_COUNTRY_TABLE: tuple[Country, ...] = (
    Country(
        code="KR", name="South Korea", adjective="South Korean", capital="Seoul", city="Busan",
        region="Gyeonggi Province", currency="won", central_bank="Bank of Korea", index="KOSPI",
        legislature="National Assembly", leader="President", university="Seoul National University",
        analysts=("Yoon Seo-jin", "Kang Min-ho"), port="the port of Busan",
        given_names=("Min-jun", "Seo-yeon", "Ji-ho", "Ha-eun"),
        family_names=("Kim", "Lee", "Park", "Jung"), family_first=True, population=51.6,
    ),
    Country(
        code="BD", name="Bangladesh", adjective="Bangladeshi", capital="Dhaka", city="Chittagong",
        region="Sylhet", currency="taka", central_bank="Bangladesh Bank", index="DSEX",
        legislature="Jatiya Sangsad", leader="Prime Minister", university="University of Dhaka",
        analysts=("Mahmudul Karim", "Nasreen Akter"), port="Chittagong port",
        given_names=("Rafiq", "Nusrat", "Tanvir", "Sadia"),
        family_names=("Ahmed", "Hossain", "Islam", "Chowdhury"), population=161.4,
    ),
    Country(
        code="TH", name="Thailand", adjective="Thai", capital="Bangkok", city="Chiang Mai",
        region="Nakhon Ratchasima", currency="baht", central_bank="Bank of Thailand",
        index="SET index", legislature="National Legislative Assembly", leader="Prime Minister",
        university="Chulalongkorn University", analysts=("Suriya Chaiyaporn", "Wanida Thongdee"),
        port="Laem Chabang port", given_names=("Somchai", "Kanya", "Anan", "Malee"),
        family_names=("Srisuk", "Boonmee", "Charoenkul", "Rattanakorn"), population=69.4,
    ),
    Country(
        code="SG", name="Singapore", adjective="Singaporean", capital="Singapore", city="Jurong",
        region="Woodlands", currency="Singapore dollar",
        central_bank="Monetary Authority of Singapore", index="Straits Times Index",
        legislature="Parliament", leader="Prime Minister",
        university="National University of Singapore", analysts=("Daniel Koh", "Priya Nair"),
        port="the port of Singapore", given_names=("Wei Ming", "Hui Min", "Jun Jie", "Shu Fen"),
        family_names=("Tan", "Lim", "Ng", "Goh"), family_first=True, population=5.6,
    ),
    Country(
        code="ID", name="Indonesia", adjective="Indonesian", capital="Jakarta", city="Surabaya",
        region="Central Java", currency="rupiah", central_bank="Bank Indonesia",
        index="Jakarta Composite Index", legislature="House of Representatives", leader="President",
        university="the University of Indonesia", analysts=("Bambang Setiawan", "Rina Hapsari"),
        port="Tanjung Priok port", given_names=("Agus", "Siti", "Budi", "Putri"),
        family_names=("Santoso", "Wibowo", "Lestari", "Saputra"), population=267.7,
    ),
    Country(
        code="MY", name="Malaysia", adjective="Malaysian", capital="Kuala Lumpur", city="Penang",
        region="Sabah", currency="ringgit", central_bank="Bank Negara Malaysia", index="FBM KLCI",
        legislature="Dewan Rakyat", leader="Prime Minister", university="Universiti Malaya",
        analysts=("Faizal Hamzah", "Lee Mei Ling"), port="Port Klang",
        given_names=("Amir", "Siti Nur", "Hafiz", "Aisyah"),
        family_names=("Abdullah", "Ismail", "Yusof", "Rahman"), population=31.5,
    ),
    Country(
        code="PH", name="the Philippines", adjective="Philippine", capital="Manila", city="Cebu",
        region="Mindanao", currency="peso", central_bank="Bangko Sentral ng Pilipinas",
        index="PSE index", legislature="House of Representatives", leader="President",
        university="the University of the Philippines",
        analysts=("Ramon Bautista", "Liza Aquino-Santos"), port="the port of Batangas",
        given_names=("Jose", "Maria", "Mark", "Kristine"),
        family_names=("Santos", "Reyes", "Cruz", "Garcia"), population=106.7,
    ),
    Country(
        code="VN", name="Viet Nam", adjective="Vietnamese", capital="Hà Nội", city="HCM City",
        region="the Mekong Delta", currency="đồng", central_bank="State Bank of Vietnam",
        index="VN-Index", legislature="National Assembly", leader="Prime Minister",
        university="Vietnam National University", analysts=("Lê Văn Hùng", "Phạm Thị Lan"),
        port="Cái Mép port", given_names=("Minh", "Lan", "Tuấn", "Hương"),
        family_names=("Nguyễn", "Trần", "Lê", "Phạm"), family_first=True, population=95.5,
    ),
    Country(
        code="CN", name="China", adjective="Chinese", capital="Beijing", city="Shanghai",
        region="Guangdong", currency="yuan", central_bank="People’s Bank of China",
        index="Shanghai Composite Index", legislature="National People’s Congress",
        leader="Premier", university="Renmin University of China",
        analysts=("Wang Hongbo", "Zhao Lihua"), port="Ningbo-Zhoushan port",
        given_names=("Wei", "Fang", "Jun", "Xiaoling"),
        family_names=("Wang", "Li", "Zhang", "Chen"), family_first=True, population=1393.0,
    ),
    Country(
        code="IN", name="India", adjective="Indian", capital="New Delhi", city="Kolkata",
        region="West Bengal", currency="rupee", central_bank="Reserve Bank of India",
        index="Sensex", legislature="Lok Sabha", leader="Prime Minister",
        university="Jadavpur University", analysts=("Arjun Sengupta", "Meera Iyer"),
        port="Haldia port", given_names=("Rahul", "Priya", "Amit", "Sneha"),
        family_names=("Sharma", "Das", "Ghosh", "Verma"), population=1352.6,
    ),
    Country(
        code="PK", name="Pakistan", adjective="Pakistani", capital="Islamabad", city="Karachi",
        region="Punjab", currency="rupee", central_bank="State Bank of Pakistan",
        index="KSE-100 index", legislature="National Assembly", leader="Prime Minister",
        university="Quaid-i-Azam University", analysts=("Imran Hashmi", "Sana Malik"),
        port="Gwadar port", given_names=("Usman", "Hina", "Faisal", "Maryam"),
        family_names=("Khan", "Malik", "Butt", "Sheikh"), population=212.2,
    ),
    Country(
        code="NP", name="Nepal", adjective="Nepali", capital="Kathmandu", city="Pokhara",
        region="the Tarai", currency="Nepali rupee", central_bank="Nepal Rastra Bank",
        index="NEPSE index", legislature="Federal Parliament", leader="Prime Minister",
        university="Tribhuvan University", analysts=("Prakash Adhikari", "Sarita Gurung"),
        port="the Birgunj dry port", given_names=("Ramesh", "Sita", "Suman", "Anita"),
        family_names=("Shrestha", "Thapa", "Gurung", "Karki"), population=28.1,
    ),
    Country(
        code="JP", name="Japan", adjective="Japanese", capital="Tokyo", city="Osaka",
        region="Hokkaido", currency="yen", central_bank="Bank of Japan",
        index="Nikkei Stock Average", legislature="Diet", leader="Prime Minister",
        university="Keio University", analysts=("Takeshi Morimoto", "Yuko Hayashi"),
        port="the port of Yokohama", given_names=("Hiroshi", "Yumi", "Daisuke", "Aiko"),
        family_names=("Suzuki", "Takahashi", "Tanaka", "Ito"), population=126.5,
    ),
    Country(
        code="KH", name="Cambodia", adjective="Cambodian", capital="Phnom Penh", city="Siem Reap",
        region="Battambang province", currency="riel", central_bank="National Bank of Cambodia",
        index="CSX index", legislature="National Assembly", leader="Prime Minister",
        university="the Royal University of Phnom Penh", analysts=("Sok Pheap", "Meas Chanthy"),
        port="Sihanoukville port", given_names=("Dara", "Sophea", "Vuthy", "Srey Leak"),
        family_names=("Chea", "Kim", "Sok", "Heng"), family_first=True, population=16.2,
    ),
    Country(
        code="BT", name="Bhutan", adjective="Bhutanese", capital="Thimphu", city="Phuentsholing",
        region="Punakha", currency="ngultrum", central_bank="Royal Monetary Authority",
        legislature="National Assembly", leader="Prime Minister",
        university="the Royal University of Bhutan", analysts=("Sonam Tobgay", "Pema Choden"),
        port="the Phuentsholing dry port", given_names=("Sonam", "Pema", "Tashi", "Kinley"),
        family_names=("Dorji", "Wangmo", "Tshering", "Lhamo"), population=0.75,
    ),
    Country(
        code="LK", name="Sri Lanka", adjective="Sri Lankan", capital="Colombo", city="Kandy",
        region="the Southern Province", currency="Sri Lankan rupee",
        central_bank="Central Bank of Sri Lanka", index="All Share Price Index",
        legislature="Parliament", leader="Prime Minister", university="the University of Colombo",
        analysts=("Ruwan Fernando", "Dilini Silva"), port="Hambantota port",
        given_names=("Kasun", "Nadeeka", "Chaminda", "Ishani"),
        family_names=("Perera", "Fernando", "de Silva", "Bandara"), population=21.7,
    ),
    Country(
        code="MM", name="Myanmar", adjective="Myanmar", capital="Nay Pyi Taw", city="Yangon",
        region="the Ayeyarwady Region", currency="kyat", central_bank="Central Bank of Myanmar",
        legislature="Union Parliament", leader="State Counsellor",
        university="the University of Yangon", analysts=("Min Zaw Oo", "Khin Myat Noe"),
        port="Thilawa port", given_names=("Aung", "Su", "Zaw", "Thida"),
        family_names=("Min", "Myint", "Htun", "Win"), population=53.7,
    ),
    Country(
        code="LA", name="Laos", adjective="Lao", capital="Vientiane", city="Luang Prabang",
        region="Champasak province", currency="kip", central_bank="Bank of the Lao PDR",
        legislature="National Assembly", leader="Prime Minister",
        university="the National University of Laos",
        analysts=("Khamphone Sengdara", "Viengkham Sysouk"), port="the Thanaleng dry port",
        given_names=("Somphone", "Noy", "Bounmy", "Khamla"),
        family_names=("Phommavong", "Sihavong", "Keomany", "Chanthavong"), population=7.1,
    ),
    Country(
        code="TW", name="Taiwan", adjective="Taiwanese", capital="Taipei", city="Kaohsiung",
        region="Hualien County", currency="New Taiwan dollar", central_bank="central bank",
        index="Taiex", legislature="Legislative Yuan", leader="Premier",
        university="National Taiwan University", analysts=("Huang Chih-hao", "Tsai Pei-shan"),
        port="the port of Kaohsiung", given_names=("Chia-hao", "Yi-ting", "Chun-hung", "Hsin-yi"),
        family_names=("Chen", "Lin", "Huang", "Chang"), family_first=True, population=23.6,
    ),
    Country(
        code="MN", name="Mongolia", adjective="Mongolian", capital="Ulaanbaatar", city="Erdenet",
        region="the Gobi", currency="tugrik", central_bank="Bank of Mongolia",
        index="MSE Top 20 index", legislature="State Great Khural", leader="Prime Minister",
        university="the National University of Mongolia",
        analysts=("Ganzorig Baatar", "Enkhjargal Dorj"), port="the Zamyn-Uud border crossing",
        given_names=("Bat-Erdene", "Oyunchimeg", "Tuvshin", "Solongo"),
        family_names=("Bold", "Ganbold", "Erdene", "Tsogt"), population=3.2,
    ),
    Country(
        code="BN", name="Brunei", adjective="Bruneian", capital="Bandar Seri Begawan",
        city="Kuala Belait", region="Tutong District", currency="Brunei dollar",
        central_bank="Autoriti Monetari Brunei Darussalam", legislature="Legislative Council",
        leader="Sultan", university="Universiti Brunei Darussalam",
        analysts=("Haji Rosli Salleh", "Nur Aqilah Zainal"), port="Muara port",
        given_names=("Hakim", "Nurul", "Amin", "Aqilah"),
        family_names=("Salleh", "Hamid", "Yusof", "Zainal"), population=0.43,
    ),
    # Partners only: countries stories are about but no paper in the network is from.
    Country(code="US", name="the United States", adjective="American", capital="Washington"),
    Country(code="AU", name="Australia", adjective="Australian", capital="Canberra"),
    Country(code="MV", name="the Maldives", adjective="Maldivian", capital="Malé"),
)
# fmt: on

COUNTRIES: dict[str, Country] = {country.code: country for country in _COUNTRY_TABLE}

ASEAN = ("BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "VN")
SOUTH_ASIA = ("BD", "BT", "IN", "NP", "PK", "LK")
MONSOON_BELT = ("BD", "IN", "NP", "PK", "LK", "MM", "TH", "VN", "KH", "LA", "PH", "BT")
HAS_STOCK_INDEX = tuple(c.code for c in COUNTRIES.values() if c.index)
NETWORK_COUNTRIES = tuple(code for code, c in COUNTRIES.items() if c.central_bank)
MAJOR_PARTNERS = ("CN", "JP", "IN", "US", "AU", "KR", "SG")


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


TOPICS: tuple[Topic, ...] = (
    Topic(
        key="rate-hike",
        section="economy",
        tags=("interest-rates", "central-banks", "inflation"),
        headlines=(
            "{central_bank} raises policy rate to {rate}% to shore up the {currency}",
            "{adjective} central bank lifts rates by {bps} basis points as US yields climb",
            "{central_bank} tightens again as imported inflation bites",
        ),
        deks=(
            "Policymakers cite a weaker {currency} and rising fuel costs as the US Federal "
            "Reserve keeps raising rates.",
            "Most economists had expected the move, though some warn it will slow lending to "
            "small businesses.",
        ),
        ledes=(
            "The {central_bank} on {weekday} raised its benchmark interest rate by {bps} "
            "basis points to {rate}%, its second increase this year, as it tries to stem "
            "capital outflows and steady the {currency}.",
            "{Country’s} central bank raised borrowing costs on {weekday} for the second time in "
            "three months, lifting its key rate to {rate}% to defend a currency that has lost "
            "{pct}% against the US dollar since January.",
        ),
        body=(
            "Headline inflation rose to {pct2}% in {prev_month}, above the bank’s comfort zone, "
            "driven by higher prices for fuel, rice and imported consumer goods.",
            "The decision followed a similar move by the US Federal Reserve, whose steady "
            "tightening has drawn money out of emerging markets across Asia this year.",
            "Business groups in {capital} said the increase would raise financing costs for "
            "manufacturers already squeezed by higher import bills, and urged the government to "
            "cut red tape to offset it.",
            "The {currency} firmed slightly after the announcement, while the {index} closed "
            "{pct2}% lower as banking shares fell.",
            "The central bank said it stood ready to take further action if price pressures "
            "persisted, and kept its forecast for economic growth this year at {pct}%.",
        ),
        quotes=(
            "“The bank had little choice once the Fed moved; the question now is how much "
            "growth it is willing to give up,” said {analyst}, an economist at {university}.",
            "“Households with variable-rate loans will feel this first,” said {analyst2} of "
            "{university}. “Consumption could soften by the end of the year.”",
        ),
        captions=("The headquarters of the {central_bank} in {capital}.",),
        countries=("ID", "PH", "IN", "PK", "KR", "MN", "LK", "BD", "VN"),
    ),
    Topic(
        key="rate-hold",
        section="economy",
        tags=("interest-rates", "central-banks", "inflation"),
        headlines=(
            "{central_bank} keeps rates on hold at {rate}%",
            "{adjective} central bank holds fire despite weaker {currency}",
            "Rates unchanged as {central_bank} weighs trade-war risks",
        ),
        deks=(
            "The bank says inflation remains within its target range but flags risks from the "
            "US-China trade dispute.",
            "Economists are divided over whether a rate rise will come before the end of the year.",
        ),
        ledes=(
            "The {central_bank} left its benchmark rate unchanged at {rate}% on {weekday}, "
            "saying inflation remained in check even as global trade tensions clouded the "
            "outlook for exports.",
            "{Country’s} central bank kept borrowing costs steady on {weekday}, resisting "
            "pressure to follow the US Federal Reserve as domestic demand shows signs of "
            "cooling.",
        ),
        body=(
            "Consumer prices rose {pct2}% from a year earlier in {prev_month}, comfortably within "
            "the bank’s target band.",
            "The monetary policy committee voted unanimously to hold, according to a statement "
            "released after the meeting in {capital}.",
            "The bank noted that the escalating tariff dispute between Washington and Beijing "
            "posed a risk to {country’s} exporters, many of whom supply components to Chinese "
            "factories.",
            "The {currency} was little changed after the decision.",
            "The next policy meeting is scheduled for {next_month}.",
        ),
        quotes=(
            "“Holding now buys the bank time to see how the trade war plays out,” said "
            "{analyst}, an economist at {university}.",
            "“There is no urgency to move while inflation is this subdued,” said {analyst2}, who "
            "teaches economics at {university}.",
        ),
        captions=("Shoppers at a market in {city}.", "The {central_bank} building in {capital}."),
        countries=("KR", "TH", "MY", "JP", "TW", "CN", "SG", "NP", "KH", "LA", "MM", "BT"),
    ),
    Topic(
        key="gdp-growth",
        section="economy",
        tags=("gdp", "exports"),
        headlines=(
            "{Country’s} economy grows {pct}% in second quarter, beating forecasts",
            "Strong consumer spending lifts {adjective} growth to {pct}%",
            "{adjective} growth slows to {pct}% as exports lose momentum",
        ),
        deks=(
            "Officials say household consumption and public investment offset a weaker "
            "performance by exporters.",
            "The figures keep the government’s full-year target within reach, statisticians said.",
        ),
        ledes=(
            "{Country’s} economy expanded {pct}% in the April-June quarter from a year earlier, "
            "official data showed on {weekday}, as household spending and government "
            "infrastructure projects offset softer demand for the country’s exports.",
            "Gross domestic product grew {pct}% year on year in the second quarter, the "
            "statistics office in {capital} said on {weekday}, a pace that kept {country} among "
            "the region’s faster-growing economies.",
        ),
        body=(
            "Private consumption, which accounts for more than half of output, rose {pct2}%, "
            "helped by higher wages and lower unemployment.",
            "Exports grew at their slowest pace in {n} quarters as demand from China cooled and "
            "shipping costs rose.",
            "Construction was the fastest-growing sector, reflecting spending on roads, ports "
            "and a new mass transit line in {city}.",
            "Farm output was flat after uneven rains in {region} damaged crops.",
            "The government maintained its growth forecast for the full year and said it would "
            "bring forward spending on infrastructure if the external environment worsened.",
        ),
        quotes=(
            "“The domestic engine is doing the heavy lifting while trade sputters,” said "
            "{analyst}, an economist at {university}.",
            "“These numbers are solid, but the second half will be harder,” said {analyst2} of "
            "{university}.",
        ),
        captions=("Container cranes at {port}.", "A construction site in {city}."),
    ),
    Topic(
        key="currency-slide",
        section="markets",
        tags=("currencies", "us-china-trade-war"),
        headlines=(
            "{currency} slides to weakest level in {n2} months against the dollar",
            "{adjective} authorities step in as {currency} falls past key level",
            "Emerging-market rout drags the {currency} lower",
        ),
        deks=(
            "Traders say the central bank sold dollars to slow the decline.",
            "The currency has lost {pct}% this year as investors pull money out of emerging "
            "markets.",
        ),
        ledes=(
            "The {currency} fell to its weakest level in {n2} months on {weekday}, extending a "
            "slide that has wiped {pct}% off its value this year as rising US interest rates and "
            "trade tensions pushed investors out of emerging markets.",
            "{Country’s} currency weakened sharply on {weekday}, prompting the {central_bank} to "
            "intervene in the foreign-exchange market, dealers in {capital} said.",
        ),
        body=(
            "Foreign investors have sold a net ${million} million of {adjective} shares and "
            "bonds since the start of the month, exchange data show.",
            "The {central_bank} said it was present in the market to ensure orderly trading and "
            "had ample reserves to smooth volatility.",
            "A weaker currency makes imported fuel and machinery more expensive, adding to "
            "inflation pressures, but it also helps exporters and families who receive money "
            "from relatives working abroad.",
            "The {index} slipped {pct2}% in sympathy, with banks and airlines among the biggest "
            "decliners.",
            "Finance ministry officials said the fundamentals of the economy remained sound and "
            "urged the public not to hoard dollars.",
        ),
        quotes=(
            "“This is mostly a dollar story, not a {country} story,” said {analyst}, a "
            "currency strategist who lectures at {university}.",
            "“Intervention can slow the fall, but it cannot reverse a global trend,” said "
            "{analyst2} of {university}.",
        ),
        captions=("A money changer counts banknotes in {capital}.",),
        countries=("ID", "PH", "IN", "PK", "KR", "MY", "TH", "LK", "MN", "BD", "VN", "TW", "CN"),
    ),
    Topic(
        key="stock-market",
        section="markets",
        tags=("stocks", "us-china-trade-war"),
        headlines=(
            "{index} falls {pct2}% as tariff fears spook investors",
            "{adjective} shares rebound as bargain hunters return",
            "Foreign selling pushes {index} to lowest close since {prev_month}",
        ),
        deks=(
            "Technology and export stocks led the moves as Washington and Beijing traded new "
            "tariff threats.",
            "Turnover was thin, with many institutional investors waiting on the sidelines.",
        ),
        ledes=(
            "Shares in {country} fell on {weekday}, with the {index} closing down {pct2}% as "
            "fresh US tariff threats against China rattled investors across Asia.",
            "The {index} swung between gains and losses on {weekday} before ending {pct2}% "
            "higher, as investors weighed the latest developments in the US-China trade "
            "dispute.",
        ),
        body=(
            "Exporters with large sales to China were among the worst performers, while "
            "utilities and telecoms companies held up better.",
            "Foreign investors were net sellers for the {nth} straight session, exchange data "
            "showed.",
            "Trading volume was about {pct}% below the daily average of the past month.",
            "Brokers in {capital} said retail investors had stepped in to buy blue chips after "
            "the recent decline.",
            "Regional markets moved in the same direction, with Tokyo, Hong Kong and Shanghai "
            "all reacting to the tariff news.",
        ),
        quotes=(
            "“Until there is clarity on tariffs, every headline moves the market,” said "
            "{analyst}, who teaches finance at {university}.",
            "“Valuations are starting to look attractive for long-term investors,” said "
            "{analyst2} of {university}.",
        ),
        captions=("A screen showing the {index} at a brokerage in {capital}.",),
        countries=HAS_STOCK_INDEX,
    ),
    Topic(
        key="trade-war-exports",
        section="economy",
        tags=("trade", "us-china-trade-war", "exports"),
        headlines=(
            "{adjective} exporters brace for fallout from US-China tariff war",
            "{Country’s} exports slow as trade tensions weigh on demand",
            "Trade war could divert orders to {country}, officials say",
        ),
        deks=(
            "Manufacturers of electronics parts and textiles are most exposed, a government "
            "study finds.",
            "Some factories report new orders from buyers looking to move supply chains out of "
            "China.",
        ),
        ledes=(
            "Exporters in {country} are bracing for the knock-on effects of the tariff war "
            "between the United States and China, with the trade ministry warning on {weekday} "
            "that shipments of components could fall by as much as {pct}% next year.",
            "{Country’s} exports grew just {pct2}% in {prev_month}, the trade ministry said on "
            "{weekday}, the weakest pace this year as demand from China slowed amid its tariff "
            "dispute with Washington.",
            "Factories in {country} are picking up orders from buyers looking to avoid US tariffs "
            "on Chinese goods, industry groups said on {weekday}, though officials warned that "
            "the trade war could still hurt the country’s exports of components.",
        ),
        body=(
            "Many {adjective} firms supply parts to Chinese factories that assemble goods for "
            "the American market, leaving them exposed to US tariffs on Chinese products.",
            "At the same time, some buyers are shifting orders to factories in {country} to "
            "avoid the duties, according to an industry association in {city}.",
            "The government has set up a task force to help exporters find new markets in "
            "Europe, the Middle East and elsewhere in Asia.",
            "Officials said they were also speeding up negotiations on the Regional "
            "Comprehensive Economic Partnership, a 16-nation trade pact that has been under "
            "discussion since 2012.",
            "Analysts warned that any gains from diverted orders would take time to materialise "
            "because new production lines require investment and skilled workers.",
        ),
        quotes=(
            "“In a trade war there are casualties on every side, including bystanders,” said "
            "{analyst}, a trade economist at {university}.",
            "“We will see winners and losers within the same industry,” said {analyst2} of "
            "{university}.",
        ),
        captions=("Shipping containers stacked at {port}.", "Workers on a garment factory floor."),
        countries=("KR", "VN", "TH", "MY", "SG", "TW", "JP", "ID", "PH", "BD", "KH", "IN"),
    ),
    Topic(
        key="tourism-arrivals",
        section="economy",
        tags=("tourism",),
        headlines=(
            "{Country} on track for a record year of foreign visitors",
            "Tourist arrivals to {country} rise {pct}% on visitors from China and India",
            "{region} bets on new air links to draw more tourists",
        ),
        deks=(
            "Tourism officials credit easier visas and new budget airline routes.",
            "The industry hopes to spread visitors beyond the usual hotspots.",
        ),
        ledes=(
            "Foreign tourist arrivals to {country} rose {pct}% in the first eight months of the "
            "year, the tourism ministry said on {weekday}, putting the country on course for a "
            "record year.",
            "{Country} welcomed more foreign visitors than ever in the first half of the year, "
            "boosted by a surge in travellers from China and India and new direct flights to "
            "{city}.",
            "Officials in {region} are counting on new direct flights and a refurbished airport "
            "terminal to draw more foreign visitors, after tourist arrivals to {country} rose "
            "{pct}% in the first eight months of the year.",
        ),
        body=(
            "Visitors from China made up about a quarter of arrivals, followed by travellers "
            "from neighbouring countries and India.",
            "Officials attributed the growth to simpler visa rules, promotional campaigns and "
            "the opening of new routes by low-cost carriers.",
            "Hotel occupancy in {capital} averaged {n2}% higher than a year earlier, industry "
            "figures show.",
            "The government wants to spread tourism beyond established destinations, and is "
            "investing in roads and airports in {region}.",
            "Conservation groups have warned that rapid growth risks damaging fragile sites and "
            "called for limits on visitor numbers at the most popular attractions.",
        ),
        quotes=(
            "“The challenge now is quality, not quantity,” said {analyst}, who studies tourism at "
            "{university}.",
            "“Every new direct flight brings a new market,” said {analyst2} of {university}.",
        ),
        captions=(
            "Tourists at a temple in {region}.",
            "Visitors arrive at the international airport in {capital}.",
        ),
    ),
    Topic(
        key="belt-and-road",
        section="economy",
        tags=("belt-and-road", "china", "infrastructure"),
        headlines=(
            "{Country} signs ${billion} billion Chinese-funded {project} deal",
            "Questions over debt as Chinese-built {project} takes shape in {region}",
            "{adjective} government reviews terms of Belt and Road {project}",
        ),
        deks=(
            "Supporters say the project will transform the local economy; critics worry about "
            "the terms of the loans.",
            "The project is part of Beijing’s Belt and Road Initiative.",
        ),
        ledes=(
            "{Country} on {weekday} signed an agreement with Chinese state-owned companies to "
            "build a {project} in {region}, a ${billion} billion project financed largely by "
            "loans from Beijing under the Belt and Road Initiative.",
            "Construction of a Chinese-financed {project} in {region} is running ahead of "
            "schedule, officials said on {weekday}, even as opposition politicians in {capital} "
            "question how the ${billion} billion in loans will be repaid.",
            "The government of {country} said on {weekday} it would review the terms of a "
            "${billion} billion {project} being built by Chinese state-owned companies in "
            "{region}, amid concern over the cost of the loans that finance it.",
        ),
        body=(
            "The project is expected to create about {thousand} jobs during construction, "
            "although critics say many skilled positions will go to Chinese workers.",
            "The loans carry a grace period of {n} years and will be repaid over two decades, "
            "according to documents presented to the {legislature}.",
            "China has become one of {country’s} largest lenders, financing ports, power plants "
            "and highways across the country.",
            "Opposition lawmakers have demanded that the full contracts be made public, citing "
            "the example of Sri Lanka’s Hambantota port, which was leased to a Chinese company "
            "for 99 years after Colombo struggled to repay its debts.",
            "Officials in {capital} rejected suggestions that the country was falling into a "
            "debt trap, saying the project would pay for itself through higher trade.",
        ),
        quotes=(
            "“The infrastructure gap is real and China is the only one offering money at this "
            "scale,” said {analyst}, who studies regional development at {university}.",
            "“The issue is not Chinese money but transparency,” said {analyst2} of "
            "{university}. “Parliament should see the terms.”",
        ),
        captions=("Construction work on the {project} in {region}.",),
        countries=("PK", "LK", "BD", "NP", "MY", "ID", "KH", "LA", "MM", "TH", "MN", "BN", "PH"),
        partners=("CN",),
    ),
    Topic(
        key="remittances",
        section="economy",
        tags=("remittances", "migrant-workers"),
        headlines=(
            "Remittances to {country} hit record ${billion} billion",
            "Weaker {currency} lifts remittance inflows",
            "Money sent home by {adjective} workers abroad rises {pct}%",
        ),
        deks=(
            "Earnings from workers in the Gulf, Malaysia and East Asia prop up household incomes "
            "and the balance of payments.",
            "Officials want more of the money to flow through formal banking channels.",
        ),
        ledes=(
            "Remittances sent home by {adjective} workers overseas rose {pct}% in the fiscal "
            "year to a record ${billion} billion, the {central_bank} said on {weekday}.",
            "Money sent home by {adjective} migrant workers climbed in {prev_month}, central bank "
            "data showed on {weekday}, as a weaker {currency} encouraged families abroad to send "
            "more.",
        ),
        body=(
            "Workers in Saudi Arabia, the United Arab Emirates and Malaysia accounted for the "
            "largest share of inflows.",
            "Remittances are one of the country’s largest sources of foreign currency, helping "
            "to finance imports of fuel and machinery.",
            "The government has offered incentives to encourage workers to use banks rather "
            "than informal money-transfer networks.",
            "Recruitment agencies said demand for workers from {country} remained strong in "
            "construction, caregiving and hospitality.",
            "Labour rights groups called for lower recruitment fees, which can leave workers in "
            "debt for years.",
        ),
        quotes=(
            "“Remittances are the country’s social safety net,” said {analyst}, an economist at "
            "{university}.",
            "“We need to turn these flows into investment, not just consumption,” said "
            "{analyst2} of {university}.",
        ),
        captions=("Migrant workers at the international airport in {capital}.",),
        countries=("BD", "NP", "PH", "PK", "LK", "MM", "ID", "VN", "IN"),
    ),
    Topic(
        key="budget",
        section="politics",
        tags=("budget", "parliament"),
        headlines=(
            "{legislature} passes {next_year} budget after marathon debate",
            "{adjective} budget boosts spending on roads, schools and hospitals",
            "Opposition walks out as {legislature} votes on budget",
        ),
        deks=(
            "The spending plan widens the deficit slightly to fund infrastructure and social "
            "programmes.",
            "Critics say the revenue projections are too optimistic.",
        ),
        ledes=(
            "The {legislature} approved the government’s budget for {next_year} on {weekday}, "
            "a spending plan that raises outlays on infrastructure, education and health while "
            "keeping the deficit at about {pct2}% of gross domestic product.",
            "{adjective} lawmakers passed the {next_year} budget late on {weekday} after "
            "{n} days of debate, approving higher spending on roads and rural health clinics.",
            "Opposition members walked out of the {legislature} on {weekday} as lawmakers voted "
            "to approve the government’s {next_year} budget, accusing the ruling party of rushing "
            "through a spending plan with unrealistic revenue targets.",
        ),
        body=(
            "Spending on infrastructure will rise {pct}%, with new highways planned in {region} "
            "and an upgrade of {port}.",
            "The education budget includes funds to hire teachers and build classrooms in "
            "remote districts.",
            "Opposition members said the government had overestimated tax revenue and warned "
            "that the deficit could widen if growth slowed.",
            "The finance minister defended the plan, telling lawmakers that spending on "
            "infrastructure would pay for itself through faster growth.",
            "The budget now goes to the head of state for approval, a formality.",
        ),
        quotes=(
            "“This is an election-year budget with something for everyone,” said {analyst}, a "
            "political scientist at {university}.",
            "“The priorities are right, but execution has always been the weak point,” said "
            "{analyst2} of {university}.",
        ),
        captions=("Lawmakers in the {legislature} chamber in {capital}.",),
        countries=(
            "BD",
            "TH",
            "ID",
            "MY",
            "PH",
            "IN",
            "PK",
            "NP",
            "KH",
            "BT",
            "LK",
            "MM",
            "MN",
            "KR",
            "TW",
            "JP",
        ),
    ),
    Topic(
        key="anti-graft",
        section="politics",
        tags=("corruption",),
        headlines=(
            "Anti-graft agency widens probe into {region} road contracts",
            "{adjective} court hears evidence in public land scandal",
            "Former {region} governor charged over land deal",
        ),
        deks=(
            "Investigators say contracts worth ${million} million were awarded without proper "
            "tendering.",
            "The case is a test of the government’s pledge to clean up public procurement.",
        ),
        ledes=(
            "{Country’s} anti-corruption agency on {weekday} widened its investigation into road "
            "contracts in {region}, questioning {n} officials over projects worth an estimated "
            "${million} million.",
            "A court in {capital} on {weekday} began hearing evidence against a former provincial "
            "official accused of steering public land to companies linked to his family.",
            "Prosecutors in {country} on {weekday} charged a former governor of {region} with "
            "abuse of power over the sale of public land to companies linked to his family.",
        ),
        body=(
            "Investigators allege that tenders were tailored to favour a small group of "
            "contractors, some of which had no previous experience of building roads.",
            "The accused have denied wrongdoing and say the cases are politically motivated.",
            "Transparency groups welcomed the investigation but said prosecutions of senior "
            "figures remained rare.",
            "The government has promised to publish all public contracts online by the end of "
            "next year.",
            "If convicted, the defendants face up to {n2} years in prison.",
        ),
        quotes=(
            "“Procurement is where the money leaks,” said {analyst}, who researches governance "
            "at {university}.",
            "“The public will judge this by whether anyone powerful is convicted,” said "
            "{analyst2} of {university}.",
        ),
        captions=("The anti-corruption agency’s offices in {capital}.",),
    ),
    Topic(
        key="cabinet-reshuffle",
        section="politics",
        tags=("cabinet",),
        headlines=(
            "{leader} reshuffles cabinet, names new finance minister",
            "{n} ministers replaced in {adjective} cabinet shake-up",
            "Cabinet reshuffle in {capital} aims to revive reform agenda",
        ),
        deks=(
            "The changes bring in technocrats to the economic portfolios.",
            "Analysts see the move as an effort to regain public confidence ahead of elections.",
        ),
        ledes=(
            "{Country’s} {leader} replaced {n} cabinet ministers on {weekday}, including those in "
            "charge of finance and trade, in the government’s biggest reshuffle since it took "
            "office.",
            "The {leader} announced a cabinet reshuffle in {capital} on {weekday}, bringing "
            "technocrats into key economic posts as the government tries to revive stalled "
            "reforms.",
        ),
        body=(
            "The new finance minister, a former central banker, is expected to focus on "
            "bringing down the budget deficit and reassuring foreign investors.",
            "Several ministers who had faced criticism over delayed infrastructure projects "
            "were moved to other portfolios.",
            "The new ministers will be sworn in later this week.",
            "Opposition parties dismissed the reshuffle as cosmetic.",
        ),
        quotes=(
            "“Reshuffles rarely change policy, but they do change the tone,” said {analyst}, a "
            "political scientist at {university}.",
            "“The economic team now looks more credible to markets,” said {analyst2} of "
            "{university}.",
        ),
        captions=("New cabinet ministers at their swearing-in ceremony in {capital}.",),
        countries=("TH", "MY", "PK", "NP", "JP", "KR", "LK", "IN", "TW", "MN", "BD", "KH"),
    ),
    Topic(
        key="minimum-wage",
        section="politics",
        tags=("labour", "minimum-wage"),
        headlines=(
            "{Country} raises minimum wage by {pct}% from {next_year}",
            "Unions reject proposed {pct}% minimum wage increase",
            "Garment makers warn wage rise will cost jobs",
        ),
        deks=(
            "Employers say the increase will hurt competitiveness; unions say it falls short of "
            "the cost of living.",
            "The new rate will cover about {wage_earners} workers.",
        ),
        ledes=(
            "The government of {country} said on {weekday} it would raise the national minimum "
            "wage by {pct}% from January, the largest increase in {n} years.",
            "Trade unions in {country} rejected a proposed {pct}% increase in the minimum wage "
            "on {weekday}, saying it failed to keep pace with rising rents and food prices.",
        ),
        body=(
            "The wage board, made up of government, employer and union representatives, met "
            "{n} times before agreeing on the figure.",
            "Employers’ groups warned that higher labour costs would push manufacturers to "
            "relocate to cheaper countries or to automate.",
            "Unions had demanded a larger increase and threatened protests in {capital} and "
            "{city}.",
            "About {wage_earners} workers, most of them in factories and shops, earn the "
            "minimum wage, according to the labour ministry.",
        ),
        quotes=(
            "“Productivity has risen faster than wages for years; this corrects some of that,” "
            "said {analyst}, a labour economist at {university}.",
            "“The risk is that small firms move workers into the informal economy,” said "
            "{analyst2} of {university}.",
        ),
        captions=("Workers leave a factory at the end of a shift in {city}.",),
        countries=("BD", "KH", "VN", "ID", "TH", "MY", "PH", "PK", "KR", "LK", "MM"),
    ),
    Topic(
        key="election-preparations",
        section="elections",
        tags=("elections",),
        headlines=(
            "Election commission sets date for {next_year} polls",
            "{adjective} parties begin campaigning as election nears",
            "Voter registration drive targets first-time voters in {region}",
        ),
        deks=(
            "Officials say the vote will be the largest in the country’s history.",
            "Observers call for a level playing field and a free press during the campaign.",
        ),
        ledes=(
            "{Country’s} election commission on {weekday} announced the timetable for general "
            "elections, with more than {voters} people eligible to vote.",
            "Political parties in {country} stepped up campaigning on {weekday} as the election "
            "commission finalised voter rolls ahead of polls expected early next year.",
            "Election officials in {region} launched a drive on {weekday} to register first-time "
            "voters ahead of general elections, as {country’s} election commission works to "
            "finalise the voter rolls.",
        ),
        body=(
            "The commission said it would deploy electronic voter identification in {n} "
            "districts for the first time, a move it said would reduce fraud.",
            "Young voters make up a growing share of the electorate, and parties have turned to "
            "social media to reach them.",
            "Opposition parties have called for independent monitors and equal access to "
            "state media during the campaign.",
            "Candidates must file their nominations within {n2} days of the announcement.",
            "International observers from regional organisations are expected to monitor the vote.",
        ),
        quotes=(
            "“The turnout among first-time voters will decide this election,” said {analyst}, a "
            "political scientist at {university}.",
            "“What matters is not just the vote but whether the losers accept it,” said "
            "{analyst2} of {university}.",
        ),
        captions=("Election officials check voter lists in {capital}.",),
        countries=("BD", "TH", "ID", "IN", "BT", "PH", "TW", "JP", "LK", "NP"),
    ),
    Topic(
        key="bilateral-visit",
        section="diplomacy",
        tags=("bilateral-relations", "trade"),
        headlines=(
            "{Country} and {partner} sign {n} agreements as ties deepen",
            "{adjective} and {partner_adjective} leaders agree to deepen trade ties",
            "Foreign minister’s visit to {partner_capital} aims to reset relations",
        ),
        deks=(
            "The two sides agree to expand cooperation on trade, energy and security.",
            "The visit is the first at this level in {n} years.",
        ),
        ledes=(
            "{Country} and {partner} signed {n} agreements on trade, energy and education on "
            "{weekday} during a visit to {partner_capital} by {country’s} foreign minister, the "
            "first at that level in several years.",
            "The leaders of {country} and {partner} agreed on {weekday} to raise bilateral "
            "trade to ${billion} billion within five years, at talks in {capital}.",
        ),
        body=(
            "The agreements include a memorandum on infrastructure financing and a plan to "
            "expand direct flights between {capital} and {partner_capital}.",
            "Officials said the two sides also discussed maritime security and cooperation "
            "against transnational crime.",
            "{Partner} is among {country’s} largest sources of foreign investment, particularly "
            "in manufacturing and energy.",
            "The two governments agreed to set up a joint working group to address barriers to "
            "trade in farm products.",
            "A joint statement said both sides supported a rules-based regional order and the "
            "peaceful settlement of disputes.",
        ),
        quotes=(
            "“Both sides want to show they have options,” said {analyst}, who studies foreign "
            "policy at {university}.",
            "“The agreements are modest, but the symbolism matters,” said {analyst2} of "
            "{university}.",
        ),
        captions=(
            "Officials from {country} and {partner} at a signing ceremony in {partner_capital}.",
        ),
        partners=MAJOR_PARTNERS,
    ),
    Topic(
        key="asean-meeting",
        section="diplomacy",
        tags=("asean", "trade"),
        headlines=(
            "ASEAN ministers push to conclude regional trade pact this year",
            "{Country} calls for ASEAN unity amid great-power rivalry",
            "ASEAN economic ministers meet in {capital}",
        ),
        deks=(
            "Members say the US-China trade dispute makes regional integration more urgent.",
            "The meeting also discussed a code of conduct for the South China Sea.",
        ),
        ledes=(
            "Economic ministers from the ten-member Association of Southeast Asian Nations "
            "agreed on {weekday} to push for the conclusion of the Regional Comprehensive "
            "Economic Partnership by the end of the year, at a meeting in {capital}.",
            "{Country’s} foreign minister on {weekday} urged fellow ASEAN members to stand "
            "together as rivalry between the United States and China intensifies in the region.",
        ),
        body=(
            "The proposed pact would link ASEAN with China, Japan, South Korea, India, "
            "Australia and New Zealand, covering nearly half the world’s population.",
            "Ministers said rising protectionism made regional integration more urgent.",
            "Negotiators still have to resolve differences over market access for goods and "
            "services, officials said.",
            "The meeting also reviewed progress on a code of conduct for the South China Sea.",
            "The ministers’ recommendations will be presented to ASEAN leaders at their summit "
            "in November.",
        ),
        quotes=(
            "“ASEAN’s relevance depends on it speaking with one voice,” said {analyst}, who "
            "studies regional affairs at {university}.",
            "“A deal this year would be a signal that Asia still believes in open trade,” said "
            "{analyst2} of {university}.",
        ),
        captions=("ASEAN ministers pose for a group photo in {capital}.",),
        countries=ASEAN,
    ),
    Topic(
        key="south-china-sea",
        section="diplomacy",
        tags=("south-china-sea", "china"),
        headlines=(
            "{Country} protests Chinese vessels near disputed reef",
            "{Country} and China resume talks on South China Sea code of conduct",
            "Fishermen from {region} report harassment in South China Sea",
        ),
        deks=(
            "The foreign ministry says the presence of the vessels violates its sovereign rights.",
            "Officials say diplomacy remains the only way forward.",
        ),
        ledes=(
            "{Country} lodged a diplomatic protest on {weekday} over the presence of Chinese "
            "coast guard vessels near a reef in the South China Sea that both countries claim, "
            "the foreign ministry in {capital} said.",
            "Officials from {country} and China met on {weekday} to continue negotiations on a "
            "code of conduct for the South China Sea, amid renewed complaints from fishermen "
            "about being chased from traditional fishing grounds.",
            "Fishermen from {region} say Chinese coast guard vessels have repeatedly chased them "
            "away from traditional fishing grounds in the South China Sea, local officials said "
            "on {weekday}.",
        ),
        body=(
            "The foreign ministry said {n} Chinese vessels had been sighted in the area over the "
            "past week.",
            "Beijing claims most of the South China Sea, through which trillions of dollars of "
            "trade pass every year, and rejects a 2016 international arbitration ruling against "
            "its claims.",
            "Fishermen say they have been forced to travel further to find catches, raising fuel "
            "costs.",
            "China’s embassy said its vessels were conducting routine patrols in Chinese waters.",
            "Both sides said they were committed to resolving the dispute peacefully.",
        ),
        quotes=(
            "“Quiet diplomacy has its limits when fishermen are being chased away,” said "
            "{analyst}, a maritime law expert at {university}.",
            "“Nobody wants a confrontation at sea; the question is how to manage incidents,” "
            "said {analyst2} of {university}.",
        ),
        captions=("A coast guard vessel on patrol in the South China Sea.",),
        countries=("PH", "VN", "MY", "ID", "BN"),
        partners=("CN",),
    ),
    Topic(
        key="migrant-workers-deal",
        section="diplomacy",
        tags=("migrant-workers", "labour"),
        headlines=(
            "{Country} and {partner} sign deal to protect migrant workers",
            "{partner_adjective} employers to recruit {thousand} workers from {country}",
            "New rules cap recruitment fees for {adjective} workers bound for {partner}",
        ),
        deks=(
            "The agreement sets minimum standards for pay, housing and rest days.",
            "Recruitment will be handled government to government to cut out brokers.",
        ),
        ledes=(
            "{Country} and {partner} signed an agreement on {weekday} to protect the rights of "
            "migrant workers, setting standards for wages, housing and rest days for "
            "{adjective} workers employed in {partner}.",
            "{partner_adjective} employers will recruit {thousand} workers from {country} over "
            "the next two years under a government-to-government scheme signed on {weekday}.",
        ),
        body=(
            "The deal caps the fees that recruitment agencies can charge and requires "
            "contracts to be provided in the workers’ own language.",
            "There are an estimated {thousand} {adjective} workers in {partner}, many of them in "
            "construction, manufacturing and domestic work.",
            "Rights groups welcomed the agreement but said enforcement would be the real test.",
            "Officials said a joint committee would meet twice a year to review complaints.",
        ),
        quotes=(
            "“Workers have paid a heavy price for the broker system,” said {analyst}, who "
            "studies labour migration at {university}.",
            "“On paper this is a good deal; what matters is inspection,” said {analyst2} of "
            "{university}.",
        ),
        captions=("Workers wait for their flights at the international airport in {capital}.",),
        countries=("BD", "NP", "PH", "ID", "MM", "LK", "VN", "KH", "PK"),
        partners=("MY", "SG", "JP", "KR", "TW", "BN"),
    ),
    Topic(
        key="monsoon-floods",
        section="climate-environment",
        tags=("monsoon", "floods", "disasters"),
        headlines=(
            "Monsoon floods kill {deaths}, displace thousands in {region}",
            "Relief efforts stepped up as flood waters recede in {region}",
            "Rivers burst banks as heavy rain lashes {region}",
        ),
        deks=(
            "Authorities have opened relief camps and deployed troops to help with rescues.",
            "Forecasters warn of more heavy rain in the coming days.",
        ),
        ledes=(
            "At least {deaths} people have died and about {displaced} have been forced from "
            "their homes after days of heavy monsoon rain caused rivers to burst their banks in "
            "{region}, disaster officials said on {weekday}.",
            "Flood waters began to recede in parts of {region} on {weekday}, allowing relief "
            "workers to reach villages cut off for nearly a week by monsoon rains that have "
            "killed {deaths} people.",
        ),
        body=(
            "Soldiers and volunteers used boats to rescue families stranded on rooftops, and "
            "the government opened {n2} relief camps in schools and public buildings.",
            "Thousands of hectares of rice fields were submerged, raising concerns about food "
            "supplies and prices in the coming months.",
            "Health officials warned of the risk of waterborne diseases and distributed water "
            "purification tablets.",
            "The meteorological department forecast more heavy rain over the next {n} days.",
            "Experts say changing rainfall patterns and unplanned construction on flood plains "
            "have made floods more frequent and more damaging.",
        ),
        quotes=(
            "“Rains like this used to come once a decade; now we see them every few years,” "
            "said {analyst}, a hydrologist at {university}.",
            "“Early warning saved lives, but we still build in the wrong places,” said "
            "{analyst2} of {university}.",
        ),
        captions=("Residents wade through a flooded street in {region}.",),
        countries=MONSOON_BELT,
    ),
    Topic(
        key="air-pollution",
        section="climate-environment",
        tags=("air-pollution", "public-health"),
        headlines=(
            "Air quality in {capital} hits hazardous levels",
            "{Country} unveils plan to cut air pollution by {pct_round}%",
            "Schools close as smog blankets {capital}",
        ),
        deks=(
            "Doctors report a rise in respiratory complaints.",
            "Vehicle emissions, construction dust and crop burning are the main culprits.",
        ),
        ledes=(
            "Air pollution in {capital} rose to hazardous levels on {weekday}, with "
            "concentrations of fine particles more than {n} times the World Health "
            "Organization’s guideline, prompting authorities to close schools and advise "
            "residents to stay indoors.",
            "The government of {country} on {weekday} announced a plan to reduce air pollution "
            "in major cities, including stricter emission standards for vehicles and a ban on "
            "open burning.",
        ),
        body=(
            "Hospitals reported an increase in patients with breathing problems, particularly "
            "children and the elderly.",
            "Vehicle exhaust, construction dust, coal-fired power plants and the burning of crop "
            "waste are the main sources of pollution, according to the environment ministry.",
            "Authorities ordered construction sites to spray water and limited the movement of "
            "heavy trucks during daytime hours.",
            "Sales of air purifiers and masks have surged in recent weeks, retailers said.",
            "Environmental groups said the measures did not go far enough and called for a "
            "timetable to phase out coal.",
        ),
        quotes=(
            "“We treat pollution as a seasonal nuisance, but it is a year-round health crisis,” "
            "said {analyst}, an environmental health researcher at {university}.",
            "“Without regional cooperation on crop burning, city measures can only do so much,” "
            "said {analyst2} of {university}.",
        ),
        captions=("Haze shrouds the skyline of {capital}.",),
        countries=("ID", "MY", "SG", "TH", "CN", "IN", "PK", "NP", "BD", "MN", "KR", "VN"),
    ),
    Topic(
        key="plastic-waste",
        section="climate-environment",
        tags=("plastic-waste", "recycling"),
        headlines=(
            "{Country} tightens rules on imported plastic waste",
            "Illegal recycling plants shut down in {region}",
            "{adjective} supermarkets to phase out plastic bags by {target_year}",
        ),
        deks=(
            "Shipments have surged since China banned imports of foreign waste at the start of "
            "the year.",
            "Environmental groups say the measures are overdue.",
        ),
        ledes=(
            "{Country} will tighten controls on imports of plastic waste, the environment "
            "ministry said on {weekday}, after shipments surged following China’s ban on "
            "foreign scrap at the start of the year.",
            "Authorities in {region} closed {n2} unlicensed plastic recycling plants on "
            "{weekday} after residents complained of toxic fumes and polluted water.",
            "Major supermarket chains in {country} will stop handing out single-use plastic bags "
            "by {target_year} under an agreement with the environment ministry announced on "
            "{weekday}.",
        ),
        body=(
            "Imports of plastic scrap have more than doubled this year as exporters in Europe, "
            "the United States and Japan looked for new destinations after Beijing’s ban.",
            "Officials said many containers declared as recyclable material held contaminated "
            "waste that could not be processed.",
            "Importers will now need permits and must show that their facilities meet "
            "environmental standards.",
            "Major retailers have pledged to stop handing out single-use plastic bags by "
            "{target_year}.",
            "Environmental groups urged the government to go further and ban all imports of "
            "plastic waste.",
        ),
        quotes=(
            "“We cannot become the world’s dumping ground,” said {analyst}, an environmental "
            "scientist at {university}.",
            "“Recycling is a legitimate industry, but it needs to be policed,” said {analyst2} "
            "of {university}.",
        ),
        captions=("Bales of plastic waste at a recycling yard in {region}.",),
        countries=("MY", "VN", "TH", "ID", "PH", "IN", "JP", "KR", "TW", "LK"),
    ),
    Topic(
        key="renewable-energy",
        section="climate-environment",
        tags=("renewable-energy", "solar-power"),
        headlines=(
            "{Country} to build {mw} MW solar farm in {region}",
            "{adjective} government sets {pct_round}% renewable energy target for {target_year}",
            "Rooftop solar takes off in {city} as costs fall",
        ),
        deks=(
            "Falling panel prices make solar competitive with coal, officials say.",
            "The energy ministry wants to cut the country’s reliance on imported fuel.",
        ),
        ledes=(
            "{Country} will build a {mw}-megawatt solar farm in {region}, the energy ministry "
            "said on {weekday}, as the government seeks to cut its reliance on imported fuel.",
            "The government of {country} on {weekday} set a target of generating {pct_round}% "
            "of its electricity from renewable sources by {target_year}, up from less than a "
            "tenth today.",
            "Households and businesses in {city} are installing rooftop solar panels at a record "
            "pace, the state utility said on {weekday}, as falling prices make solar power "
            "cheaper than electricity from the grid.",
        ),
        body=(
            "The project will be tendered to private developers, who will sell power to the "
            "state utility under a long-term contract.",
            "The price of solar panels has fallen sharply over the past decade, making solar "
            "power competitive with new coal-fired plants in many markets.",
            "The grid will need upgrading to handle more variable power from wind and solar, "
            "engineers said.",
            "Officials said the country’s first auction for wind power projects would be held "
            "next year.",
            "Environmental groups welcomed the plan but said the country was still building new "
            "coal plants.",
        ),
        quotes=(
            "“The economics have flipped; the barrier now is the grid,” said {analyst}, an "
            "energy researcher at {university}.",
            "“Targets are easy; auctions and transmission lines are hard,” said {analyst2} of "
            "{university}.",
        ),
        captions=("Solar panels at a power plant in {region}.",),
    ),
    Topic(
        key="digital-payments",
        section="technology",
        tags=("digital-payments", "fintech"),
        headlines=(
            "E-wallet use in {country} doubles as cash loses ground",
            "{central_bank} issues new rules for mobile payment firms",
            "QR code payments spread to street stalls in {capital}",
        ),
        deks=(
            "Young consumers and small merchants are driving the shift.",
            "Regulators want to encourage innovation while protecting consumers.",
        ),
        ledes=(
            "The number of people in {country} using mobile wallets has doubled over the past "
            "year, the {central_bank} said on {weekday}, as small merchants and street vendors "
            "embrace payments by QR code.",
            "The {central_bank} on {weekday} issued new rules for companies offering mobile "
            "payments, requiring them to hold more capital and to protect customer data.",
        ),
        body=(
            "Transactions through e-wallets were worth about ${billion} billion in the first "
            "half of the year, according to central bank figures.",
            "Ride-hailing and e-commerce companies have been among the most aggressive "
            "promoters, offering cashback and discounts to win users.",
            "Millions of adults in {country} still have no bank account, and officials hope "
            "mobile payments will bring them into the financial system.",
            "Consumer groups have called for clearer rules on fees and on how companies use "
            "customers’ data.",
        ),
        quotes=(
            "“The phone is becoming the bank branch for people who never had one,” said "
            "{analyst}, who studies financial technology at {university}.",
            "“Regulators have to move as fast as the apps do,” said {analyst2} of {university}.",
        ),
        captions=("A vendor accepts a payment by QR code at a market in {capital}.",),
    ),
    Topic(
        key="data-privacy",
        section="technology",
        tags=("data-privacy", "cybersecurity"),
        headlines=(
            "{Country} drafts first data protection law",
            "Breach exposes records of {thousand} {adjective} citizens",
            "New cybersecurity rules worry tech companies in {country}",
        ),
        deks=(
            "The proposal is modelled partly on Europe’s General Data Protection Regulation.",
            "Companies would have to report breaches within 72 hours.",
        ),
        ledes=(
            "{Country} published a draft data protection law on {weekday} that would require "
            "companies to obtain consent before collecting personal information and to report "
            "data breaches within 72 hours.",
            "Personal records of about {thousand} people were exposed in a breach of a "
            "government database, officials in {capital} confirmed on {weekday}.",
        ),
        body=(
            "The draft borrows from the European Union’s General Data Protection Regulation, "
            "which took effect in May.",
            "Companies found in breach could face fines of up to {pct_round}% of their annual "
            "revenue.",
            "Technology firms have raised concerns about provisions that would require some "
            "data to be stored inside the country.",
            "Investigators said the breach appeared to have been caused by an unprotected server "
            "rather than a sophisticated attack.",
            "The public will be able to comment on the draft for {n2} days before it is sent to "
            "the {legislature}.",
        ),
        quotes=(
            "“People hand over their data every day with no idea where it goes,” said "
            "{analyst}, a law lecturer at {university}.",
            "“A good law is one that small companies can actually comply with,” said {analyst2} "
            "of {university}.",
        ),
        captions=("Computer servers in a data centre in {city}.",),
    ),
    Topic(
        key="startups-funding",
        section="technology",
        tags=("startups", "venture-capital"),
        headlines=(
            "{adjective} start-up raises ${million} million to expand across Southeast Asia",
            "Venture funding for {adjective} start-ups hits record",
            "{capital} start-ups court investors at annual tech fair",
        ),
        deks=(
            "Investors from Japan, China and the United States are increasingly active.",
            "Logistics, payments and online education are attracting the most money.",
        ),
        ledes=(
            "A {city}-based logistics start-up said on {weekday} it had raised ${million} million "
            "in a funding round led by Japanese and Chinese investors, and plans to expand into "
            "{n} more countries.",
            "Start-ups in {country} raised a record amount of venture capital in the first half "
            "of the year, according to an industry report released on {weekday}.",
            "Hundreds of start-ups pitched to investors at an annual technology fair in {capital} "
            "that opened on {weekday}, as venture funding in {country} heads for another record "
            "year.",
        ),
        body=(
            "The company connects small merchants with couriers through a smartphone app and "
            "says it handles {thousand} deliveries a day.",
            "Online education, health technology and payment services attracted the largest "
            "investments.",
            "The government has introduced tax breaks and a start-up visa to attract founders "
            "and engineers from abroad.",
            "Investors said competition for engineers was driving up salaries across the industry.",
        ),
        quotes=(
            "“The ecosystem has matured; we now see second-time founders,” said {analyst}, who "
            "teaches entrepreneurship at {university}.",
            "“Valuations have run ahead of profits in some sectors,” said {analyst2} of "
            "{university}.",
        ),
        captions=("Staff at a start-up office in {city}.",),
        countries=("SG", "ID", "MY", "VN", "IN", "PH", "TH", "KR", "JP", "CN", "TW", "BD", "PK"),
    ),
    Topic(
        key="dengue",
        section="health",
        tags=("dengue", "public-health"),
        headlines=(
            "Dengue cases in {country} rise {pct_round}% as rainy season peaks",
            "Health ministry steps up fight against dengue in {region}",
            "Hospitals in {city} stretched by dengue outbreak",
        ),
        deks=(
            "Officials urge residents to clear standing water where mosquitoes breed.",
            "Children account for a large share of the cases.",
        ),
        ledes=(
            "Dengue infections in {country} have risen {pct_round}% compared with the same "
            "period last year, with {thousand} cases recorded so far, the health ministry said "
            "on {weekday}.",
            "Health workers in {region} began a house-to-house campaign on {weekday} to destroy "
            "mosquito breeding sites as dengue cases climbed for a {nth} straight week.",
        ),
        body=(
            "Hospitals in {city} have set up additional wards to cope with the number of patients.",
            "The disease, spread by the Aedes mosquito, causes high fever and severe joint pain "
            "and can be fatal if not treated promptly.",
            "Officials urged residents to clear containers of standing water and to seek "
            "medical help if they develop a fever.",
            "Experts say urbanisation and warmer temperatures have helped the mosquito spread.",
        ),
        quotes=(
            "“Every flower pot and discarded tyre is a potential breeding site,” said {analyst}, "
            "an epidemiologist at {university}.",
            "“Community clean-ups work, but only if they are sustained,” said {analyst2} of "
            "{university}.",
        ),
        captions=("A health worker fumigates a neighbourhood in {city}.",),
        countries=(
            "SG",
            "MY",
            "ID",
            "PH",
            "VN",
            "TH",
            "BD",
            "LK",
            "KH",
            "LA",
            "MM",
            "IN",
            "PK",
            "NP",
            "TW",
            "BN",
        ),
    ),
    Topic(
        key="heritage",
        section="culture",
        tags=("heritage", "unesco"),
        headlines=(
            "{Country} seeks UNESCO World Heritage status for {region} site",
            "Restoration of historic quarter in {city} nears completion",
            "UNESCO bid puts the spotlight on heritage in {region}",
        ),
        deks=(
            "Officials hope the listing will draw visitors and funds for conservation.",
            "Conservationists say recognition must not come at the expense of residents.",
        ),
        ledes=(
            "{Country} has submitted a nomination to UNESCO to list a historic site in {region} "
            "as a World Heritage site, the culture ministry said on {weekday}.",
            "The restoration of the old quarter of {city}, a district of shophouses and temples "
            "dating back more than a century, is nearing completion after {n} years of work.",
        ),
        body=(
            "The site includes temples, traditional houses and a network of waterways that "
            "historians say reflect centuries of trade across the region.",
            "Conservation experts have worked with residents to restore buildings using "
            "traditional materials and techniques.",
            "Local businesses hope the recognition will bring more visitors, while some "
            "residents worry about rising rents.",
            "A decision on the nomination is expected at the World Heritage Committee’s session "
            "in {next_year}.",
        ),
        quotes=(
            "“Heritage is not only buildings; it is the people who live among them,” said "
            "{analyst}, a historian at {university}.",
            "“Listing brings prestige, and also pressure,” said {analyst2} of {university}.",
        ),
        captions=("Visitors at a historic temple in {region}.",),
    ),
    Topic(
        key="festivals-film",
        section="culture",
        tags=("festivals", "film"),
        headlines=(
            "{capital} film festival opens with record {n2} entries",
            "Annual arts festival returns to {city}",
            "Independent films take centre stage at {capital} festival",
        ),
        deks=(
            "Organisers say interest from regional filmmakers has never been higher.",
            "Organisers are counting on record attendance this year.",
        ),
        ledes=(
            "The {capital} International Film Festival opened on {weekday} with a record number "
            "of entries from across Asia, as organisers seek to build the event into a regional "
            "showcase for independent cinema.",
            "An annual arts festival returned to {city} on {weekday} with concerts, exhibitions "
            "and street performances spread across {n} venues.",
        ),
        body=(
            "This year’s programme includes {n2} feature films and documentaries, many of them "
            "by first-time directors.",
            "Streaming platforms have become important buyers of regional films, giving "
            "independent directors new ways to reach audiences.",
            "Organisers said ticket sales had risen {pct}% compared with last year.",
            "The festival closes with an awards ceremony next week.",
        ),
        quotes=(
            "“A generation of filmmakers is telling local stories for a global audience,” said "
            "{analyst}, who teaches film at {university}.",
            "“Festivals like this are where careers begin,” said {analyst2} of {university}.",
        ),
        captions=("The red carpet at the festival’s opening night in {capital}.",),
    ),
    Topic(
        key="asian-games",
        section="sport",
        tags=("asian-games-2018",),
        headlines=(
            "{adjective} athletes return home from Jakarta-Palembang Asian Games",
            "{Country} celebrates medal haul at Asian Games",
            "{Country} honours its Asian Games medal winners",
        ),
        deks=(
            "Officials say the results justify increased investment in sport.",
            "Fans gathered at the airport to welcome the team.",
        ),
        ledes=(
            "{adjective} athletes returned to {capital} on {weekday} after the 18th Asian "
            "Games in Jakarta and Palembang, where the country’s squad of {n3} competed in "
            "{n2} sports.",
            "{Country’s} team at the Asian Games in Indonesia won medals in {n} sports, its "
            "national Olympic committee said on {weekday}, matching the country’s targets for "
            "the event.",
        ),
        body=(
            "Crowds gathered at the airport to greet the athletes, many carrying flags and "
            "banners.",
            "The sports ministry promised cash rewards for medal winners and their coaches.",
            "Officials said they would review funding for sports in which the country "
            "underperformed.",
            "Many of the athletes will now turn their attention to qualifying for the 2020 "
            "Olympic Games in Tokyo.",
        ),
        quotes=(
            "“Results like this come from years of investment at grassroots level,” said "
            "{analyst}, a sports scientist at {university}.",
            "“The next step is to turn Asian Games medals into Olympic ones,” said {analyst2} "
            "of {university}.",
        ),
        captions=("Athletes are welcomed at the airport in {capital}.",),
        # The 18th Asian Games ran from August 18 to September 2, 2018.
        window=(date(2018, 8, 20), date(2018, 9, 16)),
    ),
    Topic(
        key="football",
        section="sport",
        tags=("football",),
        headlines=(
            "{adjective} football federation appoints new national coach",
            "{adjective} national team turns to new coach after poor run",
            "New coach to lead {adjective} national team into qualifiers",
        ),
        deks=(
            "The federation hopes the appointment will lift the team’s regional ranking.",
            "Supporters have called for more investment in youth football.",
        ),
        ledes=(
            "{Country’s} football federation on {weekday} named a new coach for the national "
            "team, handing him a two-year contract with a target of reaching the final rounds of "
            "World Cup qualifying.",
            "The national football team of {country} will have a new coach after a run of poor "
            "results, the federation said on {weekday}, ending a search that lasted {n} months.",
        ),
        body=(
            "The federation said the new coach would focus on developing young players and "
            "improving the team’s fitness.",
            "Attendance at league matches has risen {pct}% this season, the league said.",
            "The national team will play {n} friendly matches before the regional championship "
            "later this year.",
        ),
        quotes=(
            "“The talent is there; what has been missing is consistency,” said {analyst}, a "
            "sports management lecturer at {university}.",
            "“Youth development has to be the priority,” said {analyst2} of {university}.",
        ),
        captions=("Fans at a football match in {city}.",),
    ),
    Topic(
        key="opinion-cities",
        section="opinion",
        tags=("cities", "urban-transport"),
        headlines=(
            "Opinion: {capital} cannot build its way out of traffic",
            "Opinion: {city} needs buses before it needs more flyovers",
            "Editorial: a city for pedestrians, not only for cars",
        ),
        deks=(
            "New roads fill up as fast as they open. Public transport is the only lasting fix.",
            "The city’s growth demands a different model of transport.",
        ),
        ledes=(
            "Anyone who has sat in {capital}’s evening traffic knows that the city’s roads are "
            "full. The question is what to do about it, and the answer is not simply more roads.",
            "Every new flyover in {city} is opened with a ribbon and a promise that congestion "
            "will ease. Within months, the traffic is back.",
        ),
        body=(
            "Transport planners have a name for this: induced demand. Build more road space and "
            "more people drive until it fills up again.",
            "What works, as cities from Seoul to Singapore have shown, is reliable public "
            "transport, safe footpaths and a willingness to price road space.",
            "A dedicated bus network could be built in a fraction of the time and at a fraction "
            "of the cost of a new metro line.",
            "None of this is easy. Bus operators, motorcycle taxi drivers and car owners all "
            "have a stake in the current system.",
            "But the cost of inaction is measured every day in lost hours, polluted air and "
            "lives lost on the roads.",
        ),
        quotes=(
            "As {analyst}, an urban planner at {university}, has argued, a city should be "
            "measured by how easily its poorest residents can get to work.",
        ),
        captions=("Evening traffic in {capital}.",),
    ),
    Topic(
        key="opinion-youth",
        section="opinion",
        tags=("youth-unemployment", "education"),
        headlines=(
            "Opinion: our graduates need jobs, not just degrees",
            "Editorial: the demographic dividend will not wait",
            "Opinion: {country’s} young people deserve better vocational training",
        ),
        deks=(
            "Too many graduates are chasing too few jobs. Education must catch up with the "
            "economy.",
            "A young population is an asset only if it is put to work.",
        ),
        ledes=(
            "Each year hundreds of thousands of young people in {country} finish university and "
            "enter a job market that has little use for what they have learned.",
            "{Country} has one of the youngest populations in the region. Whether that becomes "
            "a dividend or a burden depends on decisions made now.",
        ),
        body=(
            "Employers complain that graduates lack practical skills, while graduates complain "
            "that employers offer too little pay.",
            "Vocational training is still seen as a second-best option, even though technicians "
            "are in short supply.",
            "Countries such as South Korea and Singapore invested heavily in technical education "
            "as their economies industrialised.",
            "Companies, too, must invest in apprenticeships rather than waiting for the "
            "education system to deliver ready-made workers.",
            "The window will not stay open for long. Populations age, and the chance to grow "
            "rich before growing old passes.",
        ),
        quotes=(
            "As {analyst} of {university} has put it, a degree should open doors, not simply "
            "delay the search for work.",
        ),
        captions=("Graduates at a job fair in {capital}.",),
    ),
)

TOPIC_BY_KEY: dict[str, Topic] = {topic.key: topic for topic in TOPICS}

# Projects a Belt and Road story can be about.
_PROJECTS = (
    "deep-sea port",
    "railway line",
    "coal-fired power plant",
    "hydropower dam",
    "expressway",
    "industrial park",
    "airport terminal",
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
