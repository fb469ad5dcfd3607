"""Signed webhooks end to end in one process: registration refuses forbidden targets, the secret
is shown once and kept sealed, events are written with the change (a refused write sends
nothing), deliveries are signed per Standard Webhooks, every attempt is recorded, failures are
retried and mark the endpoint failing, and hanging or redirecting receivers block nothing."""

from __future__ import annotations

import asyncio
import ipaddress
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import orjson
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from standardwebhooks.webhooks import Webhook

from api.background import registry
from api.caching import MemoryResponseCache, NoResponseCache, ResponseCache
from api.database import Database
from api.http.app import create_app
from api.jobs.kinds import WorkerResources
from api.jobs.worker import Worker
from api.settings import Settings
from api.webhooks.addresses import is_forbidden_address
from tests.api_clients import close_app, data, error_codes, execute
from tests.partners_support import (
    AUTHOR,
    SECTION,
    SOURCE,
    Receiver,
    migrated_scratch,
    running_receiver,
    seed_newsroom,
)

CREATE_ENDPOINT = """
mutation($input: WebhookEndpointInput!) {
  createWebhookEndpoint(input: $input) {
    endpoint { id url events status enabled }
    secret
    userErrors { field message code }
  }
}
"""
UPDATE_ENDPOINT = """
mutation($id: ID!, $input: WebhookEndpointPatch!) {
  updateWebhookEndpoint(id: $id, input: $input) { endpoint { id url status } userErrors { message } }
}
"""
ENDPOINTS = """
{ webhookEndpoints { id url status consecutiveFailures
    deliveries(first: 10) { id messageId eventType state attempts lastStatus payload
      attemptLog { statusCode error latencyMs responseExcerpt } } } }
"""
REPLAY = (
    "mutation($id: ID!) { replayWebhookDelivery(id: $id) { deliveryId userErrors { message } } }"
)
CREATE = """
mutation($input: ArticleInput!) { createArticle(input: $input) { article { id } userErrors { message } } }
"""
PUBLISH = """
mutation($id: ID!, $at: DateTime) { publishArticle(id: $id, at: $at) { article { id } userErrors { message } } }
"""
UPDATE = """
mutation($id: ID!, $input: ArticlePatch!) { updateArticle(id: $id, input: $input) { article { id } userErrors { message } } }
"""
UNPUBLISH = (
    "mutation($id: ID!) { unpublishArticle(id: $id) { article { id } userErrors { message } } }"
)
DELETE = "mutation($id: ID!) { deleteArticle(id: $id) { deletedId userErrors { message } } }"
ALL_EVENTS = [
    "article.published",
    "article.updated",
    "article.unpublished",
    "article.deleted",
    "newsletter_issue.published",
]


@pytest.fixture(scope="module")
def scratch_url() -> Iterator[str]:
    with migrated_scratch("broadsheet_webhooks") as url:
        yield url


@pytest.fixture(scope="module")
async def world(scratch_url: str) -> AsyncIterator[dict[str, Any]]:
    keys = await seed_newsroom(scratch_url)
    settings = Settings(
        database_url=scratch_url,
        broadsheet_secret_key="webhooks-test",
        redis_url=None,
        broadsheet_allow_private_targets=True,
        broadsheet_webhook_timeout_seconds=1.5,
        broadsheet_webhook_failing_after=2,
        broadsheet_worker_poll_seconds=0.2,
    )
    app = create_app(settings)
    engine = create_async_engine(scratch_url)
    transport = httpx.ASGITransport(app=app)
    async with (
        running_receiver() as receiver,
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as client,
    ):
        yield {
            "client": client,
            "keys": keys,
            "settings": settings,
            "url": scratch_url,
            "receiver": receiver,
            "engine": engine,
        }
    await engine.dispose()
    await close_app(app)
    await app.state.database.dispose()


@pytest.fixture(autouse=True)
async def clean_slate(world: dict[str, Any]) -> None:
    """Each test starts with no endpoints, no pending jobs and an empty receiver log."""
    engine: AsyncEngine = world["engine"]
    async with engine.begin() as connection:
        await connection.execute(text("DELETE FROM webhook_endpoints"))
        await connection.execute(text("DELETE FROM jobs"))
    world["receiver"].requests.clear()


