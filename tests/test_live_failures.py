"""Subscriptions refused and failing well: a bad key in connection_init closes with 4403, a
malformed message closes that socket only (4400), a key holds a bounded number of
subscriptions, queries stay on HTTP, and a lost LISTEN connection comes back by itself."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from tests.live_client import live_socket
from tests.servers import ServerProcess, create_key
from tests.test_live import ARTICLE_PUBLISHED, new_article, publish


@pytest.fixture
async def desk(served_database_url: str) -> str:
    return await create_key(served_database_url, "content:write")


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (
            {"Authorization": "Bearer bsk_live_nope_0000000000000000"},
            "The API key is not valid (unknown, malformed or revoked).",
        ),
        ({"Authorization": "Basic dXNlcjpwYXNz"}, "The Authorization header must be `Bearer"),
    ],
)
async def test_a_bad_key_is_refused_in_connection_init(
    server_pair: tuple[ServerProcess, ServerProcess], payload: dict[str, str], reason: str
) -> None:
    async with live_socket(server_pair[0].ws_url, init=False) as socket:
        await socket.send({"type": "connection_init", "payload": payload})
        code, said = await socket.closed()
    assert code == 4403
    assert said is not None
    assert said.startswith(reason)


async def test_subscribing_before_connection_init_is_unauthorized(
    server_pair: tuple[ServerProcess, ServerProcess],
) -> None:
    async with live_socket(server_pair[0].ws_url, init=False) as socket:
        await socket.subscribe("1", ARTICLE_PUBLISHED)
        assert (await socket.closed())[0] == 4401


@pytest.mark.parametrize(
    "garbage",
    [
        "not json at all",
        '["a", "list"]',
        '{"type": "subscribe", "id": "1", "payload": "a string"}',
        '{"type": "subscribe", "id": 7, "payload": {"query": "subscription { x }"}}',
        '{"type": "no-such-type"}',
        '{"no": "type"}',
    ],
)
async def test_a_malformed_message_closes_that_socket_only(
    server_pair: tuple[ServerProcess, ServerProcess], desk: str, garbage: str
) -> None:
    writer, other = server_pair
    async with live_socket(other.ws_url) as bystander, live_socket(other.ws_url) as offender:
        await bystander.subscribe("b", ARTICLE_PUBLISHED, {"filter": {"sections": ["health"]}})
        await asyncio.sleep(0.2)
        await offender.send(garbage)
        assert (await offender.closed())[0] == 4400
        article = await new_article(writer, desk, f"Clinic opens ({garbage[:10]})", "health")
        await publish(writer, desk, article)
        assert (await bystander.next_data())["articlePublished"]["id"] == article


async def test_a_key_holds_a_bounded_number_of_subscriptions(
    server_pair: tuple[ServerProcess, ServerProcess], served_database_url: str
) -> None:
    key = await create_key(served_database_url, "content:read")
    async with (
        live_socket(server_pair[1].ws_url, key) as first,
        live_socket(server_pair[1].ws_url, key) as second,
    ):
        for operation in ("1", "2"):
            await first.subscribe(operation, ARTICLE_PUBLISHED)
        await second.subscribe("3", ARTICLE_PUBLISHED)
        await second.subscribe("4", ARTICLE_PUBLISHED)  # the limit is 3 per key (conftest)
        refused = await second.receive()
        assert refused["type"] == "error"
        assert refused["id"] == "4"
        assert refused["payload"][0]["extensions"]["code"] == "RATE_LIMITED"
        await first.send({"type": "complete", "id": "1"})
        # The slot is free once the completed operation has wound down.
        for attempt in range(50):
            await second.subscribe(f"again-{attempt}", ARTICLE_PUBLISHED)
            try:
                answer = await second.receive(within=0.3)
            except TimeoutError:
                break  # accepted: no error
            assert answer["payload"][0]["extensions"]["code"] == "RATE_LIMITED"
        else:
            pytest.fail("the completed subscription's slot was never released")


async def test_queries_and_mutations_stay_on_http(
    server_pair: tuple[ServerProcess, ServerProcess],
) -> None:
    async with live_socket(server_pair[0].ws_url) as socket:
        await socket.subscribe("q", "{ sections { slug } }")
        refused = await socket.receive()
        assert refused["type"] == "error"
        assert "Only subscriptions run over WebSocket" in refused["payload"][0]["message"]


async def test_a_lost_listen_connection_comes_back_by_itself(
    server_pair: tuple[ServerProcess, ServerProcess], served_database_url: str, desk: str
) -> None:
    writer, other = server_pair
    async with live_socket(other.ws_url) as socket:
        await socket.subscribe("x", ARTICLE_PUBLISHED, {"filter": {"sections": ["culture"]}})
        await asyncio.sleep(0.3)
        engine = create_async_engine(served_database_url)
        try:
            async with engine.connect() as connection:
                killed = await connection.scalar(
                    text(
                        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                        "WHERE application_name = 'broadsheet-live' AND datname = current_database()"
                    )
                )
        finally:
            await engine.dispose()
        assert killed is not None
        assert killed >= 1
        await asyncio.sleep(2.5)  # the hub reconnects with backoff (from 0.2 s)
        article = await new_article(writer, desk, "Festival returns after listener loss", "culture")
        await publish(writer, desk, article)
        assert (await socket.next_data())["articlePublished"]["id"] == article
