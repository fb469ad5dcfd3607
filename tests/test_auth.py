"""Authentication and scopes: who may call, who sees drafts, who may write or manage keys."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.database import Database
from api.http.app import create_app
from api.models import Article, ArticleStatus, Source
from api.settings import Settings
from schema.relay import to_global_id
from tests.api_clients import app_client, close_app, data, error_codes, execute, issue_key, post

VIEWER = """
{ viewer { keyName scopes rateLimit { limit remaining resetAt } } }
"""
PUBLISHED_COUNT = "{ articles(first: 1) { totalCount } }"
ANONYMOUS_FRONT_PAGE = "{ viewer { keyName } articles(first: 1) { totalCount } }"
ARTICLE_BY_ID = "query($id: ID!) { article(id: $id) { id headline } }"
UPSERT_SOURCE = """
mutation($slug: String!) {
  upsertSource(input: {slug: $slug, name: "Scope Test Gazette"}) {
    source { slug } userErrors { field message code }
  }
}
"""
CREATE_KEY = """
mutation($name: String!, $scopes: [String!]!) {
  createApiKey(input: {name: $name, scopes: $scopes, rateLimitPerMinute: 30}) {
    secret apiKey { id name scopes rateLimitPerMinute revokedAt } userErrors { field code }
  }
}
"""
REVOKE_KEY = """
mutation($id: ID!) { revokeApiKey(id: $id) { apiKey { name revokedAt } userErrors { code } } }
"""
SUBSCRIBE = """
mutation($email: String!) {
  subscribeToNewsletter(newsletter: "eastern-briefings", email: $email, consent: true) {
    accepted userErrors { code }
  }
}
"""


def assert_unauthenticated(response: httpx.Response) -> None:
    assert response.status_code == 401, response.text
    body = response.json()
    assert "data" not in body
    assert error_codes(body) == ["UNAUTHENTICATED"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "RateLimit-Limit" in response.headers


async def test_anonymous_callers_read_published_content(client: httpx.AsyncClient) -> None:
    response = await post(client, ANONYMOUS_FRONT_PAGE)
    assert response.status_code == 200
    body = response.json()
    assert body["data"]["viewer"] is None
    assert body["data"]["articles"]["totalCount"] > 0
    assert response.headers["RateLimit-Limit"] == "120"


async def test_a_key_is_accepted_in_either_header_and_viewer_describes_it(
    client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    name = f"partner-{uuid.uuid4().hex[:6]}"
    key = await issue_key(db_session, "content:read", rate_limit=40, name=name)
    by_bearer = await post(client, VIEWER, key)
    by_header = await post(client, VIEWER, headers={"X-API-Key": key})
    both = await post(client, VIEWER, key, headers={"X-API-Key": key})
    for response in (by_bearer, by_header, both):
        assert response.status_code == 200, response.text
        viewer = response.json()["data"]["viewer"]
        assert viewer["keyName"] == name
        assert viewer["scopes"] == ["content:read"]
        assert viewer["rateLimit"]["limit"] == 40
        assert datetime.fromisoformat(viewer["rateLimit"]["resetAt"]) > datetime.now(UTC)
    remaining = [
        r.json()["data"]["viewer"]["rateLimit"]["remaining"] for r in (by_bearer, by_header, both)
    ]
    assert remaining == [39, 38, 37]
    assert by_bearer.headers["RateLimit-Remaining"] == "39"


async def test_bad_credentials_are_refused_never_treated_as_anonymous(
    client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    key = await issue_key(db_session, "content:read")
    other = await issue_key(db_session, "content:read")
    wrong_secret = key[:-4] + ("AAAA" if not key.endswith("AAAA") else "BBBB")
    unknown = "bsk_live_0123456789ab_" + "x" * 43
    for headers in (
        {"Authorization": f"Bearer {wrong_secret}"},
        {"Authorization": f"Bearer {unknown}"},
        {"Authorization": "Bearer not-a-key"},
        {"Authorization": "Bearer "},
        {"Authorization": f"Basic {key}"},
        {"X-API-Key": wrong_secret},
        {"X-API-Key": ""},
        {"Authorization": f"Bearer {key}", "X-API-Key": other},
    ):
        response = await client.post("/graphql", json={"query": PUBLISHED_COUNT}, headers=headers)
        assert_unauthenticated(response)


async def test_create_use_revoke_reject_through_the_admin_api(
    client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    admin = await issue_key(db_session, "admin")
    name = f"partner-{uuid.uuid4().hex[:6]}"
    created = (await data(client, CREATE_KEY, admin, name=name, scopes=["content:read"]))[
        "createApiKey"
    ]
    assert created["userErrors"] == []
    secret = created["secret"]
    assert secret.startswith("bsk_live_")
    assert created["apiKey"]["scopes"] == ["content:read"]

    used = await data(client, VIEWER, secret)
    assert used["viewer"]["keyName"] == name
    assert used["viewer"]["rateLimit"]["limit"] == 30

    revoked = (await data(client, REVOKE_KEY, admin, id=created["apiKey"]["id"]))["revokeApiKey"]
    assert revoked["apiKey"]["revokedAt"] is not None
    assert_unauthenticated(await post(client, VIEWER, secret))

    duplicate = (await data(client, CREATE_KEY, admin, name=name, scopes=["admin"]))["createApiKey"]
    assert duplicate["secret"] is None
    assert duplicate["userErrors"] == [{"field": ["input", "name"], "code": "BAD_USER_INPUT"}]
    bad_scope = (await data(client, CREATE_KEY, admin, name=name + "-2", scopes=["root"]))[
        "createApiKey"
    ]
    assert bad_scope["userErrors"] == [{"field": ["input", "scopes"], "code": "BAD_USER_INPUT"}]
    missing = (await data(client, REVOKE_KEY, admin, id=to_global_id("ApiKey", 10**9)))[
        "revokeApiKey"
    ]
    assert missing["userErrors"] == [{"code": "NOT_FOUND"}]


async def test_require_key_turns_anonymous_reads_off(
    settings: Settings, database: Database, db_session: AsyncSession
) -> None:
    key = await issue_key(db_session, "content:read")
    async with app_client(settings, database, broadsheet_require_key=True) as (client, _):
        assert_unauthenticated(await post(client, PUBLISHED_COUNT))
        assert (await data(client, PUBLISHED_COUNT, key))["articles"]["totalCount"] > 0
        # The IDE page holds no data: a developer can open it, then enter a key.
        page = await client.get("/graphql", headers={"Accept": "text/html"})
        assert page.status_code == 200
        assert "text/html" in page.headers["content-type"]
        # A query, or a persisted query's hash, over GET is data, though.
        persisted = '{"persistedQuery":{"version":1,"sha256Hash":"' + "0" * 64 + '"}}'
        assert_unauthenticated(
            await client.get(
                "/graphql", params={"extensions": persisted}, headers={"Accept": "text/html"}
            )
        )
        assert_unauthenticated(
            await client.get(
                "/graphql", params={"query": PUBLISHED_COUNT}, headers={"Accept": "text/html"}
            )
        )
    async with app_client(settings, database, broadsheet_require_key=False) as (client, _):
        assert (await data(client, PUBLISHED_COUNT))["articles"]["totalCount"] > 0


@pytest.mark.parametrize(
    ("scopes", "sees_drafts", "writes", "manages_keys"),
    [
        ((), False, "UNAUTHENTICATED", "UNAUTHENTICATED"),
        (("content:read",), False, "FORBIDDEN", "FORBIDDEN"),
        (("content:write",), True, None, "FORBIDDEN"),
        (("admin",), True, None, None),
        (("content:read", "content:write"), True, None, "FORBIDDEN"),
    ],
    ids=["anonymous", "content-read", "content-write", "admin", "read+write"],
)
async def test_each_scope_allows_exactly_what_it_should(
    client: httpx.AsyncClient,
    db_session: AsyncSession,
    caplog: pytest.LogCaptureFixture,
    scopes: tuple[str, ...],
    sees_drafts: bool,
    writes: str | None,
    manages_keys: str | None,
) -> None:
    key = await issue_key(db_session, *scopes) if scopes else None
    draft_id = await db_session.scalar(
        select(Article.id).where(Article.status == ArticleStatus.DRAFT).limit(1)
    )
    assert draft_id is not None
    sources_before = await db_session.scalar(select(func.count()).select_from(Source))

    # Everyone reads published stories; only the desk sees drafts.
    assert (await data(client, PUBLISHED_COUNT, key))["articles"]["totalCount"] > 0
    draft = (await data(client, ARTICLE_BY_ID, key, id=to_global_id("Article", draft_id)))[
        "article"
    ]
    assert (draft is not None) == sees_drafts

    slug = f"scope-test-{uuid.uuid4().hex[:8]}"
    with caplog.at_level(logging.DEBUG):
        written = await execute(client, UPSERT_SOURCE, key, slug=slug)
    if writes is None:
        assert written["data"]["upsertSource"] == {"source": {"slug": slug}, "userErrors": []}
    else:
        assert written["data"] is None
        assert error_codes(written) == [writes]
        assert await db_session.scalar(select(func.count()).select_from(Source)) == sources_before
    # An expected refusal is not an incident: no traceback in the log.
    assert not [record for record in caplog.records if record.exc_info], caplog.text

    issued = await execute(
        client, CREATE_KEY, key, name=f"k-{uuid.uuid4().hex[:8]}", scopes=["content:read"]
    )
    if manages_keys is None:
        assert issued["data"]["createApiKey"]["secret"].startswith("bsk_live_")
    else:
        assert error_codes(issued) == [manages_keys]

    # Newsletter sign-up is public.
    signup = await data(client, SUBSCRIBE, key, email=f"reader-{uuid.uuid4().hex[:6]}@example.org")
    assert signup["subscribeToNewsletter"] == {"accepted": True, "userErrors": []}


async def test_a_key_cannot_be_checked_while_the_database_is_down(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    unreachable = Database.connect(
        "postgresql+asyncpg://postgres@127.0.0.1:1/nowhere",
        settings.model_copy(update={"db_pool_timeout": 1.0}),
    )
    app = create_app(settings, database=unreachable)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            with caplog.at_level(logging.WARNING):
                response = await post(client, VIEWER, "bsk_live_0123456789ab_" + "z" * 43)
    finally:
        await close_app(app)
        await unreachable.dispose()
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert error_codes(response.json()) == ["SERVICE_UNAVAILABLE"]
    assert "database unavailable" in caplog.text
    assert not [record for record in caplog.records if record.exc_info]
