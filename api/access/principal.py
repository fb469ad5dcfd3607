"""Principals: who is calling (an API key, or nobody) and what that allows.

`content:read` reads published content (a partner), `content:write` also sees drafts and writes
(the desk), `admin` may do everything, key management included (scopes: api/services/keys.py).
What a principal may see follows from its scopes (`visibility_for`).
"""

from __future__ import annotations

from dataclasses import dataclass

from api.services.keys import Scope
from api.visibility import Visibility


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
