"""Principals and scopes: who is calling (an API key, or nobody) and what that allows.

`content:read` reads published content (a partner), `content:write` also sees drafts and writes
(the desk), `admin` may do everything, key management included. What a principal may see
follows from its scopes (`visibility_for`).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from api.visibility import Visibility


class Scope(enum.StrEnum):
    """What a key may do. `admin` implies everything; `content:write` implies reading."""

    CONTENT_READ = "content:read"
    CONTENT_WRITE = "content:write"
    ADMIN = "admin"


_IMPLIED: dict[Scope, frozenset[Scope]] = {
    Scope.CONTENT_READ: frozenset({Scope.CONTENT_READ}),
    Scope.CONTENT_WRITE: frozenset({Scope.CONTENT_READ, Scope.CONTENT_WRITE}),
    Scope.ADMIN: frozenset(Scope),
}


def effective_scopes(granted: Iterable[str]) -> frozenset[Scope]:
    """Every scope a key holds, implied ones included; unknown names are ignored."""
    held: set[Scope] = set()
    for name in granted:
        if name in Scope._value2member_map_:
            held |= _IMPLIED[Scope(name)]
    return frozenset(held)


@dataclass(frozen=True)
class Principal:
    """Who is calling: one API key, with its scopes (implied ones included)."""

    key_id: int
    name: str
    scopes: frozenset[Scope]
    granted_scopes: tuple[str, ...]
    rate_limit_per_minute: int | None

    def has(self, scope: Scope) -> bool:
        return scope in self.scopes

    @property
    def sees_drafts(self) -> bool:
        return self.has(Scope.CONTENT_WRITE)


def visibility_for(principal: Principal | None) -> Visibility:
    """The editorial desk (content:write, admin) sees drafts; everyone else published stories."""
    if principal is not None and principal.sees_drafts:
        return Visibility.editorial()
    return Visibility.public()
