"""GraphQL over HTTP as a client sees it: methods, media types, status codes, error bodies,
GraphiQL, compression and CORS (the reference audit runs in test_http_audit.py)."""

from __future__ import annotations

import gzip
import json
from typing import Any

import httpx
import pytest

from api.database import Database
from api.http.protocol import negotiate
from api.settings import Settings
from tests.http_support import GRAPHQL_RESPONSE_JSON, app_client, post_json

HEADLINES = "query Headlines($first: Int) { articles(first: $first) { nodes { headline } } }"


def errors_of(response: httpx.Response) -> list[dict[str, Any]]:
    body = response.json()
    assert isinstance(body.get("errors"), list), body
    assert body["errors"], body
    for error in body["errors"]:
        assert isinstance(error["message"], str)
        assert error["extensions"]["code"]
    return list(body["errors"])


async def test_post_json_answers_application_json(client: httpx.AsyncClient) -> None:
    response = await post_json(client, {"query": HEADLINES, "variables": {"first": 2}})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert len(response.json()["data"]["articles"]["nodes"]) == 2
    assert response.headers["x-request-id"]


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "application/json"),
        ("*/*", "application/json"),
        ("application/json", "application/json"),
        (GRAPHQL_RESPONSE_JSON, GRAPHQL_RESPONSE_JSON),
        (f"application/json;q=0.9, {GRAPHQL_RESPONSE_JSON}", GRAPHQL_RESPONSE_JSON),
        (f"{GRAPHQL_RESPONSE_JSON};q=0.5, application/json", "application/json"),
        ("text/html,application/xhtml+xml,*/*;q=0.8", "application/json"),
    ],
)
async def test_response_media_type_follows_accept(
    client: httpx.AsyncClient, accept: str | None, expected: str
) -> None:
    response = await post_json(client, {"query": "{ __typename }"}, accept=accept)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == expected
    assert response.json() == {"data": {"__typename": "Query"}}


def test_negotiation_refuses_what_it_cannot_speak() -> None:
    assert negotiate("text/plain") is None
    assert negotiate(f"{GRAPHQL_RESPONSE_JSON};q=0, application/json;q=0") is None
    assert negotiate("") == "application/json"


async def test_unacceptable_accept_is_406(client: httpx.AsyncClient) -> None:
    response = await post_json(client, {"query": "{ __typename }"}, accept="text/plain")
    assert response.status_code == 406
    assert errors_of(response)


