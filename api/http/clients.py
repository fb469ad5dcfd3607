"""Who is on the other end of a request: its id, the client's address, and the caller.

`ClientIdentity` is the outermost middleware of the app. It gives every request an id (the
caller's `X-Request-ID` when it is a sane token, else a new one), sent back on every response,
refusals included, and logged with errors. It also settles the client's address once: the
peer's, unless the peer is a trusted proxy (BROADSHEET_TRUSTED_PROXIES: addresses or networks,
none by default), in which case `X-Forwarded-For` is read from the right, skipping trusted
hops. The address replaces the ASGI scope's `client`, so rate limits, sign-up limits and
uvicorn's access log all see the same one. The access guard (api/http/guard.py) adds the
caller (API key) and its rate-limit decision to the scope's state.
"""

from __future__ import annotations

import ipaddress
import uuid
from collections.abc import Iterable
from typing import Any

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.access.policy import Caller
from api.access.ratelimit import RateLimitDecision
from api.settings import Network

REQUEST_ID_STATE = "request_id"
CALLER_STATE = "caller"
RATE_LIMIT_STATE = "rate_limit"
UNKNOWN_ADDRESS = "unknown"
MAX_FORWARDED_HOPS = 32


def _is_trusted(address: str, trusted: Iterable[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted)


def client_address(
    peer: str | None, forwarded_for: str | None, trusted: tuple[Network, ...]
) -> str:
    """The client's address: the peer, or, behind trusted proxies, the first untrusted hop."""
    address = peer or UNKNOWN_ADDRESS
    if not trusted or forwarded_for is None or not _is_trusted(address, trusted):
        return address
    hops = [hop.strip() for hop in forwarded_for.split(",")][-MAX_FORWARDED_HOPS:]
    for hop in reversed(hops):
        if not hop:
            continue
        try:
            hop = str(ipaddress.ip_address(hop))
        except ValueError:
            return address  # a malformed hop: trust nothing beyond the proxy we know
        if not _is_trusted(hop, trusted):
            return hop
        address = hop
    return address


def request_id_for(offered: str | None) -> str:
    """The caller's X-Request-ID when it is a sane token, else a new one."""
    if offered and 8 <= len(offered) <= 64 and all(c.isalnum() or c in "-_." for c in offered):
        return offered
    return uuid.uuid4().hex


class ClientIdentity:
    """ASGI middleware: request id and client address, once, before anything else runs."""

    def __init__(self, app: ASGIApp, trusted_proxies: tuple[Network, ...] = ()) -> None:
        self.app = app
        self.trusted_proxies = trusted_proxies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        request_id = request_id_for(headers.get("x-request-id"))
        scope.setdefault("state", {})[REQUEST_ID_STATE] = request_id
        client = scope.get("client")
        address = client_address(
            str(client[0]) if client else None,
            headers.get("x-forwarded-for"),
            self.trusted_proxies,
        )
        scope["client"] = (address, client[1] if client else 0)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)["X-Request-ID"] = request_id
            await send(message)

        await self.app(scope, receive, send_with_id)


def _state(scope: Scope) -> dict[str, Any]:
    state: dict[str, Any] = scope.setdefault("state", {})
    return state


def address_of(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else UNKNOWN_ADDRESS


def request_id_of(scope: Scope) -> str:
    request_id = _state(scope).get(REQUEST_ID_STATE)
    return request_id if isinstance(request_id, str) else request_id_for(None)


def caller_of(scope: Scope) -> Caller:
    """The caller the guard admitted (anonymous when no guard ran)."""
    caller = _state(scope).get(CALLER_STATE)
    return caller if isinstance(caller, Caller) else Caller(None, address_of(scope))


def rate_limit_of(scope: Scope) -> RateLimitDecision | None:
    decision = _state(scope).get(RATE_LIMIT_STATE)
    return decision if isinstance(decision, RateLimitDecision) else None


def admit(scope: Scope, caller: Caller, decision: RateLimitDecision) -> None:
    """Record the guard's decision for the endpoint (api/http/graphql.py) to read."""
    state = _state(scope)
    state[CALLER_STATE] = caller
    state[RATE_LIMIT_STATE] = decision
