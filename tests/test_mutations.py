"""Editorial mutations: each one's happy path (with its audit entry), and each validation
failure answered in `userErrors` while the database stays exactly as it was."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.models import AuditEntry, NewsletterIssue
from api.services import articles, keys
from schema.relay import from_global_id, to_global_id
from tests.api_clients import data, error_codes, execute, fingerprint, issue_key

UPSERT_SOURCE = """
mutation($input: SourceInput!) {
  upsertSource(input: $input) {
    source { id slug name description url country language }
    userErrors { field message code }
  }
}
"""
UPSERT_SECTION = """
mutation($input: SectionInput!) {
  upsertSection(input: $input) {
    section { id slug name description parent { slug } }
    userErrors { field message code }
  }
}
"""
UPSERT_AUTHOR = """
mutation($input: AuthorInput!) {
  upsertAuthor(input: $input) {
    author { id slug name bio isOrganization source { slug } }
    userErrors { field message code }
  }
}
"""
ARTICLE_FIELDS = """
  id slug url headline dek excerpt body bodyText language publishedAt updatedAt
  readingTimeMinutes byline countries
  section { slug } source { slug } authors { slug } tags { slug name }
"""
CREATE_ARTICLE = f"""
mutation($input: ArticleInput!) {{
  createArticle(input: $input) {{
    article {{ {ARTICLE_FIELDS} }}
    userErrors {{ field message code }}
  }}
}}
"""
UPDATE_ARTICLE = f"""
mutation($id: ID!, $input: ArticlePatch!) {{
  updateArticle(id: $id, input: $input) {{
    article {{ {ARTICLE_FIELDS} }}
    userErrors {{ field message code }}
  }}
}}
"""
PUBLISH_ARTICLE = """
mutation($id: ID!, $at: DateTime) {
  publishArticle(id: $id, at: $at) {
    article { id publishedAt } userErrors { field message code }
  }
}
"""
UNPUBLISH_ARTICLE = """
mutation($id: ID!) {
  unpublishArticle(id: $id) { article { id publishedAt } userErrors { field message code } }
}
"""
DELETE_ARTICLE = """
mutation($id: ID!) { deleteArticle(id: $id) { deletedId userErrors { field message code } } }
"""
NODE = "query($id: ID!) { node(id: $id) { id } }"
CREATE_ISSUE = """
mutation($input: NewsletterIssueInput!) {
  createNewsletterIssue(input: $input) {
    issue { id date title intro publishedAt items { position blurb article { id excerpt } } }
    userErrors { field message code }
  }
}
"""
PUBLISH_ISSUE = """
mutation($id: ID!) {
  publishNewsletterIssue(id: $id) {
    issue { id publishedAt } userErrors { field message code }
  }
}
"""

BODY = """
<p>Seoul and Beijing agreed on Thursday to deepen trade ties, officials said.</p>
<p>The two leaders met for <strong>three hours</strong> in the capital.</p>
"""


@pytest.fixture
async def writer(db_session: AsyncSession) -> str:
    return await issue_key(db_session, "content:write")


async def mutate(
    client: httpx.AsyncClient, document: str, key: str, **variables: Any
) -> dict[str, Any]:
    """The payload of a mutation document holding exactly one mutation."""
    result = await data(client, document, key, **variables)
    (payload,) = result.values()
    assert isinstance(payload, dict)
    return payload


def fields_at_fault(payload: dict[str, Any]) -> list[tuple[str, ...]]:
    return [tuple(error["field"] or ()) for error in payload["userErrors"]]


async def audit_actions(db_session: AsyncSession, entity_type: str, entity_id: int) -> list[str]:
    entries = await db_session.scalars(
        select(AuditEntry.action)
        .where(AuditEntry.entity_type == entity_type, AuditEntry.entity_id == entity_id)
        .order_by(AuditEntry.id)
    )
    return list(entries.all())


def pk(global_id: str) -> int:
    decoded = from_global_id(global_id)
    assert decoded is not None
    return decoded[1]


def article_input(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "source": "the-korea-herald",
        "section": "diplomacy",
        "headline": f"Leaders agree to deepen trade ties {uuid.uuid4().hex[:6]}",
        "body": BODY,
    }
    return {**base, **overrides}


# --- Sources, sections, authors --------------------------------------------------------------


async def test_upsert_source_creates_then_updates_and_audits(
    client: httpx.AsyncClient, db_session: AsyncSession, writer: str
) -> None:
    created = await mutate(
        client,
        UPSERT_SOURCE,
        writer,
        input={"name": "The Borneo Post", "url": "https://www.theborneopost.com", "country": "my"},
    )
    assert created["userErrors"] == []
    source = created["source"]
    assert source["slug"] == "the-borneo-post"
    assert source["country"] == "MY"
    assert source["language"] == "en"

    updated = await mutate(
        client,
        UPSERT_SOURCE,
        writer,
        input={
            "slug": "the-borneo-post",
            "name": "The Borneo Post",
            "description": "Sarawak daily.",
        },
    )
    assert updated["source"] == {**source, "description": "Sarawak daily."}  # the rest is kept

    cleared = await mutate(
        client,
        UPSERT_SOURCE,
        writer,
        input={"slug": "the-borneo-post", "name": "The Borneo Post", "url": None, "language": "ms"},
    )
    assert cleared["source"]["url"] is None
    assert cleared["source"]["language"] == "ms"

    source_id = pk(source["id"])
    assert await audit_actions(db_session, "Source", source_id) == [
        "source.create",
        "source.update",
        "source.update",
    ]
    entry = (
        await db_session.scalars(
            select(AuditEntry)
            .where(AuditEntry.entity_id == source_id)
            .order_by(AuditEntry.id.desc())
        )
    ).first()
    assert entry is not None
    assert entry.before is not None
    assert entry.after is not None
    assert entry.before["url"] == "https://www.theborneopost.com"
    assert entry.after["url"] is None
    writer_row = await keys.find_active_key(db_session, writer)
    assert writer_row is not None
    assert entry.api_key_id == writer_row.id


@pytest.mark.parametrize(
    ("source_input", "field"),
    [
        ({"name": "  "}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": "Ok", "slug": "Not A Slug"}, "slug"),
        ({"name": "Ok", "url": "javascript:alert(1)"}, "url"),
        ({"name": "Ok", "url": "ftp://example.org"}, "url"),
        ({"name": "Ok", "url": "https://"}, "url"),
        ({"name": "Ok", "country": "XX"}, "country"),
        ({"name": "Ok", "country": "Korea"}, "country"),
        ({"name": "Ok", "language": "english"}, "language"),
        ({"name": "Ok", "language": None}, "language"),
        ({"name": "\u2603\u2603"}, "slug"),  # nothing to derive a slug from
    ],
)
async def test_upsert_source_refuses_bad_input_and_changes_nothing(
    client: httpx.AsyncClient,
    db_session: AsyncSession,
    writer: str,
    source_input: dict[str, Any],
    field: str,
) -> None:
    before = await fingerprint(db_session)
    payload = await mutate(client, UPSERT_SOURCE, writer, input=source_input)
    assert payload["source"] is None
    assert fields_at_fault(payload) == [("input", field)]
    assert payload["userErrors"][0]["code"] == "BAD_USER_INPUT"
    assert await fingerprint(db_session) == before


async def test_upsert_section_nests_and_refuses_cycles(
    client: httpx.AsyncClient, db_session: AsyncSession, writer: str
) -> None:
    child = await mutate(
        client, UPSERT_SECTION, writer, input={"name": "Trade", "parent": "economy", "position": 3}
    )
    assert child["userErrors"] == []
    assert child["section"]["slug"] == "trade"
    assert child["section"]["parent"] == {"slug": "economy"}

    moved = await mutate(
        client, UPSERT_SECTION, writer, input={"slug": "trade", "name": "Trade", "parent": None}
    )
    assert moved["section"]["parent"] is None

    before = await fingerprint(db_session)
    for bad, field, code in (
        ({"slug": "economy", "name": "Economy", "parent": "markets"}, "parent", "BAD_USER_INPUT"),
        ({"slug": "economy", "name": "Economy", "parent": "economy"}, "parent", "BAD_USER_INPUT"),
        ({"name": "Ports", "parent": "no-such-section"}, "parent", "NOT_FOUND"),
        ({"name": "Ports", "position": -1}, "position", "BAD_USER_INPUT"),
    ):
        payload = await mutate(client, UPSERT_SECTION, writer, input=bad)
        assert payload["section"] is None
        assert payload["userErrors"][0]["field"] == ["input", field], bad
        assert payload["userErrors"][0]["code"] == code
    assert await fingerprint(db_session) == before


async def test_upsert_author_with_affiliation(
    client: httpx.AsyncClient, db_session: AsyncSession, writer: str
) -> None:
    created = await mutate(
        client,
        UPSERT_AUTHOR,
        writer,
        input={
            "name": "Kim Min-ji",
            "bio": "Diplomatic correspondent.",
            "source": "the-korea-herald",
        },
    )
    assert created["author"] == {
        **created["author"],
        "slug": "kim-min-ji",
        "isOrganization": False,
        "source": {"slug": "the-korea-herald"},
    }
    freelance = await mutate(
        client,
        UPSERT_AUTHOR,
        writer,
        input={"slug": "kim-min-ji", "name": "Kim Min-ji", "source": None},
    )
    assert freelance["author"]["source"] is None
    assert freelance["author"]["bio"] == "Diplomatic correspondent."

    before = await fingerprint(db_session)
    unknown = await mutate(
        client, UPSERT_AUTHOR, writer, input={"name": "Nobody", "source": "no-such-paper"}
    )
    assert unknown["userErrors"][0] == {
        "field": ["input", "source"],
        "message": "No source with slug 'no-such-paper'.",
        "code": "NOT_FOUND",
    }
    assert await fingerprint(db_session) == before


# --- Articles ---------------------------------------------------------------------------------


async def test_create_article_derives_everything_and_starts_as_a_draft(
    client: httpx.AsyncClient, db_session: AsyncSession, writer: str
) -> None:
    await mutate(client, UPSERT_AUTHOR, writer, input={"name": "Lee Jae-won"})
    await mutate(client, UPSERT_AUTHOR, writer, input={"name": "Park Soo-jin"})
    payload = await mutate(
        client,
        CREATE_ARTICLE,
        writer,
        input=article_input(
            headline="Seoul, Beijing agree to deepen trade ties",
            dek="Leaders meet for three hours.",
            authors=["park-soo-jin", "lee-jae-won"],
            tags=["north-korea", "Trade Talks 2026"],
            countries=["kr", "CN", "kr"],
        ),
    )
    assert payload["userErrors"] == []
    article = payload["article"]
    assert article["slug"] == "seoul-beijing-agree-to-deepen-trade-ties"
    assert article["url"] == "https://www.koreaherald.com/seoul-beijing-agree-to-deepen-trade-ties"
    assert article["publishedAt"] is None
    assert article["language"] == "en"  # the source's
    assert article["byline"] == "By Park Soo-jin and Lee Jae-won"
    assert [a["slug"] for a in article["authors"]] == ["park-soo-jin", "lee-jae-won"]
    assert sorted(t["slug"] for t in article["tags"]) == ["north-korea", "trade-talks-2026"]
    assert {"slug": "trade-talks-2026", "name": "Trade Talks 2026"} in article["tags"]
    assert sorted(article["countries"]) == ["CN", "KR"]
    assert article["bodyText"] == (
        "Seoul and Beijing agreed on Thursday to deepen trade ties, officials said.\n\n"
        "The two leaders met for three hours in the capital."
    )
    assert article["excerpt"] == article["bodyText"].replace("\n\n", " ")
    assert article["readingTimeMinutes"] == 1
    assert "<strong>three hours</strong>" in article["body"]
    assert await audit_actions(db_session, "Article", pk(article["id"])) == ["article.create"]


async def test_slugs_are_unique_per_source(client: httpx.AsyncClient, writer: str) -> None:
    headline = f"Typhoon nears the coast {uuid.uuid4().hex[:6]}"
    slugs = [
        (await mutate(client, CREATE_ARTICLE, writer, input=article_input(headline=headline)))[
            "article"
        ]["slug"]
        for _ in range(3)
    ]
    base = slugs[0]
    assert slugs == [base, f"{base}-2", f"{base}-3"]
    elsewhere = await mutate(
        client,
        CREATE_ARTICLE,
        writer,
        input=article_input(headline=headline, source="the-daily-star"),
    )
    assert elsewhere["article"]["slug"] == base  # another source, another namespace

    taken = await mutate(client, CREATE_ARTICLE, writer, input=article_input(slug=base))
    assert fields_at_fault(taken) == [("input", "slug")]


async def test_reimport_with_the_same_external_id_updates(
    client: httpx.AsyncClient, db_session: AsyncSession, writer: str
) -> None:
    external_id = f"kh-{uuid.uuid4().hex[:8]}"
    first = await mutate(
        client, CREATE_ARTICLE, writer, input=article_input(externalId=external_id, tags=["a-tag"])
    )
    rows_after_first = await fingerprint(db_session)
    again = await mutate(
        client,
        CREATE_ARTICLE,
        writer,
        input=article_input(headline="Corrected headline", externalId=external_id),
    )
    assert again["userErrors"] == []
    assert again["article"]["id"] == first["article"]["id"]
    assert again["article"]["headline"] == "Corrected headline"
    assert again["article"]["slug"] == first["article"]["slug"]  # URLs stay stable
    assert again["article"]["tags"] == []
    assert (await fingerprint(db_session))["articles"][0] == rows_after_first["articles"][0]
    assert await audit_actions(db_session, "Article", pk(first["article"]["id"])) == [
        "article.create",
        "article.reimport",
    ]


ARTICLE_INPUT_PROBLEMS: list[tuple[dict[str, Any], tuple[str, ...], str]] = [
    ({"source": "no-such-paper"}, ("input", "source"), "NOT_FOUND"),
    ({"section": "no-such-section"}, ("input", "section"), "NOT_FOUND"),
    ({"authors": ["no-such-person"]}, ("input", "authors", "0"), "NOT_FOUND"),
    ({"authors": ["daily-star", "daily-star"]}, ("input", "authors"), "BAD_USER_INPUT"),
    ({"headline": "   "}, ("input", "headline"), "BAD_USER_INPUT"),
    ({"headline": "x" * 301}, ("input", "headline"), "BAD_USER_INPUT"),
    ({"dek": "x" * 601}, ("input", "dek"), "BAD_USER_INPUT"),
    ({"body": "<script>alert(1)</script>"}, ("input", "body"), "BAD_USER_INPUT"),
    ({"body": "<p>" + "word " * 110_000 + "</p>"}, ("input", "body"), "BAD_USER_INPUT"),
    ({"url": "javascript:alert(1)"}, ("input", "url"), "BAD_USER_INPUT"),
    ({"url": "www.example.org/story"}, ("input", "url"), "BAD_USER_INPUT"),
    ({"slug": "Has Spaces"}, ("input", "slug"), "BAD_USER_INPUT"),
    ({"slug": "trailing-"}, ("input", "slug"), "BAD_USER_INPUT"),
    ({"countries": ["KR", "ZZ"]}, ("input", "countries", "1"), "BAD_USER_INPUT"),
    ({"countries": ["South Korea"]}, ("input", "countries", "0"), "BAD_USER_INPUT"),
    ({"language": "en_US"}, ("input", "language"), "BAD_USER_INPUT"),
    ({"tags": ["ok", " "]}, ("input", "tags", "1"), "BAD_USER_INPUT"),
    ({"tags": ["!!!"]}, ("input", "tags", "0"), "BAD_USER_INPUT"),
    ({"tags": [f"t{n}" for n in range(31)]}, ("input", "tags"), "BAD_USER_INPUT"),
    ({"externalId": "x" * 201}, ("input", "externalId"), "BAD_USER_INPUT"),
    ({"headline": "\u2603", "slug": None}, ("input", "slug"), "BAD_USER_INPUT"),
]


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    ARTICLE_INPUT_PROBLEMS,
    ids=[f"{'.'.join(case[1])}-{n}" for n, case in enumerate(ARTICLE_INPUT_PROBLEMS)],
)
async def test_create_article_refuses_bad_input_and_changes_nothing(
    client: httpx.AsyncClient,
    db_session: AsyncSession,
    writer: str,
    overrides: dict[str, Any],
    field: tuple[str, ...],
    code: str,
) -> None:
    before = await fingerprint(db_session)
    payload = await mutate(client, CREATE_ARTICLE, writer, input=article_input(**overrides))
    assert payload["article"] is None
    assert fields_at_fault(payload) == [field], payload["userErrors"]
    assert payload["userErrors"][0]["code"] == code
    assert await fingerprint(db_session) == before


async def test_every_problem_is_reported_at_once(
    client: httpx.AsyncClient, db_session: AsyncSession, writer: str
) -> None:
    before = await fingerprint(db_session)
    payload = await mutate(
        client,
        CREATE_ARTICLE,
        writer,
        input=article_input(
            section="nope", headline="", url="ftp://x", countries=["QQ"], language="?"
        ),
    )
    assert set(fields_at_fault(payload)) == {
        ("input", "section"),
        ("input", "headline"),
        ("input", "url"),
        ("input", "countries", "0"),
        ("input", "language"),
    }
    assert await fingerprint(db_session) == before


async def test_a_source_without_a_url_needs_one_per_article(
    client: httpx.AsyncClient, db_session: AsyncSession, writer: str
) -> None:
    await mutate(client, UPSERT_SOURCE, writer, input={"name": "Pamphlet Weekly"})
    before = await fingerprint(db_session)
    payload = await mutate(
        client, CREATE_ARTICLE, writer, input=article_input(source="pamphlet-weekly")
    )
    assert fields_at_fault(payload) == [("input", "url")]
    assert await fingerprint(db_session) == before
    ok = await mutate(
        client,
        CREATE_ARTICLE,
        writer,
        input=article_input(source="pamphlet-weekly", url="https://pamphlet.example/1"),
    )
    assert ok["article"]["url"] == "https://pamphlet.example/1"


async def test_update_article_changes_only_what_is_sent(
    client: httpx.AsyncClient, db_session: AsyncSession, writer: str
) -> None:
    await mutate(client, UPSERT_AUTHOR, writer, input={"name": "Choi Hye-rin"})
    created = (
        await mutate(
            client,
            CREATE_ARTICLE,
            writer,
            input=article_input(
                dek="A dek.", tags=["north-korea"], countries=["KR"], authors=["choi-hye-rin"]
            ),
        )
    )["article"]
    payload = await mutate(
        client,
        UPDATE_ARTICLE,
        writer,
        id=created["id"],
        input={
            "headline": "A sharper headline",
            "dek": None,
            "tags": ["Trade"],
            "countries": None,
            "body": "<p>Shorter.</p>",
            "section": "economy",
            "language": "EN-gb",
        },
    )
    assert payload["userErrors"] == []
    updated = payload["article"]
    assert updated["headline"] == "A sharper headline"
    assert updated["dek"] is None
    assert [t["slug"] for t in updated["tags"]] == ["trade"]
    assert updated["countries"] == []
    assert updated["bodyText"] == "Shorter."
    assert updated["excerpt"] == "Shorter."
    assert updated["section"] == {"slug": "economy"}
    assert updated["language"] == "en-GB"
    # Not sent, so unchanged:
    assert updated["slug"] == created["slug"]
    assert updated["url"] == created["url"]
    assert updated["authors"] == [{"slug": "choi-hye-rin"}]
    assert await audit_actions(db_session, "Article", pk(created["id"])) == [
        "article.create",
        "article.update",
    ]


async def test_update_article_refuses_bad_input_and_changes_nothing(
    client: httpx.AsyncClient, db_session: AsyncSession, writer: str
) -> None:
    first = (await mutate(client, CREATE_ARTICLE, writer, input=article_input(externalId="e-1")))[
        "article"
    ]
    second = (await mutate(client, CREATE_ARTICLE, writer, input=article_input()))["article"]
    before = await fingerprint(db_session)
    cases: list[tuple[str, dict[str, Any], tuple[str, ...], str]] = [
        (second["id"], {"slug": first["slug"]}, ("input", "slug"), "BAD_USER_INPUT"),
        (second["id"], {"externalId": "e-1"}, ("input", "externalId"), "BAD_USER_INPUT"),
        (second["id"], {"headline": None}, ("input", "headline"), "BAD_USER_INPUT"),
        (second["id"], {"headline": " "}, ("input", "headline"), "BAD_USER_INPUT"),
        (second["id"], {"url": ""}, ("input", "url"), "BAD_USER_INPUT"),
        (second["id"], {"section": "nope"}, ("input", "section"), "NOT_FOUND"),
        (second["id"], {"authors": ["nope"]}, ("input", "authors", "0"), "NOT_FOUND"),
        (second["id"], {"body": "<iframe src=x></iframe>"}, ("input", "body"), "BAD_USER_INPUT"),
        (to_global_id("Article", 10**9), {"headline": "x"}, ("id",), "NOT_FOUND"),
        (to_global_id("Source", 1), {"headline": "x"}, ("id",), "NOT_FOUND"),
        ("not-an-id", {"headline": "x"}, ("id",), "NOT_FOUND"),
    ]
    for article_id, patch, field, code in cases:
        payload = await mutate(client, UPDATE_ARTICLE, writer, id=article_id, input=patch)
        assert payload["article"] is None
        assert fields_at_fault(payload) == [field], (patch, payload["userErrors"])
        assert payload["userErrors"][0]["code"] == code
    assert await fingerprint(db_session) == before


async def test_publish_schedule_unpublish_delete(
    client: httpx.AsyncClient, db_session: AsyncSession, writer: str
) -> None:
    article = (await mutate(client, CREATE_ARTICLE, writer, input=article_input()))["article"]
    article_id = article["id"]

    published = await mutate(client, PUBLISH_ARTICLE, writer, id=article_id)
    published_at = datetime.fromisoformat(published["article"]["publishedAt"])
    assert abs(published_at - datetime.now(UTC)) < timedelta(minutes=1)
    again = await mutate(client, PUBLISH_ARTICLE, writer, id=article_id)
    assert again["article"]["publishedAt"] == published["article"]["publishedAt"]  # keeps its date

    at = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0)
    scheduled = await mutate(client, PUBLISH_ARTICLE, writer, id=article_id, at=at.isoformat())
    assert datetime.fromisoformat(scheduled["article"]["publishedAt"]) == at

    unpublished = await mutate(client, UNPUBLISH_ARTICLE, writer, id=article_id)
    assert unpublished["article"]["publishedAt"] is None

    deleted = await mutate(client, DELETE_ARTICLE, writer, id=article_id)
    assert deleted == {"deletedId": article_id, "userErrors": []}
    assert (await data(client, NODE, writer, id=article_id))["node"] is None
    assert await audit_actions(db_session, "Article", pk(article_id)) == [
        "article.create",
        "article.publish",
        "article.schedule",
        "article.unpublish",
        "article.delete",
    ]
    trail = (
        await db_session.scalars(
            select(AuditEntry).where(
                AuditEntry.entity_id == pk(article_id), AuditEntry.action == "article.delete"
            )
        )
    ).one()
    assert trail.before is not None
    assert trail.before["headline"] == article["headline"]
    assert trail.after is None


async def test_publishing_refuses_bad_input_and_changes_nothing(
    client: httpx.AsyncClient, db_session: AsyncSession, writer: str
) -> None:
    article = (await mutate(client, CREATE_ARTICLE, writer, input=article_input()))["article"]
    before = await fingerprint(db_session)
    naive = await mutate(
        client, PUBLISH_ARTICLE, writer, id=article["id"], at="2030-01-01T06:00:00"
    )
    assert naive["userErrors"] == [
        {
            "field": ["at"],
            "message": "Needs a time zone (e.g. 2026-05-01T06:00:00Z).",
            "code": "BAD_USER_INPUT",
        }
    ]
    missing = to_global_id("Article", 10**9)
    for document in (PUBLISH_ARTICLE, UNPUBLISH_ARTICLE, DELETE_ARTICLE):
        payload = await mutate(client, document, writer, id=missing)
        assert [e["code"] for e in payload["userErrors"]] == ["NOT_FOUND"]
    assert await fingerprint(db_session) == before


async def test_a_failure_halfway_through_a_write_rolls_everything_back(
    client: httpx.AsyncClient,
    db_session: AsyncSession,
    writer: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def broken(*args: Any) -> None:
        raise RuntimeError("disk on fire")

    # Authors and tags (a new one) are written before countries: all must vanish.
    monkeypatch.setattr(articles, "set_countries", broken)
    await mutate(client, UPSERT_AUTHOR, writer, input={"name": "Han Ji-woo"})
    before = await fingerprint(db_session)
    body = await execute(
        client,
        CREATE_ARTICLE,
        writer,
        input=article_input(authors=["han-ji-woo"], tags=["brand-new-tag"], countries=["KR"]),
    )
    assert error_codes(body) == ["INTERNAL"]
    assert "disk on fire" not in str(body)
    assert await fingerprint(db_session) == before


SEVERAL_WRITES = """
mutation($id: ID!) {
  first: updateArticle(id: $id, input: {authors: ["ahn-one"], countries: ["KR"], tags: ["t-one"]}) {
    article { authors { slug } countries tags { slug } }
  }
  second: updateArticle(
    id: $id, input: {authors: ["ahn-two", "ahn-one"], countries: ["JP"], tags: ["t-two"]}
  ) {
    article { authors { slug } countries tags { slug } }
  }
  gone: deleteArticle(id: $id) { deletedId }
}
"""


async def test_several_writes_in_one_document_each_see_the_last(
    client: httpx.AsyncClient, writer: str
) -> None:
    for name in ("Ahn One", "Ahn Two"):
        await mutate(client, UPSERT_AUTHOR, writer, input={"name": name})
    article = (await mutate(client, CREATE_ARTICLE, writer, input=article_input()))["article"]
    result = await data(client, SEVERAL_WRITES, writer, id=article["id"])
    assert result["first"]["article"] == {
        "authors": [{"slug": "ahn-one"}],
        "countries": ["KR"],
        "tags": [{"slug": "t-one"}],
    }
    assert result["second"]["article"] == {
        "authors": [{"slug": "ahn-two"}, {"slug": "ahn-one"}],
        "countries": ["JP"],
        "tags": [{"slug": "t-two"}],
    }
    assert result["gone"] == {"deletedId": article["id"]}


# --- Newsletter issues ------------------------------------------------------------------------


async def test_compose_and_publish_an_issue(
    client: httpx.AsyncClient, db_session: AsyncSession, writer: str
) -> None:
    first = (await mutate(client, CREATE_ARTICLE, writer, input=article_input()))["article"]
    second = (await mutate(client, CREATE_ARTICLE, writer, input=article_input()))["article"]
    payload = await mutate(
        client,
        CREATE_ISSUE,
        writer,
        input={
            "newsletter": "eastern-briefings",
            "date": "2030-03-01",
            "title": "Eastern Briefings: March 1",
            "intro": "Today's stories.",
            "items": [
                {"article": second["id"], "blurb": "Read this first."},
                {"article": first["id"]},
            ],
        },
    )
    assert payload["userErrors"] == []
    issue = payload["issue"]
    assert issue["publishedAt"] is None
    assert [(i["position"], i["article"]["id"]) for i in issue["items"]] == [
        (1, second["id"]),
        (2, first["id"]),
    ]
    assert issue["items"][0]["blurb"] == "Read this first."
    assert issue["items"][1]["blurb"] == first["excerpt"]

    published = await mutate(client, PUBLISH_ISSUE, writer, id=issue["id"])
    assert published["issue"]["publishedAt"] is not None
    assert await audit_actions(db_session, "NewsletterIssue", pk(issue["id"])) == [
        "newsletter_issue.create",
        "newsletter_issue.publish",
    ]


async def test_issue_input_is_validated_and_changes_nothing(
    client: httpx.AsyncClient, db_session: AsyncSession, writer: str
) -> None:
    article = (await mutate(client, CREATE_ARTICLE, writer, input=article_input()))["article"]
    taken_date = await db_session.scalar(select(NewsletterIssue.date).limit(1))
    assert taken_date is not None
    good: dict[str, Any] = {
        "newsletter": "eastern-briefings",
        "date": "2031-01-01",
        "title": "An issue",
        "items": [{"article": article["id"]}],
    }
    before = await fingerprint(db_session)
    cases: list[tuple[dict[str, Any], tuple[str, ...], str]] = [
        ({"newsletter": "no-such-letter"}, ("input", "newsletter"), "NOT_FOUND"),
        ({"date": taken_date.isoformat()}, ("input", "date"), "BAD_USER_INPUT"),
        ({"title": ""}, ("input", "title"), "BAD_USER_INPUT"),
        (
            {"items": [{"article": to_global_id("Article", 10**9)}]},
            ("input", "items", "0", "article"),
            "NOT_FOUND",
        ),
        ({"items": [{"article": "garbage"}]}, ("input", "items", "0", "article"), "NOT_FOUND"),
        (
            {"items": [{"article": article["id"]}, {"article": article["id"]}]},
            ("input", "items", "1", "article"),
            "BAD_USER_INPUT",
        ),
        (
            {"items": [{"article": article["id"], "blurb": "x" * 2001}]},
            ("input", "items", "0", "blurb"),
            "BAD_USER_INPUT",
        ),
        ({"items": [{"article": article["id"]}] * 101}, ("input", "items"), "BAD_USER_INPUT"),
    ]
    for change, field, code in cases:
        payload = await mutate(client, CREATE_ISSUE, writer, input={**good, **change})
        assert payload["issue"] is None
        assert fields_at_fault(payload) == [field], (change, payload["userErrors"])
        assert payload["userErrors"][0]["code"] == code
    unknown = await mutate(client, PUBLISH_ISSUE, writer, id=to_global_id("NewsletterIssue", 10**9))
    assert [e["code"] for e in unknown["userErrors"]] == ["NOT_FOUND"]
    assert await fingerprint(db_session) == before