async def test_get_runs_queries_with_url_encoded_variables(client: httpx.AsyncClient) -> None:
    response = await client.get(
        "/graphql",
        params={"query": HEADLINES, "variables": json.dumps({"first": 3})},
        headers={"Accept": GRAPHQL_RESPONSE_JSON},
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(GRAPHQL_RESPONSE_JSON)
    assert len(response.json()["data"]["articles"]["nodes"]) == 3


@pytest.mark.parametrize("accept", [None, GRAPHQL_RESPONSE_JSON])
async def test_mutation_over_get_is_405_allow_post(
    client: httpx.AsyncClient, accept: str | None
) -> None:
    headers = {"Accept": accept} if accept else {}
    response = await client.get(
        "/graphql", params={"query": "mutation { __typename }"}, headers=headers
    )
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert errors_of(response)


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
async def test_other_methods_are_405(client: httpx.AsyncClient, method: str) -> None:
    response = await client.request(method, "/graphql", json={"query": "{ __typename }"})
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"
    assert errors_of(response)


@pytest.mark.parametrize("accept", [None, GRAPHQL_RESPONSE_JSON])
@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (b'{ "not a JSON', "not valid JSON"),
        (b"", "empty"),
        (b'"just a string"', "JSON object"),
        (b'[{"query": "{ __typename }"}]', "Batched"),
        (b'{"notquery": "{ __typename }"}', "No GraphQL document"),
        (b'{"query": {"obj": "ect"}}', "`query` must be a string"),
        (b'{"query": ["array"]}', "`query` must be a string"),
        (b'{"query": "{ __typename }", "variables": "string"}', "`variables`"),
        (b'{"query": "{ __typename }", "variables": ["array"]}', "`variables`"),
        (b'{"query": "{ __typename }", "operationName": 0}', "`operationName`"),
        (b'{"query": "{ __typename }", "extensions": false}', "`extensions`"),
    ],
)
async def test_malformed_requests_are_400_with_a_graphql_error(
    client: httpx.AsyncClient, accept: str | None, body: bytes, fragment: str
) -> None:
    headers = {"Content-Type": "application/json"}
    if accept:
        headers["Accept"] = accept
    response = await client.post("/graphql", content=body, headers=headers)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith(accept or "application/json")
    (error,) = errors_of(response)
    assert fragment in error["message"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "data" not in response.json()
    assert response.headers["cache-control"] == "private, no-store"


async def test_bad_get_parameters_are_400(client: httpx.AsyncClient) -> None:
    for params in (
        {"query": "{ __typename }", "variables": "{not json"},
        {"query": "{ __typename }", "extensions": "[1]"},
        [("query", "{ __typename }"), ("query", "{ __typename }")],
    ):
        response = await client.get("/graphql", params=params)
        assert response.status_code == 400, params
        assert errors_of(response)


@pytest.mark.parametrize(
    "content_type", [None, "text/plain", "application/x-www-form-urlencoded", "application/xml"]
)
async def test_other_request_media_types_are_415(
    client: httpx.AsyncClient, content_type: str | None
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    response = await client.post(
        "/graphql", content=b'{"query": "{ __typename }"}', headers=headers
    )
    assert response.status_code == 415
    assert errors_of(response)


async def test_only_utf8_request_bodies(client: httpx.AsyncClient) -> None:
    ok = await client.post(
        "/graphql",
        content='{"query": "{ __type(name: \\"Run🏃\\") { name } }"}'.encode(),
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    assert ok.status_code == 200
    refused = await client.post(
        "/graphql",
        content=b'{"query": "{ __typename }"}',
        headers={"Content-Type": "application/json; charset=latin-1"},
    )
    assert refused.status_code == 415


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ({"query": "{"}, "syntax"),
        ({"query": "{ noSuchField }"}, "validation"),
        ({"query": "query($id: ID!) { node(id: $id) { id } }", "variables": {"id": None}}, "vars"),
        ({"query": "query A { __typename }", "operationName": "B"}, "operation"),
    ],
)
async def test_request_errors_are_400_under_graphql_response_json_and_200_under_json(
    client: httpx.AsyncClient, body: dict[str, Any], kind: str
) -> None:
    legacy = await post_json(client, body, accept="application/json")
    assert legacy.status_code == 200, kind
    assert "data" not in legacy.json()
    assert errors_of(legacy)[0]["extensions"]["code"] == "BAD_USER_INPUT"

    modern = await post_json(client, body, accept=GRAPHQL_RESPONSE_JSON)
    assert modern.status_code == 400, kind
    assert modern.headers["content-type"].startswith(GRAPHQL_RESPONSE_JSON)
    assert "data" not in modern.json()
    assert errors_of(modern)


async def test_field_errors_keep_200_and_data_under_both_media_types(
    client: httpx.AsyncClient,
) -> None:
    query = '{ __typename article(slug: "x", id: "y") { id } }'
    for accept in ("application/json", GRAPHQL_RESPONSE_JSON):
        response = await post_json(client, {"query": query}, accept=accept)
        assert response.status_code == 200
        body = response.json()
        assert body["data"] == {"__typename": "Query", "article": None}
        assert errors_of(response)[0]["path"] == ["article"]


async def test_graphiql_for_browsers(client: httpx.AsyncClient) -> None:
    response = await client.get(
        "/graphql", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "graphiql" in response.text.lower()
    # With a query, a browser gets the result, not the IDE.
    response = await client.get(
        "/graphql", params={"query": "{ __typename }"}, headers={"Accept": "text/html, */*"}
    )
    assert response.json() == {"data": {"__typename": "Query"}}


async def test_introspection_and_graphiql_can_be_turned_off(
    settings: Settings, database: Database
) -> None:
    async with app_client(settings, database, broadsheet_introspection=False) as (client, _):
        ide = await client.get("/graphql", headers={"Accept": "text/html"})
        assert ide.status_code == 404
        response = await post_json(client, {"query": "{ __schema { queryType { name } } }"})
        (error,) = errors_of(response)
        assert error["extensions"] == {
            "code": "QUERY_TOO_COMPLEX",
            "limit": "introspection",
        }
        assert "Introspection is disabled" in error["message"]
        ok = await post_json(client, {"query": "{ __typename }"})
        assert ok.json() == {"data": {"__typename": "Query"}}


async def test_introspection_is_on_by_default(client: httpx.AsyncClient) -> None:
    from graphql import get_introspection_query

    response = await post_json(client, {"query": get_introspection_query(descriptions=True)})
    assert response.status_code == 200
    assert response.json()["data"]["__schema"]["queryType"]["name"] == "Query"


async def test_responses_over_1kb_are_gzipped_for_clients_that_accept_it(
    client: httpx.AsyncClient,
) -> None:
    big = {"query": HEADLINES, "variables": {"first": 50}}
    plain = await post_json(client, big, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert len(plain.content) > 1024

    # Read the raw bytes (httpx would decode them) to see what went over the wire.
    request = client.build_request(
        "POST", "/graphql", json=big, headers={"Accept-Encoding": "gzip"}
    )
    squeezed = await client.send(request, stream=True)
    raw = b"".join([chunk async for chunk in squeezed.aiter_raw()])
    assert squeezed.headers["content-encoding"] == "gzip"
    assert len(raw) < len(plain.content) / 2
    assert json.loads(gzip.decompress(raw)) == plain.json()
    assert "accept-encoding" in squeezed.headers["vary"].lower()
    # A compressed body is another representation: its strong ETag differs.
    assert squeezed.headers["etag"] == plain.headers["etag"][:-1] + '-gzip"'

    small = await post_json(
        client, {"query": "{ __typename }"}, headers={"Accept-Encoding": "gzip"}
    )
    assert "content-encoding" not in small.headers


async def test_cors_preflight_for_configured_origins(
    settings: Settings, database: Database
) -> None:
    origin = "https://www.koreaherald.example"
    async with app_client(settings, database, broadsheet_cors_origins=origin) as (client, _):
        preflight = await client.options(
            "/graphql",
            headers={
                "Origin": origin,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type, authorization",
            },
        )
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == origin
        assert "authorization" in preflight.headers["access-control-allow-headers"].lower()
        assert preflight.headers["access-control-max-age"] == "600"

        response = await post_json(client, {"query": "{ __typename }"}, headers={"Origin": origin})
        assert response.headers["access-control-allow-origin"] == origin
        assert "etag" in response.headers["access-control-expose-headers"].lower()

        stranger = await client.options(
            "/graphql",
            headers={
                "Origin": "https://evil.example",
                "Access-Control-Request-Method": "POST",
            },
        )
        assert stranger.status_code == 400
        assert "access-control-allow-origin" not in stranger.headers


async def test_cors_wildcard_allows_anonymous_reads_only(
    settings: Settings, database: Database
) -> None:
    async with app_client(settings, database, broadsheet_cors_origins="*") as (client, _):
        anonymous = await client.options(
            "/graphql",
            headers={
                "Origin": "https://anywhere.example",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type",
            },
        )
        assert anonymous.status_code == 200
        keyed = await client.options(
            "/graphql",
            headers={
                "Origin": "https://anywhere.example",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type, x-api-key",
            },
        )
        assert keyed.status_code == 400


async def test_no_cors_headers_without_configured_origins(client: httpx.AsyncClient) -> None:
    response = await post_json(
        client, {"query": "{ __typename }"}, headers={"Origin": "https://a.example"}
    )
    assert "access-control-allow-origin" not in response.headers