async def drain(
    world: dict[str, Any], cache: ResponseCache | None = None, **overrides: Any
) -> None:
    settings = world["settings"].model_copy(update=overrides)
    database = Database.connect(world["url"], settings)
    try:
        worker = Worker(WorkerResources(database, settings, cache or NoResponseCache()), registry())
        await worker.run_until_idle()
    finally:
        await database.dispose()


async def register(
    world: dict[str, Any], path: str, events: list[str] = ALL_EVENTS
) -> dict[str, Any]:
    receiver: Receiver = world["receiver"]
    result = await data(
        world["client"],
        CREATE_ENDPOINT,
        world["keys"]["admin"],
        input={"url": receiver.url(path), "events": events, "description": path},
    )
    payload: dict[str, Any] = result["createWebhookEndpoint"]
    assert payload["userErrors"] == []
    return payload


async def new_article(world: dict[str, Any], headline: str, publish: bool = True) -> str:
    client, desk = world["client"], world["keys"]["desk"]
    created = await data(
        client,
        CREATE,
        desk,
        input={
            "source": SOURCE,
            "section": SECTION,
            "headline": headline,
            "body": f"<p>{headline}</p>",
            "authors": [AUTHOR],
        },
    )
    article_id: str = created["createArticle"]["article"]["id"]
    if publish:
        await data(client, PUBLISH, desk, id=article_id)
    return article_id


def verified(secret: str, request: Any) -> dict[str, Any]:
    """The body, once its Standard Webhooks signature checks out (raises otherwise)."""
    payload: dict[str, Any] = Webhook(secret).verify(request.body, request.headers)
    return payload


async def test_private_and_metadata_targets_are_refused_at_registration(
    world: dict[str, Any],
) -> None:
    strict = world["settings"].model_copy(update={"broadsheet_allow_private_targets": False})
    app = create_app(strict)
    transport = httpx.ASGITransport(app=app)
    refused = [
        "http://example.com/hook",  # not https
        "https://127.0.0.1/hook",
        "https://localhost:8443/hook",
        "https://10.1.2.3/hook",
        "https://192.168.0.10/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://[fd00:ec2::254]/hook",
        "https://100.100.100.200/hook",
        "https://0x7f000001/hook",
        "https://0/hook",
        "https://user:secret@example.com/hook",
        "https://no-such-host.invalid/hook",
        "not a url",
    ]
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            for url in refused:
                body = await execute(
                    client,
                    CREATE_ENDPOINT,
                    world["keys"]["admin"],
                    input={"url": url, "events": ["article.published"]},
                )
                payload = body["data"]["createWebhookEndpoint"]
                assert payload["endpoint"] is None, url
                assert payload["secret"] is None, url
                assert [e["field"] for e in payload["userErrors"]] == [["input", "url"]], url
            body = await execute(
                client,
                CREATE_ENDPOINT,
                world["keys"]["admin"],
                input={"url": "https://example.com/x", "events": ["article.bogus"]},
            )
            fields = [e["field"] for e in body["data"]["createWebhookEndpoint"]["userErrors"]]
            assert ["input", "events"] in fields
    finally:
        await close_app(app)
        await app.state.database.dispose()
    async with world["engine"].connect() as connection:
        assert await connection.scalar(text("SELECT count(*) FROM webhook_endpoints")) == 0


@pytest.mark.parametrize(
    ("address", "forbidden"),
    [
        ("8.8.8.8", False),
        ("2001:4860:4860::8888", False),
        ("127.0.0.1", True),
        ("10.0.0.1", True),
        ("172.16.5.4", True),
        ("192.168.1.1", True),
        ("169.254.169.254", True),
        ("100.64.0.1", True),
        ("0.0.0.0", True),
        ("224.0.0.251", True),
        ("::1", True),
        ("fe80::1", True),
        ("fd00::1", True),
        ("::ffff:10.0.0.1", True),
        ("2002:7f00:1::", True),  # 6to4 around 127.0.0.1
        ("64:ff9b::a9fe:a9fe", True),  # NAT64 around 169.254.169.254
    ],
)
def test_the_address_guard(address: str, forbidden: bool) -> None:
    assert is_forbidden_address(ipaddress.ip_address(address)) is forbidden


