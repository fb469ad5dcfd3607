"""The read API as a client sees it: every Query field of the contract, on the demo newsroom."""

from __future__ import annotations

from datetime import date

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.models import Article, Newsletter, NewsletterIssue, Section, Source
from schema.relay import to_global_id
from tests.api_clients import data, error_codes, execute

LEAD_HEADLINE = "US ramps up pressure on N. Korea"
KOREA_HEADLINES = {
    "US, NK head toward discussions on nuclear inspections",
    "Moon, Trump discuss ‘corresponding measures’ for NK denucelarization",
    "Kim vows to visit Seoul, dismantle nuke, missile sites",
}


async def lead_story(session: AsyncSession) -> Article:
    return (await session.scalars(select(Article).where(Article.headline == LEAD_HEADLINE))).one()


ARTICLE_FIELDS = """
  id slug url headline dek excerpt body bodyText language publishedAt updatedAt
  readingTimeMinutes byline countries highlight
  section { slug name } source { slug name country }
  authors { slug name isOrganization } tags { slug name }
  image { url caption credit width height }
"""

ARTICLE_BY_SLUG = f"""
query($slug: String!, $source: String) {{
  article(slug: $slug, source: $source) {{ {ARTICLE_FIELDS} related(first: 3) {{ headline }} }}
}}
"""


