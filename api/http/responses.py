"""GraphQL over HTTP, the response side: status codes, error bodies and cache headers.

Errors raised before execution (syntax, validation, variable coercion, limits, persisted-query
misses) are request errors: no `data` entry, and 400 under `application/graphql-response+json`
(200 under `application/json`, which legacy clients expect), except rate limits (429), refusals
(401, 403) and an unavailable database (503), which keep their status under both. Every 429 and
503 carries `Retry-After`. A shareable response (see api/caching.py) is public with an ETag and
surrogate keys; everything else is `private, no-store`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import orjson
from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import Response
from strawberry.types import ExecutionResult
from strawberry.types.execution import PreExecutionError

from api.caching import PRIVATE, VARY, CachePolicy, etag_for, if_none_match, surrogate_headers
from api.errors import HTTP_STATUS, UNAVAILABLE_RETRY_AFTER_SECONDS, ErrorCode
from api.http.protocol import GRAPHQL_RESPONSE_JSON


def formatted(errors: Iterable[GraphQLError]) -> list[dict[str, Any]]:
    """Errors as the response carries them, each with an `extensions.code`."""
    result = []
    for error in errors:
        entry: dict[str, Any] = dict(error.formatted)
        extensions: dict[str, Any] = dict(entry.get("extensions") or {})
        extensions.setdefault("code", ErrorCode.BAD_USER_INPUT.value)
        entry["extensions"] = extensions
        result.append(entry)
    return result


def is_request_error(result: ExecutionResult) -> bool:
    """Errors raised before execution began: the response must then have no `data` entry."""
    if isinstance(result, PreExecutionError):
        return True
    # Variable coercion fails inside graphql-core's execute, with data null and no paths.
    return (
        result.data is None
        and bool(result.errors)
        and all(error.path is None for error in result.errors or ())
    )


def retry_after(errors: Iterable[Mapping[str, Any]], status: int) -> str | None:
    """Retry-After for a 429 or 503: the errors' own `retryAfter`, else the outage default."""
    if status not in (429, 503):
        return None
    for error in errors:
        retry = error.get("extensions", {}).get("retryAfter")
        if isinstance(retry, int):
            return str(retry)
    return str(UNAVAILABLE_RETRY_AFTER_SECONDS) if status == 503 else None


def private_response(
    body: bytes, status: int, media: str, errors: Iterable[Mapping[str, Any]] = (), **headers: str
) -> Response:
    """A response no shared cache may keep; 429s and 503s say when to retry."""
    response = Response(
        body,
        status_code=status,
        media_type=media,
        headers={**headers, "Cache-Control": PRIVATE, "Vary": VARY},
    )
    if (retry := retry_after(errors, status)) is not None:
        response.headers["Retry-After"] = retry
    return response


def error_response(
    status: int, errors: list[dict[str, Any]], media: str, headers: Mapping[str, str] | None = None
) -> Response:
    """A GraphQL-shaped error body (no `data`) with `status`."""
    return private_response(
        orjson.dumps({"errors": errors}), status, media, errors, **(headers or {})
    )


def request_error_response(errors: Iterable[GraphQLError], media: str) -> Response:
    """Errors raised before execution, with the status their codes (or the media type) call for."""
    entries = formatted(errors)
    codes = {error["extensions"]["code"] for error in entries}
    status = next((HTTP_STATUS[code] for code in HTTP_STATUS if code in codes), None)
    if status is None:
        status = 400 if media == GRAPHQL_RESPONSE_JSON else 200
    return error_response(status, entries, media)


def shared_response(
    request: Request,
    body: bytes,
    tags: list[str],
    media: str,
    policy: CachePolicy,
    headers: Mapping[str, str],
) -> Response:
    """A public response: ETag (304 on a matching If-None-Match over GET) and surrogate keys."""
    etag = etag_for(body)
    all_headers = {
        **headers,
        "Cache-Control": policy.public,
        "ETag": etag,
        "Vary": VARY,
        **surrogate_headers(tags),
    }
    if request.method == "GET" and if_none_match(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=all_headers)
    return Response(body, status_code=200, media_type=media, headers=all_headers)