async def test_only_admins_manage_endpoints(world: dict[str, Any]) -> None:
    for key in (None, world["keys"]["reader"], world["keys"]["desk"]):
        body = await execute(
            world["client"],
            CREATE_ENDPOINT,
            key,
            input={"url": "https://example.com/h", "events": ["article.published"]},
        )
        assert error_codes(body) in (["UNAUTHENTICATED"], ["FORBIDDEN"])
        body = await execute(world["client"], ENDPOINTS, key)
        assert error_codes(body) in (["UNAUTHENTICATED"], ["FORBIDDEN"])


async def test_a_publication_is_delivered_signed_and_recorded(world: dict[str, Any]) -> None:
    created = await register(world, "/ok")
    secret = created["secret"]
    assert secret.startswith("whsec_")
    async with world["engine"].connect() as connection:
        stored = await connection.scalar(text("SELECT secret_sealed FROM webhook_endpoints"))
        audit = await connection.scalar(
            text(
                "SELECT after::text FROM audit_log WHERE action = 'webhook_endpoint.create' ORDER BY id DESC LIMIT 1"
            )
        )
    assert secret not in stored
    assert secret[6:] not in stored
    assert secret[6:] not in audit
    assert "secret" not in audit

    article = await new_article(world, "Summit opens in Seoul")
    await drain(world)
    [request] = world["receiver"].to("/ok")
    payload = verified(secret, request)
    assert payload["type"] == "article.published"
    assert payload["data"]["id"] == article
    assert payload["data"]["headline"] == "Summit opens in Seoul"
    assert request.headers["webhook-id"].startswith("msg_")
    assert abs(int(request.headers["webhook-timestamp"]) - time.time()) < 30
    tampered = type(request)(
        request.path, request.headers, request.body.replace(b"Seoul", b"Tokyo"), request.at
    )
    with pytest.raises(Exception, match="signature"):
        verified(secret, tampered)

    [endpoint] = (await data(world["client"], ENDPOINTS, world["keys"]["admin"]))[
        "webhookEndpoints"
    ]
    [delivery] = endpoint["deliveries"]
    assert (delivery["state"], delivery["attempts"], delivery["lastStatus"]) == (
        "delivered",
        1,
        204,
    )
    assert delivery["messageId"] == request.headers["webhook-id"]
    [attempt] = delivery["attemptLog"]
    assert attempt["statusCode"] == 204
    assert attempt["latencyMs"] >= 0
    assert "secret" not in orjson.dumps(endpoint).decode().lower()


async def test_each_change_readers_see_is_announced_and_drafts_are_not(
    world: dict[str, Any],
) -> None:
    created = await register(world, "/ok")
    client, desk = world["client"], world["keys"]["desk"]
    draft = await new_article(world, "Draft only", publish=False)
    await data(client, UPDATE, desk, id=draft, input={"headline": "Draft, edited"})
    article = await new_article(world, "Public story")
    await data(client, UPDATE, desk, id=article, input={"dek": "Now with a dek"})
    await data(client, UNPUBLISH, desk, id=article)
    await data(client, PUBLISH, desk, id=article)
    await data(client, DELETE, desk, id=article)
    # A refused write (a time without a zone) changes nothing and announces nothing.
    body = await execute(client, PUBLISH, desk, id=draft, at="2030-01-01T00:00:00")
    assert body["data"]["publishArticle"]["userErrors"] or body.get("errors")
    await drain(world)
    events = [verified(created["secret"], r) for r in world["receiver"].to("/ok")]
    assert [(e["type"], e["data"]["id"]) for e in events] == [
        ("article.published", article),
        ("article.updated", article),
        ("article.unpublished", article),
        ("article.published", article),
        ("article.deleted", article),
    ]


