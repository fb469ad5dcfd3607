"""Access control for `/graphql`: pure ASGI middleware that authenticates and rate-limits.

Runs before any GraphQL parsing or execution, so a refused request costs one key lookup and
one limiter call. Every response it lets through or makes carries `RateLimit-*` headers:

- bad, unknown or revoked key, or no key where one is required: 401 `UNAUTHENTICATED`
  (counted against the client IP's anonymous budget, so guessing keys is rate-limited too);
- over the budget: 429 `RATE_LIMITED` with `Retry-After`;
- otherwise the principal and the rate-limit decision go into the ASGI scope's state, where
  `get_context` reads them (`principal_of`, `rate_limit_of`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy.exc import SQLAlchemyError
from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.auth import Authenticator, InvalidCredentials, Principal
from api.database import Database
from api.ratelimit import RateLimitDecision, RateLimiter, create_rate_limiter
from api.settings import Settings

logger = logging.getLogger(__name__)

PRINCIPAL_STATE = "principal"
RATE_LIMIT_STATE = "rate_limit"


@dataclass(frozen=True)
class AccessPolicy:
    require_key: bool
    anonymous_limit: int
    default_key_limit: int
    signup_limit: int

    @classmethod
    def from_settings(cls, settings: Settings) -> AccessPolicy:
        return cls(
            require_key=settings.broadsheet_require_key,
            anonymous_limit=settings.broadsheet_rate_limit_anonymous,
            default_key_limit=settings.broadsheet_rate_limit_key,
            signup_limit=settings.broadsheet_rate_limit_signup,
        )


def client_ip(scope: Scope) -> str:
    """The peer address (behind a proxy, uvicorn's --proxy-headers puts the client's here)."""
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


def principal_of(request: Request) -> Principal | None:
    return getattr(request.state, PRINCIPAL_STATE, None)


def rate_limit_of(request: Request) -> RateLimitDecision | None:
    return getattr(request.state, RATE_LIMIT_STATE, None)


def _asks_for_graphiql(scope: Scope, headers: Headers) -> bool:
    # The IDE page itself holds no data; a developer must be able to open it to enter a key.
    # Any parameter (a query, a persisted-query hash) makes it a data request.
    return (
        scope.get("method") == "GET"
        and "text/html" in headers.get("accept", "")
        and not scope.get("query_string")
    )


class AccessControl:
    """Authenticator + rate limiter + policy, wrapped around the GraphQL endpoint."""

    def __init__(
        self, authenticator: Authenticator, limiter: RateLimiter, policy: AccessPolicy
    ) -> None:
        self.authenticator = authenticator
        self.limiter = limiter
        self.policy = policy

    @classmethod
    def create(cls, settings: Settings, database: Database) -> AccessControl:
        redis_url = settings.redis_url.get_secret_value() if settings.redis_url else None
        return cls(
            Authenticator(database.read_sessions, database.sessions),
            create_rate_limiter(redis_url, settings.broadsheet_redis_prefix),
            AccessPolicy.from_settings(settings),
        )

    def wrap(self, app: ASGIApp) -> ASGIApp:
        """`app` behind this access control (an ASGI app, so a Route mounts it as is)."""
        return _Guarded(self, app)

    async def guard(self, app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
        headers = Headers(scope=scope)
        refusal: str | None = None  # why the request is UNAUTHENTICATED, if it is
        try:
            principal = await self.authenticator.authenticate(headers)
        except InvalidCredentials as refused:
            principal, refusal = None, refused.reason
        except (SQLAlchemyError, OSError, TimeoutError) as error:
            logger.warning("API key lookup failed, database unavailable: %s", error)
            await _send_error(
                send, 503, "SERVICE_UNAVAILABLE", "The service is temporarily unavailable.", []
            )
            return
        if principal is None and self.policy.require_key and not _asks_for_graphiql(scope, headers):
            refusal = refusal or "This API requires a key: send `Authorization: Bearer <key>`."

        # Refused credentials spend the client's anonymous budget: guessing keys is limited too.
        if principal is None:
            decision = await self.limiter.hit(f"ip:{client_ip(scope)}", self.policy.anonymous_limit)
        else:
            limit = principal.rate_limit_per_minute or self.policy.default_key_limit
            decision = await self.limiter.hit(f"key:{principal.key_id}", limit)
        if refusal is not None or not decision.allowed:
            await self._refuse(send, decision, refusal)
            return

        state = scope.setdefault("state", {})
        state[PRINCIPAL_STATE] = principal
        state[RATE_LIMIT_STATE] = decision

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                response_headers = MutableHeaders(scope=message)
                for name, value in decision.headers():
                    response_headers[name] = value
            await send(message)

        await app(scope, receive, send_with_headers)

    async def _refuse(
        self, send: Send, decision: RateLimitDecision, unauthenticated: str | None
    ) -> None:
        """429 when over the budget, else 401 for `unauthenticated`; rate-limit headers on both."""
        if decision.allowed and unauthenticated is not None:
            status, code, message = 401, "UNAUTHENTICATED", unauthenticated
        else:
            status, code = 429, "RATE_LIMITED"
            message = f"Rate limit exceeded: retry in {decision.retry_after_seconds} s."
        headers = [(name.lower().encode(), value.encode()) for name, value in decision.headers()]
        if status == 401:
            headers.append((b"www-authenticate", b'Bearer realm="broadsheet"'))
        logger.debug("refused request with %s: %s", status, message)
        await _send_error(send, status, code, message, headers)

    async def charge_signup(self, request: Request) -> RateLimitDecision:
        """Newsletter sign-ups have their own, tighter per-IP budget (they send mail)."""
        return await self.limiter.hit(
            f"signup:{client_ip(request.scope)}", self.policy.signup_limit
        )

    async def aclose(self) -> None:
        await self.limiter.aclose()


class _Guarded:
    def __init__(self, access: AccessControl, app: ASGIApp) -> None:
        self.access = access
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") == "OPTIONS":
            await self.app(scope, receive, send)  # CORS preflights carry no credentials
            return
        await self.access.guard(self.app, scope, receive, send)


async def _send_error(
    send: Send, status: int, code: str, message: str, headers: list[tuple[bytes, bytes]]
) -> None:
    """A GraphQL-shaped error response made before execution (no `data`)."""
    body: dict[str, Any] = {"errors": [{"message": message, "extensions": {"code": code}}]}
    encoded = orjson.dumps(body)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(encoded)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": encoded})
