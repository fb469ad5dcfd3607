"""What one request did, noted by the layers that know it and reported once at its end.

The outermost middleware (api/http/metrics.py) gives each request a `RequestSignals` in its
scope; the access guard notes the key's name and refusals, the GraphQL endpoint the operation,
the response cache's answer and cost refusals. The same middleware then writes the request log
line and the metrics from it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from starlette.types import Scope

SIGNALS_STATE = "signals"


@dataclass
class RequestSignals:
    operation: str | None = None  # the operation's name, as the client named it
    operation_type: str | None = None  # query, mutation, subscription
    key_name: str | None = None  # the API key's name (never its secret)
    cache: str | None = None  # the response cache's answer: "hit" or "miss"
    refusal: str | None = None  # rate_limit, cost_budget, unauthenticated, query_too_complex


def signals_of(scope: Scope) -> RequestSignals:
    state: dict[str, Any] = scope.setdefault("state", {})
    signals = state.get(SIGNALS_STATE)
    if not isinstance(signals, RequestSignals):
        signals = state[SIGNALS_STATE] = RequestSignals()
    return signals


_FIRST_OPERATION = re.compile(r"\b(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)")


def operation_name_in(document: str) -> str | None:
    """The first named operation's name (a cached response is answered without parsing)."""
    found = _FIRST_OPERATION.search(document)
    return found.group(1) if found else None


def refusal_in(errors: list[dict[str, Any]]) -> str | None:
    """The limit a GraphQL response's errors say the request hit, if any."""
    for error in errors:
        extensions = error.get("extensions") or {}
        code = extensions.get("code")
        if code == "RATE_LIMITED":
            return "cost_budget" if extensions.get("limit") == "costBudget" else "rate_limit"
        if code == "QUERY_TOO_COMPLEX":
            return "query_too_complex"
    return None
