"""Persisted queries: Apollo APQ over POST and GET, Redis-shared registration, trusted
documents (BROADSHEET_PERSISTED_ONLY) from a manifest file or the CLI."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from api.cli import app as cli
from api.database import Database
from api.http.persisted import ManifestError, read_manifest
from api.settings import Settings, get_settings
from tests.http_support import GRAPHQL_RESPONSE_JSON, app_client, drop_redis_prefix

QUERY = "query Lead { articles(first: 1) { nodes { headline } } }"
OTHER = "query Other { sections { slug } }"


def sha(document: str) -> str:
    return hashlib.sha256(document.encode()).hexdigest()


def apq(document: str) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": sha(document)}}


def only_error(response: httpx.Response) -> dict[str, Any]:
    body = response.json()
    assert "data" not in body, body
    (error,) = body["errors"]
    return dict(error)


async def redis_url_or_skip() -> str:
    from redis.asyncio import Redis
    from redis.exceptions import RedisError

    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"
    client = Redis.from_url(url, socket_connect_timeout=1)
    try:
        await client.ping()
    except (RedisError, OSError) as error:
        if os.environ.get("CI") == "true" or os.environ.get("BROADSHEET_REQUIRE_REDIS_TESTS"):
            pytest.fail(f"Redis required in CI, unreachable at {url}: {error}")
        pytest.skip(f"no Redis at {url} ({error})")
    finally:
        await client.aclose()
    return url


async def test_apq_over_post_not_found_then_registered_then_hit(client: httpx.AsyncClient) -> None:
    miss = await client.post("/graphql", json={"extensions": apq(QUERY)})
    assert miss.status_code == 200  # Apollo clients read the error body, then retry
    error = only_error(miss)
    assert error["message"] == "PersistedQueryNotFound"
    assert error["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert miss.headers["cache-control"] == "private, no-store"

    modern = await client.post(
        "/graphql", json={"extensions": apq(QUERY)}, headers={"Accept": GRAPHQL_RESPONSE_JSON}
    )
    assert modern.status_code == 400
    assert only_error(modern)["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"

    registered = await client.post("/graphql", json={"query": QUERY, "extensions": apq(QUERY)})
    assert registered.status_code == 200
    assert len(registered.json()["data"]["articles"]["nodes"]) == 1

    hit = await client.post("/graphql", json={"extensions": apq(QUERY)})
    assert hit.json() == registered.json()


async def test_apq_over_get_gives_short_cacheable_urls(client: httpx.AsyncClient) -> None:
    params = {"extensions": json.dumps(apq(OTHER)), "operationName": "Other"}
    miss = await client.get("/graphql", params=params)
    assert only_error(miss)["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert miss.headers["cache-control"] == "private, no-store"

    registered = await client.get("/graphql", params={**params, "query": OTHER})
    assert registered.status_code == 200
    assert registered.json()["data"]["sections"]

    hit = await client.get("/graphql", params=params)
    assert hit.status_code == 200
    assert hit.json() == registered.json()
    assert hit.headers["cache-control"].startswith("public")
    assert hit.headers["etag"]
    assert len(str(hit.request.url)) < 250


async def test_apq_hash_is_verified(client: httpx.AsyncClient) -> None:
    wrong = await client.post("/graphql", json={"query": QUERY, "extensions": apq(OTHER)})
    error = only_error(wrong)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "SHA-256" in error["message"]
    # Nothing was registered under the other document's hash.
    miss = await client.post("/graphql", json={"extensions": apq(OTHER)})
    assert only_error(miss)["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"


@pytest.mark.parametrize(
    "persisted",
    [
        {"version": 2, "sha256Hash": "0" * 64},
        {"version": 1, "sha256Hash": "not-a-hash"},
        {"version": 1},
        "a string",
    ],
)
async def test_malformed_persisted_query_extensions(
    client: httpx.AsyncClient, persisted: object
) -> None:
    response = await client.post("/graphql", json={"extensions": {"persistedQuery": persisted}})
    assert only_error(response)["extensions"]["code"] == "BAD_USER_INPUT"


async def test_apq_registrations_are_shared_through_redis(
    settings: Settings, database: Database
) -> None:
    redis_url = await redis_url_or_skip()
    shared = {"redis_url": redis_url, "broadsheet_redis_prefix": f"test-{uuid.uuid4().hex}:"}
    async with app_client(settings, database, **shared) as (first, _):
        registered = await first.post("/graphql", json={"query": QUERY, "extensions": apq(QUERY)})
        assert "errors" not in registered.json()
    async with app_client(settings, database, **shared) as (second, _):
        hit = await second.post("/graphql", json={"extensions": apq(QUERY)})
        assert hit.json() == registered.json()
    elsewhere_prefix = f"test-{uuid.uuid4().hex}:"
    async with app_client(
        settings, database, redis_url=redis_url, broadsheet_redis_prefix=elsewhere_prefix
    ) as (elsewhere, _):
        miss = await elsewhere.post("/graphql", json={"extensions": apq(QUERY)})
        assert only_error(miss)["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    await drop_redis_prefix(redis_url, shared["broadsheet_redis_prefix"])
    await drop_redis_prefix(redis_url, elsewhere_prefix)


def write_manifest(path: Path, *documents: str, apollo: bool = False) -> Path:
    if apollo:
        content: Any = {
            "format": "apollo-persisted-query-manifest",
            "version": 1,
            "operations": [
                {"id": sha(d), "body": d, "name": d.split()[1], "type": "query"} for d in documents
            ],
        }
    else:
        content = {sha(d): d for d in documents}
    path.write_text(json.dumps(content))
    return path


@pytest.mark.parametrize("apollo", [False, True])
async def test_trusted_documents_only(
    settings: Settings, database: Database, tmp_path: Path, apollo: bool
) -> None:
    manifest = write_manifest(tmp_path / "persisted.json", QUERY, apollo=apollo)
    async with app_client(
        settings,
        database,
        broadsheet_persisted_only=True,
        broadsheet_persisted_queries_file=str(manifest),
    ) as (client, _):
        by_hash = await client.post("/graphql", json={"extensions": apq(QUERY)})
        assert by_hash.status_code == 200
        assert by_hash.json()["data"]["articles"]["nodes"]
        by_text = await client.post("/graphql", json={"query": QUERY})
        assert by_text.json() == by_hash.json()

        for body in (
            {"query": OTHER},
            {"query": OTHER, "extensions": apq(OTHER)},  # APQ registration is off
            {"query": "{ __typename }"},
        ):
            refused = await client.post("/graphql", json=body)
            assert refused.status_code == 403, body
            error = only_error(refused)
            assert error["extensions"] == {
                "code": "FORBIDDEN",
                "reason": "PERSISTED_QUERY_REQUIRED",
            }
        unknown = await client.post("/graphql", json={"extensions": apq(OTHER)})
        assert only_error(unknown)["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"


def test_manifests_are_verified_and_validated(tmp_path: Path) -> None:
    good = write_manifest(tmp_path / "good.json", QUERY, OTHER)
    assert read_manifest(good) == {sha(QUERY): QUERY, sha(OTHER): OTHER}

    lying = tmp_path / "lying.json"
    lying.write_text(json.dumps({sha(OTHER): QUERY}))
    with pytest.raises(ManifestError, match="is not the SHA-256"):
        read_manifest(lying)

    invalid = write_manifest(tmp_path / "invalid.json", "query X { noSuchField }")
    with pytest.raises(ManifestError, match="noSuchField"):
        read_manifest(invalid)

    broken = tmp_path / "broken.json"
    broken.write_text("[not json")
    with pytest.raises(ManifestError, match="cannot read"):
        read_manifest(broken)


def test_a_bad_manifest_stops_the_start(
    settings: Settings, database: Database, tmp_path: Path
) -> None:
    from api.http.app import create_app

    lying = tmp_path / "lying.json"
    lying.write_text(json.dumps({sha(OTHER): QUERY}))
    overrides = {**settings.model_dump(), "broadsheet_persisted_queries_file": str(lying)}
    with pytest.raises(ManifestError):
        create_app(Settings(**overrides), database=database)


async def test_cli_loads_the_allowlist_into_redis(
    settings: Settings, database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    redis_url = await redis_url_or_skip()
    prefix = f"test-{uuid.uuid4().hex}:"
    manifest = write_manifest(tmp_path / "persisted.json", QUERY, apollo=True)
    runner = CliRunner()

    def invoke(*args: str) -> Any:
        return runner.invoke(cli, list(args))

    # The CLI runs its own event loop: call it from a thread.
    checked = await asyncio.to_thread(invoke, "persisted", "load", str(manifest), "--check")
    assert checked.exit_code == 0, checked.output

    monkeypatch.delenv("REDIS_URL", raising=False)
    get_settings.cache_clear()
    no_redis = await asyncio.to_thread(invoke, "persisted", "load", str(manifest))
    assert no_redis.exit_code == 2

    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("BROADSHEET_REDIS_PREFIX", prefix)
    get_settings.cache_clear()
    try:
        loaded = await asyncio.to_thread(invoke, "persisted", "load", str(manifest))
        assert loaded.exit_code == 0, loaded.output
        again = await asyncio.to_thread(invoke, "persisted", "load", str(manifest))
        assert again.exit_code == 0, again.output
    finally:
        get_settings.cache_clear()

    async with app_client(
        settings,
        database,
        redis_url=redis_url,
        broadsheet_redis_prefix=prefix,
        broadsheet_persisted_only=True,
    ) as (client, _):
        allowed = await client.post("/graphql", json={"extensions": apq(QUERY)})
        assert allowed.json()["data"]["articles"]["nodes"]
        refused = await client.post("/graphql", json={"query": OTHER})
        assert refused.status_code == 403
    await drop_redis_prefix(redis_url, prefix)
