"""A partner's whole life over real HTTP, against `broadsheet serve` and `broadsheet worker`
running as processes of their own on a scratch database: register a webhook on a local receiver,
publish, receive a verified signature, sync from an empty token, unpublish, and receive the
tombstone through both channels. Delivery latency (commit to receipt) is measured and printed."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from standardwebhooks.webhooks import Webhook

from tests.partners_support import (
    AUTHOR,
    SECTION,
    SOURCE,
    Receiver,
    migrated_scratch,
    running_receiver,
    seed_newsroom,
)

BROADSHEET = str(Path(sys.executable).with_name("broadsheet"))
REGISTER = """
mutation($input: WebhookEndpointInput!) {
  createWebhookEndpoint(input: $input) { endpoint { id } secret userErrors { message } }
}
"""
CREATE = """
mutation($input: ArticleInput!) { createArticle(input: $input) { article { id } userErrors { message } } }
"""
PUBLISH = "mutation($id: ID!) { publishArticle(id: $id) { article { id publishedAt } userErrors { message } } }"
UNPUBLISH = (
    "mutation($id: ID!) { unpublishArticle(id: $id) { article { id } userErrors { message } } }"
)
SYNC = """
query($token: String) {
  sync(token: $token) { changed { id ... on Article { headline } } tombstones { id kind } nextToken hasMore }
}
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def scratch_url() -> Iterator[str]:
    with migrated_scratch("broadsheet_e2e") as url:
        yield url


@pytest.fixture(scope="module")
def processes(
    scratch_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    """`broadsheet serve` and `broadsheet worker` on the scratch database."""
    keys = asyncio.run(seed_newsroom(scratch_url))
    port = free_port()
    logs = tmp_path_factory.mktemp("e2e-logs")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("BROADSHEET_", "REDIS_URL"))},
        "DATABASE_URL": scratch_url,
        "BROADSHEET_SECRET_KEY": "end-to-end",
        "BROADSHEET_ALLOW_PRIVATE_TARGETS": "true",
    }
    started = []
    files = []
    try:
        for name, args in (
            ("serve", [BROADSHEET, "serve", "--port", str(port)]),
            ("worker", [BROADSHEET, "worker"]),
        ):
            log = (logs / f"{name}.log").open("wb")
            files.append(log)
            started.append(subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT))
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, (logs / "serve.log").read_text()
            time.sleep(0.2)
        yield {"base": base, "keys": keys, "logs": logs}
    finally:
        for process in started:
            process.send_signal(signal.SIGTERM)
        for process in started:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        for log in files:
            log.close()


async def graphql(
    client: httpx.AsyncClient, query: str, key: str, **variables: Any
) -> dict[str, Any]:
    response = await client.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]
    return result


async def sync_all(
    client: httpx.AsyncClient, key: str, token: str | None
) -> tuple[list[Any], list[Any], str]:
    changed: list[Any] = []
    tombstones: list[Any] = []
    while True:
        page = (await graphql(client, SYNC, key, token=token))["sync"]
        changed += page["changed"]
        tombstones += page["tombstones"]
        token = page["nextToken"]
        if not page["hasMore"]:
            assert token is not None
            return changed, tombstones, token


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    async with running_receiver() as running:
        yield running


async def test_a_partners_whole_life(processes: dict[str, Any], receiver: Receiver) -> None:
    keys = processes["keys"]
    async with httpx.AsyncClient(base_url=processes["base"], timeout=10) as client:
        registered = (
            await graphql(
                client,
                REGISTER,
                keys["admin"],
                input={
                    "url": receiver.url("/hooks"),
                    "events": ["article.published", "article.unpublished"],
                },
            )
        )["createWebhookEndpoint"]
        assert registered["userErrors"] == []
        webhook = Webhook(registered["secret"])

        async def publish(headline: str) -> tuple[str, float, float]:
            created = await graphql(
                client,
                CREATE,
                keys["desk"],
                input={
                    "source": SOURCE,
                    "section": SECTION,
                    "headline": headline,
                    "body": f"<p>{headline}</p>",
                    "authors": [AUTHOR],
                },
            )
            article_id = created["createArticle"]["article"]["id"]
            sent = time.time()
            await graphql(client, PUBLISH, keys["desk"], id=article_id)
            return article_id, sent, time.time()

        # Publish: the receiver gets a signed article.published.
        article, sent, committed = await publish("Ceasefire holds along the border")
        await receiver.wait_for(1, "/hooks")
        published = receiver.to("/hooks")[0]
        event = webhook.verify(published.body, published.headers)
        assert (event["type"], event["data"]["id"]) == ("article.published", article)
        first_latency = published.at - committed

        # The partner syncs from an empty token and finds the story.
        changed, _, token = await sync_all(client, keys["reader"], None)
        assert article in {item["id"] for item in changed}

        # Unpublish: a tombstone arrives through both channels.
        await graphql(client, UNPUBLISH, keys["desk"], id=article)
        await receiver.wait_for(2, "/hooks")
        withdrawn = receiver.to("/hooks")[1]
        event = webhook.verify(withdrawn.body, withdrawn.headers)
        assert (event["type"], event["data"]["id"]) == ("article.unpublished", article)
        changed, tombstones, token = await sync_all(client, keys["reader"], token)
        assert [(t["id"], t["kind"]) for t in tombstones] == [(article, "ARTICLE")]
        assert article not in {item["id"] for item in changed}

        # Delivery latency over a few more publications.
        after_commit: list[float] = [first_latency]
        after_request: list[float] = [published.at - sent]
        for n in range(10):
            _, sent, committed = await publish(f"Latency probe {n}")
            await receiver.wait_for(3 + n, "/hooks")
            received = receiver.to("/hooks")[-1]
            webhook.verify(received.body, received.headers)
            after_commit.append(received.at - committed)
            after_request.append(received.at - sent)

    p50 = statistics.median(after_request) * 1000
    worst = max(after_request) * 1000
    print(
        f"\nwebhook delivery latency, mutation sent -> receipt (bounds commit -> receipt): "
        f"p50 {p50:.0f} ms, max {worst:.0f} ms; mutation answered -> receipt: "
        f"p50 {statistics.median(after_commit) * 1000:.0f} ms over {len(after_request)} publications"
    )
    assert worst < 3000, "deliveries should follow commits within the worker's wake-up (NOTIFY)"
