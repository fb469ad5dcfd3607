"""The access guard in front of `/graphql`: pure ASGI middleware that authenticates and charges
the request budget (api/access/policy.py) before any GraphQL parsing or execution.

- a bad, unknown or revoked key, or no key where one is required: 401 `UNAUTHENTICATED`
  (charged to the client address's anonymous budget, so guessing keys is rate-limited too);
- over the budget: 429 `RATE_LIMITED` with `Retry-After`;
- the database unreachable while checking a key: 503 `SERVICE_UNAVAILABLE` with `Retry-After`;
- otherwise the caller and the decision go into the scope's state (api/http/clients.py).

Responses it makes or lets through carry `RateLimit-*` headers, except public (shareable) ones:
a CDN must not hand one caller's budget to everyone (the `viewer` field tells a key its budget).
"""

from __future__ import annotations

import logging

from sqlalchemy.exc import SQLAlchemyError
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.access.authentication import InvalidCredentials
from api.access.policy import Access, Caller
from api.access.ratelimit import RateLimitDecision
from api.errors import ErrorCode, RequestError, unavailable
from api.http.clients import address_of, admit
from api.http.prefetch import CachePrefetch
from api.http.protocol import JSON
from api.http.responses import error_response
from api.http.signals import signals_of

logger = logging.getLogger(__name__)


def _asks_for_graphiql(scope: Scope, headers: Headers) -> bool:
    # The IDE page itself holds no data; a developer must be able to open it to enter a key.
    # Any parameter (a query, a persisted-query hash) makes it a data request.
    return (
        scope.get("method") == "GET"
        and "text/html" in headers.get("accept", "")
        and not scope.get("query_string")
    )


class AccessGuard:
    """`app` behind authentication and the request budget (an ASGI app, so a Route mounts it)."""

    def __init__(self, app: ASGIApp, access: Access, prefetch: CachePrefetch | None = None) -> None:
        self.app = app
        self.access = access
        self.prefetch = prefetch  # charge + cache read in one Redis round trip (prefetch.py)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") == "OPTIONS":
            await self.app(scope, receive, send)  # CORS preflights carry no credentials
            return
        headers = Headers(scope=scope)
        refusal: str | None = None  # why the request is UNAUTHENTICATED, if it is
        try:
            principal = await self.access.authenticate(headers)
        except InvalidCredentials as refused:
            principal, refusal = None, refused.reason
        except (SQLAlchemyError, OSError, TimeoutError) as error:
            logger.warning("API key lookup failed, database unavailable: %s", error)
            outage = unavailable()
            response = error_response(503, [dict(outage.formatted)], JSON)
            await response(scope, receive, send)
            return
        if (
            principal is None
            and self.access.policy.require_key
            and not _asks_for_graphiql(scope, headers)
        ):
            refusal = refusal or "This API requires a key: send `Authorization: Bearer <key>`."

        caller = Caller(principal, address_of(scope))
        key = None
        if self.prefetch is not None and refusal is None:
            key = await self.prefetch.key_for(scope, caller)
        if key is not None and self.prefetch is not None:
            decision = await self.prefetch.admit(self.access, caller, key, scope)
        else:
            decision = await self.access.admit_request(caller)
        if refusal is not None or not decision.allowed:
            await self._refuse(scope, receive, send, decision, refusal)
            return
        admit(scope, caller, decision)
        if principal is not None:
            signals_of(scope).key_name = principal.name

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                response_headers = MutableHeaders(scope=message)
                # A shared (public) response must not carry one caller's budget to everyone.
                if not response_headers.get("cache-control", "").startswith("public"):
                    for name, value in decision.headers():
                        response_headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)

    async def _refuse(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        decision: RateLimitDecision,
        unauthenticated: str | None,
    ) -> None:
        """429 when over the budget, else 401 for `unauthenticated`; rate-limit headers on both."""
        if decision.allowed and unauthenticated is not None:
            signals_of(scope).refusal = "unauthenticated"
            refused = RequestError(401, unauthenticated, code=ErrorCode.UNAUTHENTICATED)
            extra = {"WWW-Authenticate": 'Bearer realm="broadsheet"'}
        else:
            retry = decision.retry_after_seconds
            signals_of(scope).refusal = "rate_limit"
            refused = RequestError(
                429,
                f"Rate limit exceeded: retry in {retry} s.",
                code=ErrorCode.RATE_LIMITED,
                retryAfter=retry,
            )
            extra = {}
        logger.debug("refused request with %s: %s", refused.status, refused.message)
        response = error_response(
            refused.status, [refused.formatted()], JSON, {**dict(decision.headers()), **extra}
        )
        await response(scope, receive, send)
