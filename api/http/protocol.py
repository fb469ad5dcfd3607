"""GraphQL over HTTP, the request side: what a client sent and what it accepts.

https://graphql.github.io/graphql-over-http/draft/ : POST with `application/json` (utf-8); GET
for queries (`query`, `variables`, `operationName`, `extensions` as URL parameters, the JSON ones
URL-encoded). A malformed request (body not JSON, wrong parameter types, no document) is 400; a
body over BROADSHEET_MAX_BODY_BYTES is 413 before it is read whole; another request media type
is 415. The response media type follows `Accept`: `application/graphql-response+json` when
asked for, else `application/json`; None (406) when neither is acceptable.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from starlette.datastructures import QueryParams
from starlette.requests import Request

from api.errors import RequestError

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
JSON = "application/json"
SUPPORTED = (GRAPHQL_RESPONSE_JSON, JSON)


@dataclass(frozen=True)
class GraphQLParams:
    query: str | None
    variables: dict[str, Any] | None
    operation_name: str | None
    extensions: dict[str, Any] | None


def negotiate(accept: str | None) -> str | None:
    """The response media type for an Accept header; None when nothing we speak is acceptable."""
    if not accept or not accept.strip():
        return JSON
    best: tuple[float, int, str] | None = None
    for position, item in enumerate(accept.split(",")):
        media, *params = (part.strip() for part in item.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        media = media.lower()
        if quality <= 0:
            continue
        if media in SUPPORTED:
            candidate = media
        elif media in ("*/*", "application/*"):
            candidate = JSON  # the spec's default for clients that accept anything
        else:
            continue
        # Highest quality first; among equals, what the client listed first.
        ranked = (quality, -position, candidate)
        if best is None or ranked[:2] > best[:2]:
            best = ranked
    return best[2] if best else None


def _single(params: QueryParams, name: str) -> str | None:
    values = params.getlist(name)
    if len(values) > 1:
        raise RequestError(400, f"The `{name}` parameter is given more than once.")
    return values[0] if values else None


def _json_param(value: str | None, name: str) -> Any:
    if value is None or value == "":
        return None
    try:
        return orjson.loads(value)
    except orjson.JSONDecodeError:
        raise RequestError(400, f"The `{name}` parameter is not valid JSON.") from None


def params_from(data: Mapping[str, Any]) -> GraphQLParams:
    """Check the request parameters' types (a GraphQL-over-HTTP "well-formed request")."""
    query = data.get("query")
    if query is not None and not isinstance(query, str):
        raise RequestError(400, "`query` must be a string.")
    variables = data.get("variables")
    if variables is not None and not isinstance(variables, dict):
        raise RequestError(400, "`variables` must be an object (a map of variable values).")
    operation_name = data.get("operationName")
    if operation_name is not None and not isinstance(operation_name, str):
        raise RequestError(400, "`operationName` must be a string.")
    extensions = data.get("extensions")
    if extensions is not None and not isinstance(extensions, dict):
        raise RequestError(400, "`extensions` must be an object.")
    return GraphQLParams(query, variables, operation_name, extensions)


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refusing (413) as soon as it is known to exceed `limit` bytes."""
    too_large = RequestError(
        413,
        f"The request body is larger than {limit} bytes.",
        limit="bodyBytes",
        maximum=limit,
    )
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


def _content_type(request: Request) -> tuple[str, str | None]:
    raw = request.headers.get("content-type")
    if raw is None:
        return "", None
    media, *params = (part.strip() for part in raw.split(";"))
    charset = None
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    return media.lower(), charset


async def read_params(request: Request, max_body_bytes: int) -> GraphQLParams:
    """The request's GraphQL parameters, from the URL (GET) or a JSON body (POST)."""
    if request.method == "GET":
        params = request.query_params
        return params_from(
            {
                "query": _single(params, "query"),
                "variables": _json_param(_single(params, "variables"), "variables"),
                "operationName": _single(params, "operationName"),
                "extensions": _json_param(_single(params, "extensions"), "extensions"),
            }
        )
    media, charset = _content_type(request)
    if media != JSON:
        raise RequestError(
            415,
            "POST bodies must be `application/json`"
            + (f", not `{media}`." if media else "; send a Content-Type header."),
        )
    if charset not in (None, "utf-8", "utf8"):
        raise RequestError(415, f"Request bodies must be UTF-8, not {charset}.")
    body = await read_body(request, max_body_bytes)
    if not body.strip():
        raise RequestError(400, "The request body is empty; send a JSON object.")
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise RequestError(400, "The request body is not valid JSON.") from None
    if isinstance(data, list):
        raise RequestError(400, "Batched operations are not supported; send one object.")
    if not isinstance(data, dict):
        raise RequestError(400, "The request body must be a JSON object.")
    return params_from(data)