async def test_failures_are_retried_mark_the_endpoint_failing_and_can_be_replayed(
    world: dict[str, Any],
) -> None:
    created = await register(world, "/fail", ["article.published"])
    await new_article(world, "Nobody home")
    await drain(world)
    async with world["engine"].connect() as connection:
        job = (
            await connection.execute(
                text(
                    "SELECT state, attempts, run_at - now() AS wait, last_error FROM jobs WHERE kind = 'webhooks.deliver'"
                )
            )
        ).one()
    assert (job.state, job.attempts) == ("pending", 1)
    assert timedelta(seconds=2) <= job.wait <= timedelta(seconds=5)
    assert "HTTP 500" in job.last_error

    async with world["engine"].begin() as connection:
        await connection.execute(
            text("UPDATE jobs SET run_at = now() WHERE kind = 'webhooks.deliver'")
        )
    await drain(world)
    [endpoint] = (await data(world["client"], ENDPOINTS, world["keys"]["admin"]))[
        "webhookEndpoints"
    ]
    assert (endpoint["status"], endpoint["consecutiveFailures"]) == ("FAILING", 2)
    [delivery] = endpoint["deliveries"]
    assert [a["statusCode"] for a in delivery["attemptLog"]] == [500, 500]
    assert delivery["attemptLog"][0]["responseExcerpt"] == "receiver down"

    # The partner fixes the receiver; the desk moves the endpoint and replays the delivery.
    await data(
        world["client"],
        UPDATE_ENDPOINT,
        world["keys"]["admin"],
        id=endpoint["id"],
        input={"url": world["receiver"].url("/ok")},
    )
    await data(world["client"], REPLAY, world["keys"]["admin"], id=delivery["id"])
    await drain(world)
    [request] = world["receiver"].to("/ok")
    assert request.headers["webhook-id"] == delivery["messageId"], "a replay keeps the message id"
    verified(created["secret"], request)
    [endpoint] = (await data(world["client"], ENDPOINTS, world["keys"]["admin"]))[
        "webhookEndpoints"
    ]
    assert (endpoint["status"], endpoint["consecutiveFailures"]) == ("HEALTHY", 0)
    assert endpoint["deliveries"][0]["state"] == "delivered"


async def test_hanging_and_redirecting_receivers_block_nothing(world: dict[str, Any]) -> None:
    for path in ("/hang", "/redirect", "/ok"):
        await register(world, path, ["article.published"])
    await new_article(world, "Three receivers")
    settings = world["settings"]
    database = Database.connect(world["url"], settings)
    worker = Worker(WorkerResources(database, settings, NoResponseCache()), registry())
    stop = asyncio.Event()
    started = time.monotonic()
    task = asyncio.create_task(worker.run(stop))
    try:
        await world["receiver"].wait_for(1, "/ok", within=5)
        assert time.monotonic() - started < 1.0, "the hanging receiver held up the others"
        await world["receiver"].wait_for(1, "/redirect", within=5)
        await asyncio.sleep(settings.broadsheet_webhook_timeout_seconds + 0.5)
    finally:
        stop.set()
        await task
        await database.dispose()
    assert len(world["receiver"].requests) == 3, "the redirect was not followed"
    endpoints = (await data(world["client"], ENDPOINTS, world["keys"]["admin"]))["webhookEndpoints"]
    by_path = {e["url"].rsplit("/", 1)[1]: e["deliveries"][0] for e in endpoints}
    assert by_path["ok"]["state"] == "delivered"
    assert by_path["redirect"]["attemptLog"][0]["statusCode"] == 302
    assert by_path["redirect"]["state"] == "pending"
    hang = by_path["hang"]["attemptLog"][0]
    assert hang["statusCode"] is None
    assert hang["error"] == "timed out after 1.5s"


async def test_delivery_checks_the_address_again(world: dict[str, Any]) -> None:
    await register(world, "/ok", ["article.published"])  # allowed when registered
    await new_article(world, "Rebound")
    await drain(world, broadsheet_allow_private_targets=False)  # the worker's policy is strict
    assert world["receiver"].requests == []
    [endpoint] = (await data(world["client"], ENDPOINTS, world["keys"]["admin"]))[
        "webhookEndpoints"
    ]
    error = endpoint["deliveries"][0]["attemptLog"][0]["error"]
    assert error.startswith("refused:")


