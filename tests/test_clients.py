"""Who the client is: forwarded addresses are believed from trusted proxies only (none by
default), for rate limits and sign-up limits alike; every answer carries a request id."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest

from api.database import Database
from api.http.clients import client_address, request_id_for
from api.settings import Settings, parse_networks
from tests.api_clients import app_client, post

QUERY = "{ viewer { keyName } }"  # private, so it carries the RateLimit-* headers
PROXY = "10.9.8.7"
SUBSCRIBE = """
mutation($email: String!) {
  subscribeToNewsletter(newsletter: "eastern-briefings", email: $email, consent: true) { accepted }
}
"""


def test_forwarded_for_is_read_from_the_right_past_trusted_hops() -> None:
    trusted = parse_networks("10.0.0.0/8, 192.168.1.1")
    assert client_address("10.1.1.1", "203.0.113.9", trusted) == "203.0.113.9"
    # The client may send its own X-Forwarded-For; only the hops our proxies added count.
    assert client_address("10.1.1.1", "1.2.3.4, 203.0.113.9, 192.168.1.1", trusted) == (
        "203.0.113.9"
    )
    assert client_address("203.0.113.50", "1.2.3.4", trusted) == "203.0.113.50"  # untrusted
    assert client_address("10.1.1.1", "not-an-ip", trusted) == "10.1.1.1"
    assert client_address("10.1.1.1", None, trusted) == "10.1.1.1"
    assert client_address("127.0.0.1", "1.2.3.4", ()) == "127.0.0.1"  # none trusted by default
    assert client_address("10.1.1.1", "::1, 2001:db8::5", trusted) == "2001:db8::5"


def test_trusted_proxies_must_be_addresses_or_networks() -> None:
    with pytest.raises(ValueError, match=r"'proxy\.local' is not an IP address"):
        Settings(broadsheet_trusted_proxies="10.0.0.1, proxy.local")


def test_request_ids_are_taken_only_when_sane() -> None:
    assert request_id_for("abc12345-ok") == "abc12345-ok"
    assert request_id_for("short") != "short"
    assert request_id_for("x" * 65) != "x" * 65
    assert request_id_for("has spaces inside") != "has spaces inside"


@asynccontextmanager
async def peer(
    settings: Settings, database: Database, address: str, **overrides: object
) -> AsyncIterator[httpx.AsyncClient]:
    async with app_client(settings, database, **overrides) as (_, app):
        transport = httpx.ASGITransport(app=app, client=(address, 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


async def test_without_trusted_proxies_a_forwarded_header_earns_no_new_budget(
    settings: Settings, database: Database
) -> None:
    async with peer(settings, database, "127.0.0.1", broadsheet_rate_limit_anonymous=2) as client:
        for hop in ("1.1.1.1", "2.2.2.2"):
            assert (await post(client, QUERY, headers={"X-Forwarded-For": hop})).status_code == 200
        refused = await post(client, QUERY, headers={"X-Forwarded-For": "3.3.3.3"})
        assert refused.status_code == 429


async def test_behind_a_trusted_proxy_each_client_has_its_own_budgets(
    settings: Settings, database: Database
) -> None:
    async with peer(
        settings,
        database,
        PROXY,
        broadsheet_trusted_proxies=f"{PROXY}/32",
        broadsheet_rate_limit_anonymous=2,
        broadsheet_rate_limit_signup=1,
    ) as client:
        for client_ip in ("203.0.113.1", "203.0.113.2"):
            forwarded = {"X-Forwarded-For": client_ip}
            for remaining in ("1", "0"):
                response = await post(client, QUERY, headers=forwarded)
                assert response.headers["RateLimit-Remaining"] == remaining
            assert (await post(client, QUERY, headers=forwarded)).status_code == 429
        # Sign-ups are limited per client address too, the forwarded one.
        for client_ip in ("198.51.100.1", "198.51.100.2"):
            forwarded = {"X-Forwarded-For": client_ip}
            first = await post(client, SUBSCRIBE, headers=forwarded, email=f"a@{client_ip}.example")
            assert first.json()["data"]["subscribeToNewsletter"]["accepted"] is True
            again = await post(client, SUBSCRIBE, headers=forwarded, email=f"b@{client_ip}.example")
            assert again.status_code == 429


async def test_every_answer_carries_a_request_id(
    settings: Settings, database: Database, client: httpx.AsyncClient
) -> None:
    answered = await client.post("/graphql", json={"query": "{ __typename }"})
    refused = await client.post(
        "/graphql",
        json={"query": "{ __typename }"},
        headers={"Authorization": "Bearer nope", "X-Request-ID": "trace-1234567"},
    )
    assert answered.headers["X-Request-ID"]
    assert refused.status_code == 401
    assert refused.headers["X-Request-ID"] == "trace-1234567"