async def test_article_by_slug_has_every_field(
    client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    lead = await lead_story(db_session)
    article = (await data(client, ARTICLE_BY_SLUG, slug=lead.slug, source="the-korea-herald"))[
        "article"
    ]
    assert article["headline"] == LEAD_HEADLINE
    assert article["dek"].startswith("The US appears to be turning up the heat on North Korea")
    assert article["byline"] == "By The Korea Herald"
    assert article["section"] == {"slug": "diplomacy", "name": "Diplomacy"}
    assert article["source"]["name"] == "The Korea Herald"
    assert article["publishedAt"].startswith("2018-08-30")
    assert "<p>" in article["body"]
    assert "<p>" not in article["bodyText"]
    assert len(article["excerpt"]) <= 300
    assert article["readingTimeMinutes"] >= 1
    assert {"KP", "KR", "US"} <= set(article["countries"])
    assert article["highlight"] is None
    assert article["id"] == to_global_id("Article", lead.id)


async def test_article_by_id_and_node(client: httpx.AsyncClient, db_session: AsyncSession) -> None:
    lead = await lead_story(db_session)
    global_id = to_global_id("Article", lead.id)
    result = await data(
        client,
        """query($id: ID!) { article(id: $id) { headline }
           node(id: $id) { id ... on Article { headline } } }""",
        id=global_id,
    )
    assert result["article"]["headline"] == LEAD_HEADLINE
    assert result["node"] == {"id": global_id, "headline": LEAD_HEADLINE}


async def test_article_needs_exactly_one_of_id_or_slug(client: httpx.AsyncClient) -> None:
    assert error_codes(await execute(client, "{ article { headline } }")) == ["BAD_USER_INPUT"]


async def test_ambiguous_slug_needs_source(
    client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    lead = await lead_story(db_session)
    other_source = (
        await db_session.scalars(select(Source).where(Source.id != lead.source_id))
    ).first()
    assert other_source is not None
    copy = Article(
        source_id=other_source.id,
        section_id=lead.section_id,
        slug=lead.slug,
        status=lead.status,
        published_at=lead.published_at,
        headline="A syndicated copy",
        body_html="<p>x</p>",
        body_text="x",
        excerpt="x",
        language="en",
        url="https://example.org/copy",
    )
    db_session.add(copy)
    await db_session.flush()
    assert error_codes(await execute(client, ARTICLE_BY_SLUG, slug=lead.slug)) == ["BAD_USER_INPUT"]
    chosen = await data(client, ARTICLE_BY_SLUG, slug=lead.slug, source=other_source.slug)
    assert chosen["article"]["headline"] == "A syndicated copy"


async def test_node_and_nodes_resolve_every_type(
    client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    ids = {
        "Article": (await lead_story(db_session)).id,
        "Section": (await db_session.scalars(select(Section.id))).first(),
        "Source": (await db_session.scalars(select(Source.id))).first(),
        "Newsletter": (await db_session.scalars(select(Newsletter.id))).first(),
        "NewsletterIssue": (await db_session.scalars(select(NewsletterIssue.id))).first(),
    }
    result = await data(
        client, '{ author(slug: "the-korea-herald") { id } tag(slug: "north-korea") { id } }'
    )
    global_ids = [to_global_id(name, pk) for name, pk in ids.items() if pk is not None]
    global_ids += [result["author"]["id"], result["tag"]["id"]]
    global_ids += ["not-an-id", to_global_id("Article", 999_999_999), to_global_id("Secret", 1)]
    nodes = (
        await data(
            client, "query($ids: [ID!]!) { nodes(ids: $ids) { id __typename } }", ids=global_ids
        )
    )["nodes"]
    assert [node["__typename"] for node in nodes[:7]] == [
        "Article",
        "Section",
        "Source",
        "Newsletter",
        "NewsletterIssue",
        "Author",
        "Tag",
    ]
    assert [node["id"] for node in nodes[:7]] == global_ids[:7]
    assert nodes[7:] == [None, None, None]


async def test_sections_are_nested(client: httpx.AsyncClient) -> None:
    sections = (
        await data(
            client, "{ sections { slug parent { slug } children { slug parent { slug } } } }"
        )
    )["sections"]
    assert len(sections) >= 5
    assert all(section["parent"] is None for section in sections)
    with_children = [s for s in sections if s["children"]]
    assert with_children, "the demo has at least one parent section"
    for section in with_children:
        assert all(child["parent"]["slug"] == section["slug"] for child in section["children"])


async def test_section_feed_includes_child_sections(client: httpx.AsyncClient) -> None:
    sections = (await data(client, "{ sections { slug children { slug } } }"))["sections"]
    parent = next(s for s in sections if s["children"])
    child_slugs = {child["slug"] for child in parent["children"]}
    feed = (
        await data(
            client,
            "query($s: String!) { section(slug: $s) { articles(first: 100) { nodes { section { slug } } } } }",
            s=parent["slug"],
        )
    )["section"]["articles"]["nodes"]
    seen = {node["section"]["slug"] for node in feed}
    assert seen <= child_slugs | {parent["slug"]}


async def test_source_author_tag_and_directories(client: httpx.AsyncClient) -> None:
    result = await data(
        client,
        """{
          source(slug: "the-korea-herald") { name country language logo { url } articles(first: 3) { totalCount nodes { source { slug } } } }
          author(slug: "the-korea-herald") { name bio isOrganization source { slug } articles(first: 50) { nodes { byline } } }
          tag(slug: "north-korea") { name articles(first: 50) { nodes { tags { slug } } } }
          sources(first: 100) { totalCount nodes { slug country } }
          kr: sources(first: 100, country: "KR") { nodes { slug country } }
          authors(first: 100) { totalCount nodes { name } }
          kh: authors(first: 100, source: "the-korea-herald") { nodes { source { slug } } }
        }""",
    )
    assert result["source"]["name"] == "The Korea Herald"
    assert result["source"]["country"] == "KR"
    assert all(
        n["source"]["slug"] == "the-korea-herald" for n in result["source"]["articles"]["nodes"]
    )
    author = result["author"]
    assert author["isOrganization"] is True
    assert author["bio"].startswith(
        "The Korea Herald is the nation’s largest English-language daily"
    )
    assert all("The Korea Herald" in n["byline"] for n in author["articles"]["nodes"])
    assert all(
        "north-korea" in {t["slug"] for t in n["tags"]} for n in result["tag"]["articles"]["nodes"]
    )
    assert result["sources"]["totalCount"] >= 12
    assert result["authors"]["totalCount"] >= 30
    assert len(result["authors"]["nodes"]) == min(result["authors"]["totalCount"], 100)
    assert {n["country"] for n in result["kr"]["nodes"]} == {"KR"}
    assert {n["source"]["slug"] for n in result["kh"]["nodes"]} == {"the-korea-herald"}


async def test_unknown_slugs_are_null(client: httpx.AsyncClient) -> None:
    result = await data(
        client,
        """{ section(slug: "nope") { id } source(slug: "nope") { id } author(slug: "nope") { id }
             tag(slug: "nope") { id } newsletter(slug: "nope") { id }
             article(slug: "nope", source: "nope") { id }
             newsletterIssue(newsletter: "nope", date: "2018-09-26") { id } }""",
    )
    assert set(result.values()) == {None}


NEWSLETTER = """
{
  newsletters { slug }
  newsletter(slug: "eastern-briefings") {
    name description
    latestIssue { date title items { position blurb article { headline excerpt } } }
    issues(first: 5) { totalCount nodes { date newsletter { slug } } pageInfo { hasNextPage endCursor } }
  }
}
"""


async def test_newsletter_archive_and_issue(client: httpx.AsyncClient) -> None:
    result = await data(client, NEWSLETTER)
    assert {"slug": "eastern-briefings"} in result["newsletters"]
    newsletter = result["newsletter"]
    assert newsletter["name"] == "Eastern Briefings"
    assert "22 Asian newspapers" in newsletter["description"]
    issues = newsletter["issues"]
    assert issues["totalCount"] >= 14
    dates = [node["date"] for node in issues["nodes"]]
    assert dates == sorted(dates, reverse=True)
    assert newsletter["latestIssue"]["date"] == dates[0]
    items = newsletter["latestIssue"]["items"]
    assert len(items) >= 5
    assert [item["position"] for item in items] == sorted(item["position"] for item in items)
    assert all(item["blurb"] for item in items), "blurbs default to the excerpt"

    issue = (
        await data(
            client,
            """query($d: Date!) { newsletterIssue(newsletter: "eastern-briefings", date: $d) { date title } }""",
            d=dates[1],
        )
    )["newsletterIssue"]
    assert issue["date"] == dates[1]


async def test_blurb_defaults_to_excerpt(client: httpx.AsyncClient) -> None:
    result = await data(
        client,
        '{ newsletter(slug: "eastern-briefings") { issues(first: 30) { nodes { items { blurb article { excerpt } } } } } }',
    )
    items = [item for issue in result["newsletter"]["issues"]["nodes"] for item in issue["items"]]
    defaulted = [item for item in items if item["blurb"] == item["article"]["excerpt"]]
    assert defaulted, "some demo items have no blurb of their own"


async def test_newsletter_issue_pagination(client: httpx.AsyncClient) -> None:
    query = """query($after: String) { newsletter(slug: "eastern-briefings") {
        issues(first: 4, after: $after) { nodes { date } pageInfo { hasNextPage endCursor } } } }"""
    seen: list[str] = []
    after = None
    while True:
        issues = (await data(client, query, after=after))["newsletter"]["issues"]
        seen += [node["date"] for node in issues["nodes"]]
        if not issues["pageInfo"]["hasNextPage"]:
            break
        after = issues["pageInfo"]["endCursor"]
    assert seen == sorted(set(seen), reverse=True)
    assert len(seen) >= 14
    assert date.fromisoformat(seen[0]) > date.fromisoformat(seen[-1])
