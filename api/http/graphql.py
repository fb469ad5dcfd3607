"""`/graphql`: the GraphQL-over-HTTP endpoint (https://graphql.github.io/graphql-over-http/draft/).

Strawberry executes; this view owns the HTTP side, where Strawberry's own view is looser than
the specification. Requests are read by api/http/protocol.py and answered by
api/http/responses.py; in between, this view resolves persisted documents
(api/http/persisted.py), serves and fills the response cache (api/caching.py), builds the
request's context (one database session, loaders, the caller) and runs the operation. A
mutation over GET is 405 with `Allow: POST`; other methods 405 with `Allow: GET, POST`;
GraphiQL answers a browser asking for text/html without a query (off with introspection).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import orjson
from graphql import GraphQLError
from starlette.requests import HTTPConnection, Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import MissingQueryError
from strawberry.schema import Schema
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from api.access.policy import Access, Caller
from api.access.principal import visibility_for
from api.caching import CachedResponse, CachePolicy, NoResponseCache, ResponseCache, cache_key
from api.database import Database
from api.errors import HTTP_STATUS, BadUserInput, ClientError, ErrorCode, RequestError
from api.fanout import LiveHub
from api.http.clients import caller_of, rate_limit_of, request_id_of
from api.http.live import LiveConnection, SubscriptionSlots
from api.http.persisted import PersistedQueries
from api.http.prefetch import prefetched_for
from api.http.protocol import GRAPHQL_RESPONSE_JSON, JSON, negotiate, read_params
from api.http.responses import (
    error_response,
    formatted,
    is_request_error,
    private_response,
    request_error_response,
    shared_response,
)
from api.http.signals import operation_name_in, refusal_in, signals_of
from api.inputs import UnacceptableInput, check_json
from api.settings import Settings
from schema.context import Context
from schema.extensions.query_limits import Limits
from schema.loaders import Loaders
from schema.planned.express import Express
from schema.relay import CursorCodec
from schema.root import schema
from schema.session import RequestSession

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class HTTPConfig:
    """What the endpoint enforces and promises (defaults: api/settings.py)."""

    limits: Limits
    max_body_bytes: int
    cache_policy: CachePolicy
    planned: bool
    max_subscriptions: int
    websocket_origins: tuple[str, ...]
    settings: Settings  # for resolvers that need the deployment's policies (webhooks, sync)

    @classmethod
    def from_settings(cls, settings: Settings) -> HTTPConfig:
        return cls(
            limits=Limits.from_settings(settings),
            max_body_bytes=settings.broadsheet_max_body_bytes,
            cache_policy=CachePolicy.from_settings(settings),
            planned=settings.broadsheet_planned_execution,
            max_subscriptions=settings.broadsheet_live_max_subscriptions,
            websocket_origins=tuple(settings.cors_origins),
            settings=settings,
        )


class GraphQLEndpoint(GraphQL[Context, None]):
    """The `/graphql` endpoint: one Context (session, loaders, caller) per request, and
    subscriptions over WebSocket (api/http/live.py), one Context per subscription."""

    graphql_transport_ws_handler_class = LiveConnection

    def __init__(
        self,
        database: Database,
        codec: CursorCodec,
        access: Access,
        config: HTTPConfig,
        persisted: PersistedQueries,
        response_cache: ResponseCache,
        live: LiveHub | None = None,
        graphql_schema: Schema = schema,
        express: bool = True,
    ) -> None:
        super().__init__(
            graphql_schema,
            graphql_ide="graphiql" if config.limits.introspection else None,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,) if live else (),
            connection_init_wait_timeout=timedelta(seconds=10),
            max_subscriptions_per_connection=None,  # per key instead (SubscriptionSlots)
            allowed_origins=config.websocket_origins,
        )
        self.live = live
        self.subscription_slots = SubscriptionSlots(config.max_subscriptions)
        self.database = database
        self.codec = codec
        self.access = access
        self.config = config
        self.persisted = persisted
        self.response_cache = response_cache
        # Documents answered before skip Strawberry's pipeline (not when tracing: its spans
        # are made by that pipeline's hooks).
        self.express = Express(graphql_schema) if express else None

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
            response = error_response(
                refused.status, [refused.formatted()], media or JSON, refused.headers
            )
        await response(scope, receive, send)

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        if isinstance(request, WebSocket):
            # Authenticated later, by connection_init (api/http/live.py).
            return self.subscription_context(request, caller_of(request.scope))
        caller = caller_of(request.scope)
        db = RequestSession(self.database, visibility_for(caller.principal), caller.identity)
        return Context(
            request=request,
            response=response if isinstance(response, Response) else Response(),
            db=db,
            loaders=Loaders.create(db),
            cursors=self.codec,
            request_id=request_id_of(request.scope),
            caller=caller,
            access=self.access,
            limits=self.config.limits,
            rate_limit=rate_limit_of(request.scope),
            planned=self.config.planned,
            settings=self.config.settings,
        )

    def subscription_context(self, connection: HTTPConnection, caller: Caller) -> Context:
        """A subscription's context: its own session, on the primary (events arrive before a
        replica may have replayed them), reading with the caller's visibility."""
        db = RequestSession(self.database, visibility_for(caller.principal), caller.identity)
        db.use_primary()
        return Context(
            request=connection,
            response=Response(),
            db=db,
            loaders=Loaders.create(db),
            cursors=self.codec,
            request_id=request_id_of(connection.scope),
            caller=caller,
            access=self.access,
            limits=self.config.limits,
            live=self.live,
            settings=self.config.settings,
        )

    async def handle(self, request: Request, media: str | None) -> Response:
        if request.method not in ("GET", "POST"):
            raise RequestError(
                405, f"{request.method} is not supported.", headers={"Allow": "GET, POST"}
            )
        if _wants_ide(request):
            if self.graphql_ide is None:
                raise RequestError(404, "GraphiQL is disabled with introspection.")
            return HTMLResponse(self.graphql_ide_html, headers={"Cache-Control": "no-cache"})
        if media is None:
            raise RequestError(
                406, f"Acceptable response types are {GRAPHQL_RESPONSE_JSON} and {JSON}."
            )
        params = await read_params(request, self.config.max_body_bytes)
        signals_of(request.scope).operation = params.operation_name
        try:
            check_json(params.variables, "variables")
            check_json(params.extensions, "extensions")
        except UnacceptableInput as refused:
            # Like a variable graphql-core cannot coerce: a request error, before anything runs.
            return request_error_response([BadUserInput(str(refused))], media)
        try:
            query = await self.persisted.resolve(params.query, params.extensions)
        except ClientError as refused:
            return request_error_response([refused], media)
        if query is None:
            raise RequestError(400, "No GraphQL document: send `query` (or a persisted query).")

        context = await self.get_context(request, Response())
        try:
            shared = not context.visibility.include_unpublished
            key = (
                cache_key(query, params.operation_name, params.variables, "public")
                if shared
                else None
            )
            signals = signals_of(request.scope)
            if key is not None and (cached := await self.cached(request, key)) is not None:
                signals.cache = "hit"
                signals.operation_type = "query"  # only queries are cached
                signals.operation = signals.operation or operation_name_in(query)
                headers = {**_sub_headers(context), "X-Cache": "HIT", "Age": str(cached.age)}
                return shared_response(
                    request, cached.body, cached.tags, media, self.config.cache_policy, headers
                )
            started = time.time()
            result = await self.run_operation(
                request, context, query, params.variables, params.operation_name, params.extensions
            )
            if isinstance(result, Response):
                return result
            return await self.result_response(request, context, result, media, key, started)
        finally:
            if (analysis := context.analysis) is not None:
                signals = signals_of(request.scope)
                signals.operation = analysis.operation_name or signals.operation
                signals.operation_type = analysis.operation_type
            await context.db.close()
            await self.purge_changes(context)
            await self.remember_write(context)

    async def cached(self, request: Request, key: str) -> CachedResponse | None:
        """The stored response for `key`: read already with the rate-limit charge
        (api/http/prefetch.py), or looked up now."""
        prefetched = prefetched_for(request.scope, key)
        if prefetched is not None:
            return prefetched.cached
        return await self.response_cache.get(key)

    async def run_operation(
        self,
        request: Request,
        context: Context,
        query: str,
        variables: dict[str, Any] | None,
        operation_name: str | None,
        extensions: dict[str, Any] | None,
    ) -> ExecutionResult | Response:
        media = negotiate(request.headers.get("accept")) or JSON
        allowed = {OperationType.QUERY}
        if request.method == "POST":
            allowed.add(OperationType.MUTATION)
        express = self.express
        if express is not None:
            answered = await express.run(query, operation_name, variables, context, extensions)
            if answered is not None:
                return answered
        try:
            result = await self.schema.execute(
                query,
                variable_values=variables,
                context_value=context,
                operation_name=operation_name,
                allowed_operation_types=allowed,
                operation_extensions=extensions,
            )
        except InvalidOperationTypeError as error:
            if error.operation_type is OperationType.MUTATION:
                raise RequestError(
                    405, "Mutations must be sent with POST.", headers={"Allow": "POST"}
                ) from None
            return request_error_response(
                [GraphQLError(error.as_http_error_reason(request.method))], media
            )
        except CannotGetOperationTypeError as error:
            return request_error_response([GraphQLError(error.as_http_error_reason())], media)
        except MissingQueryError:
            raise RequestError(400, "No GraphQL document: send `query`.") from None
        if express is not None:
            express.remember(query, operation_name, context, result)
        return result

    async def remember_write(self, context: Context) -> None:
        """After a mutation, the caller's next reads must see it, even on a replica."""
        replica = self.database.replica
        if replica is None or not context.db.on_primary:
            return
        try:
            await replica.remember_write(context.caller.identity)
        except Exception as error:  # the write is committed; the client must hear so
            logger.warning("could not note the write position for read-your-writes: %s", error)

    async def purge_changes(self, context: Context) -> None:
        """Drop cached responses holding what this request's mutations changed (committed)."""
        changed = context.tags.changed
        if changed:
            dropped = await self.response_cache.purge(changed)
            logger.info("purged %d cached responses for %s", dropped, sorted(changed))

    async def result_response(
        self,
        request: Request,
        context: Context,
        result: ExecutionResult,
        media: str,
        key: str | None,
        started: float,
    ) -> Response:
        headers = _sub_headers(context)
        signals = signals_of(request.scope)
        if is_request_error(result):
            signals.refusal = refusal_in(formatted(result.errors or []))
            response = request_error_response(result.errors or [], media)
            response.headers.update(headers)
            return response
        body: dict[str, Any] = {"data": result.data}
        errors = formatted(result.errors) if result.errors else []
        if errors:
            body["errors"] = errors
            signals.refusal = refusal_in(errors)
        if result.extensions:
            body["extensions"] = result.extensions
        encoded = orjson.dumps(body)
        analysis = context.analysis
        if (
            key is not None
            and not errors
            and analysis is not None
            and analysis.operation_type == "query"
            and not analysis.private
        ):
            tags = context.tags
            tags.lists.update(analysis.list_tags)
            tags.lists.update(analysis.id_tags)
            data = result.data or {}
            tags.lists.update(t for k, t in analysis.nullable_roots.items() if data.get(k) is None)
            tag_list = tags.for_response()
            await self.response_cache.set(key, encoded, tag_list, started)
            if not isinstance(self.response_cache, NoResponseCache):
                headers["X-Cache"] = "MISS"
                signals.cache = "miss"
            return shared_response(
                request, encoded, tag_list, media, self.config.cache_policy, headers
            )
        return private_response(encoded, _status_of(result, errors), media, errors, **headers)


def _status_of(result: ExecutionResult, errors: list[dict[str, Any]]) -> int:
    """200, unless nothing was resolved because of a limit or an outage: then 429 or 503 (with
    Retry-After), so balancers, CDNs and clients back off as they would for any other limit."""
    if result.data is None:
        codes = {error["extensions"].get("code") for error in errors}
        for code in (ErrorCode.SERVICE_UNAVAILABLE, ErrorCode.RATE_LIMITED):
            if code.value in codes:
                return HTTP_STATUS[code]
    return 200


def _wants_ide(request: Request) -> bool:
    return (
        request.method == "GET"
        and "text/html" in request.headers.get("accept", "")
        and "query" not in request.query_params
        and "extensions" not in request.query_params
    )


def _sub_headers(context: Context) -> dict[str, str]:
    """Headers resolvers set on the sub-response."""
    return {k: v for k, v in context.response.headers.items() if k != "content-length"}