async def test_a_scheduled_story_is_announced_when_due_and_purges_caches(
    world: dict[str, Any],
) -> None:
    created = await register(world, "/ok", ["article.published"])
    article = await new_article(world, "Embargoed until noon", publish=False)
    at = datetime.now(UTC) + timedelta(seconds=1.5)
    await data(world["client"], PUBLISH, world["keys"]["desk"], id=article, at=at.isoformat())
    cache = MemoryResponseCache(ttl=60)
    await cache.set("front-page", b"{}", ["list:article"], computed_since=time.time())
    await drain(world, cache=cache)
    assert world["receiver"].requests == [], "announced before its time"
    assert await cache.get("front-page") is not None

    await asyncio.sleep(max(0.0, (at - datetime.now(UTC)).total_seconds()) + 0.2)
    await drain(world, cache=cache)
    [request] = world["receiver"].to("/ok")
    payload = verified(created["secret"], request)
    assert (payload["type"], payload["data"]["id"]) == ("article.published", article)
    assert payload["data"]["publishedAt"].startswith(at.isoformat()[:19])
    assert await cache.get("front-page") is None, "lists holding articles were purged"


ISSUE = """
mutation($input: NewsletterIssueInput!) {
  createNewsletterIssue(input: $input) { issue { id } userErrors { message } }
}
"""
PUBLISH_ISSUE = """
mutation($id: ID!) { publishNewsletterIssue(id: $id) { issue { id } userErrors { message } } }
"""


async def test_a_published_newsletter_issue_is_announced(world: dict[str, Any]) -> None:
    created = await register(world, "/ok", ["newsletter_issue.published"])
    async with world["engine"].begin() as connection:
        await connection.execute(
            text(
                "INSERT INTO newsletters (slug, name) VALUES ('briefing', 'The Briefing') "
                "ON CONFLICT (slug) DO NOTHING"
            )
        )
    article = await new_article(world, "In today's briefing")
    desk = world["keys"]["desk"]
    issue = await data(
        world["client"],
        ISSUE,
        desk,
        input={
            "newsletter": "briefing",
            "date": "2026-06-01",
            "title": "Monday briefing",
            "items": [{"article": article}],
        },
    )
    issue_id = issue["createNewsletterIssue"]["issue"]["id"]
    await drain(world)
    assert world["receiver"].requests == [], "composing an issue is not publishing it"
    await data(world["client"], PUBLISH_ISSUE, desk, id=issue_id)
    await drain(world)
    [request] = world["receiver"].to("/ok")
    payload = verified(created["secret"], request)
    assert payload["type"] == "newsletter_issue.published"
    assert payload["data"]["id"] == issue_id
    assert (payload["data"]["newsletter"], payload["data"]["title"]) == (
        "briefing",
        "Monday briefing",
    )


def readme_receiver() -> str:
    """The verification snippet README gives partners, verbatim."""
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    marker = "```python\nimport os\n\nfrom standardwebhooks"
    start = readme.index(marker) + len("```python\n")
    return readme[start : readme.index("```", start)]


async def test_the_readme_snippet_verifies_a_real_delivery(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    created = await register(world, "/ok", ["article.published"])
    article = await new_article(world, "Copied from the README")
    await drain(world)
    [request] = world["receiver"].to("/ok")
    monkeypatch.setenv("BROADSHEET_WEBHOOK_SECRET", created["secret"])
    namespace: dict[str, Any] = {}
    exec(compile(readme_receiver(), "README.md", "exec"), namespace)
    receive = namespace["receive"]
    assert receive(request.body, request.headers) == 204
    assert receive(request.body, request.headers) == 204  # a retry: handled once
    assert capsys.readouterr().out == f"article.published {article}\n"
    assert receive(request.body.replace(b"README", b"READ ME"), request.headers) == 400
