"""GraphQL over HTTP (https://graphql.github.io/graphql-over-http/draft/) for `/graphql`.

Strawberry executes; this view owns the HTTP side, where Strawberry's view is looser than the
specification:

- POST with `application/json` (utf-8); GET for queries (`query`, `variables`, `operationName`,
  `extensions` as URL parameters, the JSON ones URL-encoded). A mutation over GET is 405 with
  `Allow: POST`; other methods 405 with `Allow: GET, POST`; another request media type 415.
- The response media type follows `Accept`: `application/graphql-response+json` when asked for,
  else `application/json`; 406 when neither is acceptable. Errors raised before execution
  (syntax, validation, variable coercion, limits, persisted-query misses) are request errors:
  no `data` entry, and 400 under `application/graphql-response+json` (200 under
  `application/json`, which legacy clients expect), except rate limits (429), refusals (403) and
  an unavailable database (503), which keep their status under both.
- A malformed request (body not JSON, wrong parameter types, no document) is 400 with a
  GraphQL error body; a body over BROADSHEET_MAX_BODY_BYTES is 413 before it is read whole.
- GraphiQL for a browser asking for text/html without a query (off when introspection is).
- Persisted queries (api/persisted.py), HTTP caching (api/http_cache.py), query limits and cost
  budgets (schema/limits.py), responses encoded with orjson.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import orjson
from graphql import GraphQLError
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.exceptions import MissingQueryError
from strawberry.schema.base import BaseSchema
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.execution import PreExecutionError
from strawberry.types.graphql import OperationType

from api.http_cache import (
    PRIVATE,
    VARY,
    CachePolicy,
    NoResponseCache,
    ResponseCache,
    cache_key,
    etag_for,
    if_none_match,
    surrogate_headers,
)
from api.persisted import MemoryDocumentStore, PersistedQueries
from api.settings import Settings
from schema.context import Context
from schema.errors import ClientError, ErrorCode
from schema.limits import BudgetCharge, Limits

logger = logging.getLogger(__name__)

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
JSON = "application/json"
SUPPORTED = (GRAPHQL_RESPONSE_JSON, JSON)

# Request errors whose status does not depend on the response media type.
STATUS_BY_CODE = {
    ErrorCode.RATE_LIMITED.value: 429,
    ErrorCode.SERVICE_UNAVAILABLE.value: 503,
    ErrorCode.FORBIDDEN.value: 403,
    ErrorCode.UNAUTHENTICATED.value: 401,
}


class RequestError(Exception):
    """A request refused before GraphQL sees it: an HTTP status and a GraphQL error body."""

    def __init__(
        self, status: int, message: str, headers: Mapping[str, str] | None = None, **details: Any
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = dict(headers or {})
        self.details = details


@dataclass(frozen=True)
class GraphQLParams:
    query: str | None
    variables: dict[str, Any] | None
    operation_name: str | None
    extensions: dict[str, Any] | None


@dataclass(frozen=True)
class HTTPConfig:
    limits: Limits = field(default_factory=Limits)
    max_body_bytes: int = 1_048_576
    cost_budget_anonymous: int = 100_000
    cost_budget_key: int = 1_000_000
    cache_policy: CachePolicy = field(default_factory=CachePolicy)

    @classmethod
    def from_settings(cls, settings: Settings) -> HTTPConfig:
        return cls(
            limits=Limits(
                max_length=settings.broadsheet_max_query_length,
                max_tokens=settings.broadsheet_max_tokens,
                max_depth=settings.broadsheet_max_depth,
                max_aliases=settings.broadsheet_max_aliases,
                max_cost=settings.broadsheet_max_cost,
                introspection=settings.broadsheet_introspection,
            ),
            max_body_bytes=settings.broadsheet_max_body_bytes,
            cost_budget_anonymous=settings.broadsheet_cost_budget_anonymous,
            cost_budget_key=settings.broadsheet_cost_budget_key,
            cache_policy=CachePolicy.from_settings(settings),
        )


class LimitDecision(Protocol):
    @property
    def allowed(self) -> bool: ...
    @property
    def remaining(self) -> int: ...
    @property
    def retry_after_seconds(self) -> int: ...


class Limiter(Protocol):
    """What a cost budget needs of a rate limiter (api/ratelimit.py's RateLimiter fits)."""

    async def hit(self, bucket: str, limit: int, cost: int = 1) -> Any: ...


def client_ip(request: Request) -> str:
    """The peer address (behind a proxy, uvicorn's --proxy-headers puts the client's here)."""
    return request.client.host if request.client else "unknown"


class LimiterCostBudget:
    """A caller's query-cost budget per minute, kept by the request rate limiter's backend."""

    def __init__(self, limiter: Limiter, bucket: str, budget: int) -> None:
        self.limiter = limiter
        self.bucket = bucket
        self.budget = budget

    async def spend(self, cost: int) -> BudgetCharge:
        decision: LimitDecision = await self.limiter.hit(self.bucket, self.budget, cost)
        return BudgetCharge(
            allowed=decision.allowed,
            budget=self.budget,
            remaining=decision.remaining,
            retry_after_seconds=decision.retry_after_seconds,
        )


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


def _formatted(errors: list[GraphQLError]) -> list[dict[str, Any]]:
    formatted = []
    for error in errors:
        entry: dict[str, Any] = dict(error.formatted)
        extensions: dict[str, Any] = dict(entry.get("extensions") or {})
        extensions.setdefault("code", ErrorCode.BAD_USER_INPUT.value)
        entry["extensions"] = extensions
        formatted.append(entry)
    return formatted


def _is_request_error(result: ExecutionResult) -> bool:
    """Errors raised before execution began: the response must then have no `data` entry."""
    if isinstance(result, PreExecutionError):
        return True
    # Variable coercion fails inside graphql-core's execute, with data null and no paths.
    return (
        result.data is None
        and bool(result.errors)
        and all(error.path is None for error in result.errors or ())
    )


def _retry_after(errors: list[dict[str, Any]]) -> str | None:
    for error in errors:
        retry = error["extensions"].get("retryAfter")
        if isinstance(retry, int):
            return str(retry)
    return None


class GraphQLHTTP(GraphQL[Context, None]):
    """The `/graphql` endpoint. Subclasses provide `get_context` (see api/app.py)."""

    def __init__(
        self,
        schema: BaseSchema,
        config: HTTPConfig | None = None,
        persisted: PersistedQueries | None = None,
        response_cache: ResponseCache | None = None,
        limiter: Limiter | None = None,
    ) -> None:
        self.config = config or HTTPConfig()
        super().__init__(
            schema,
            graphql_ide="graphiql" if self.config.limits.introspection else None,
            subscription_protocols=(),
        )
        self.persisted = persisted or PersistedQueries(MemoryDocumentStore())
        self.response_cache = response_cache or NoResponseCache()
        self.limiter = limiter

    async def aclose(self) -> None:
        await self.persisted.aclose()
        await self.response_cache.aclose()

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope, receive)
        media = negotiate(request.headers.get("accept"))
        try:
            response = await self.handle(request, media)
        except RequestError as refused:
            response = self.error_response(
                refused.status,
                [{"message": refused.message, "extensions": self._extensions(refused)}],
                media or JSON,
                refused.headers,
            )
        await response(scope, receive, send)

    @staticmethod
    def _extensions(refused: RequestError) -> dict[str, Any]:
        code = ErrorCode.BAD_USER_INPUT.value
        if refused.status == 413:
            code = ErrorCode.QUERY_TOO_COMPLEX.value
        return {"code": code, **refused.details}

    def error_response(
        self,
        status: int,
        errors: list[dict[str, Any]],
        media: str,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        response = Response(
            orjson.dumps({"errors": errors}),
            status_code=status,
            media_type=media,
            headers={"Cache-Control": PRIVATE, "Vary": VARY, **(headers or {})},
        )
        if (retry := _retry_after(errors)) is not None and status in (429, 503):
            response.headers["Retry-After"] = retry
        return response

    def _wants_ide(self, request: Request) -> bool:
        return (
            request.method == "GET"
            and "text/html" in request.headers.get("accept", "")
            and "query" not in request.query_params
            and "extensions" not in request.query_params
        )

    async def read_params(self, request: Request) -> GraphQLParams:
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
        body = await read_body(request, self.config.max_body_bytes)
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

    async def handle(self, request: Request, media: str | None) -> Response:
        if request.method not in ("GET", "POST"):
            raise RequestError(
                405, f"{request.method} is not supported.", headers={"Allow": "GET, POST"}
            )
        if self._wants_ide(request):
            if self.graphql_ide is None:
                raise RequestError(404, "GraphiQL is disabled with introspection.")
            return HTMLResponse(self.graphql_ide_html, headers={"Cache-Control": "no-cache"})
        if media is None:
            raise RequestError(
                406, f"Acceptable response types are {GRAPHQL_RESPONSE_JSON} and {JSON}."
            )
        params = await self.read_params(request)
        try:
            query = await self.persisted.resolve(params.query, params.extensions)
        except ClientError as refused:
            return self.request_error_response([refused], media)
        if query is None:
            raise RequestError(400, "No GraphQL document: send `query` (or a persisted query).")

        sub_response = await self.get_sub_response(request)
        context = await self.get_context(request, sub_response)
        self.prepare_context(context, request)
        shared = not context.visibility.include_unpublished
        key = (
            cache_key(query, params.operation_name, params.variables, "public") if shared else None
        )
        if key is not None and (cached := await self.response_cache.get(key)) is not None:
            headers = {**self.sub_headers(context), "X-Cache": "HIT", "Age": str(cached.age)}
            return self.shared_response(request, cached.body, cached.tags, media, headers)

        started = time.time()
        allowed = {OperationType.QUERY}
        if request.method == "POST":
            allowed.add(OperationType.MUTATION)
        try:
            result = await self.schema.execute(
                query,
                variable_values=params.variables,
                context_value=context,
                operation_name=params.operation_name,
                allowed_operation_types=allowed,
                operation_extensions=params.extensions,
            )
        except InvalidOperationTypeError as error:
            if error.operation_type is OperationType.MUTATION:
                raise RequestError(
                    405, "Mutations must be sent with POST.", headers={"Allow": "POST"}
                ) from None
            return self.request_error_response(
                [GraphQLError(error.as_http_error_reason(request.method))], media
            )
        except CannotGetOperationTypeError as error:
            return self.request_error_response([GraphQLError(error.as_http_error_reason())], media)
        except MissingQueryError:
            raise RequestError(400, "No GraphQL document: send `query`.") from None
        finally:
            await self.purge_changes(context)
        return await self.result_response(request, context, result, media, key, started)

    @staticmethod
    def sub_headers(context: Context) -> dict[str, str]:
        """Headers resolvers and get_context set on the sub-response (X-Request-ID...)."""
        return {k: v for k, v in context.response.headers.items() if k != "content-length"}

    def prepare_context(self, context: Context, request: Request) -> None:
        """Limits and the caller's cost budget, which QueryLimits applies before execution."""
        context.limits = self.config.limits
        if self.limiter is None:
            return
        principal = getattr(context, "principal", None)
        if principal is not None:
            bucket = f"cost:key:{principal.key_id}"
            budget = self.config.cost_budget_key
        else:
            bucket = f"cost:ip:{client_ip(request)}"
            budget = self.config.cost_budget_anonymous
        context.cost_budget = LimiterCostBudget(self.limiter, bucket, budget)

    async def purge_changes(self, context: Context) -> None:
        changed = context.tags.changed
        if changed:
            dropped = await self.response_cache.purge(changed)
            logger.info("purged %d cached responses for %s", dropped, sorted(changed))

    def request_error_response(self, errors: list[GraphQLError], media: str) -> Response:
        formatted = _formatted(errors)
        codes = {error["extensions"]["code"] for error in formatted}
        status = next((STATUS_BY_CODE[c] for c in STATUS_BY_CODE if c in codes), None)
        if status is None:
            status = 400 if media == GRAPHQL_RESPONSE_JSON else 200
        return self.error_response(status, formatted, media)

    async def result_response(
        self,
        request: Request,
        context: Context,
        result: ExecutionResult,
        media: str,
        key: str | None,
        started: float,
    ) -> Response:
        headers = self.sub_headers(context)
        if _is_request_error(result):
            response = self.request_error_response(result.errors or [], media)
            response.headers.update(headers)
            return response
        body: dict[str, Any] = {"data": result.data}
        errors = _formatted(result.errors) if result.errors else []
        if errors:
            body["errors"] = errors
        if result.extensions:
            body["extensions"] = result.extensions
        encoded = orjson.dumps(body)
        analysis = context.analysis
        shareable = (
            not errors
            and analysis is not None
            and analysis.operation_type == "query"
            and not analysis.private
            and key is not None
        )
        if shareable:
            assert analysis is not None
            assert key is not None
            tags = context.tags
            tags.lists.update(analysis.list_tags)
            tags.lists.update(analysis.id_tags)
            data = result.data or {}
            tags.lists.update(t for k, t in analysis.nullable_roots.items() if data.get(k) is None)
            tag_list = tags.for_response()
            await self.response_cache.set(key, encoded, tag_list, started)
            if not isinstance(self.response_cache, NoResponseCache):
                headers["X-Cache"] = "MISS"
            return self.shared_response(request, encoded, tag_list, media, headers)
        status = 200
        if result.data is None and any(
            e["extensions"].get("code") == ErrorCode.SERVICE_UNAVAILABLE.value for e in errors
        ):
            status = 503
        response = Response(
            encoded,
            status_code=status,
            media_type=media,
            headers={**headers, "Cache-Control": PRIVATE, "Vary": VARY},
        )
        if status == 503 and (retry := _retry_after(errors)) is not None:
            response.headers["Retry-After"] = retry
        return response

    def shared_response(
        self,
        request: Request,
        body: bytes,
        tags: list[str],
        media: str,
        extra: Mapping[str, str],
    ) -> Response:
        etag = etag_for(body)
        headers = {
            **extra,
            "Cache-Control": self.config.cache_policy.public,
            "ETag": etag,
            "Vary": VARY,
            **surrogate_headers(tags),
        }
        if request.method == "GET" and if_none_match(request.headers.get("if-none-match"), etag):
            return Response(status_code=304, headers=headers)
        return Response(body, status_code=200, media_type=media, headers=headers)
