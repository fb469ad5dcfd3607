"""`viewer`: who the calling API key is, what it may do, and where it stands with its budget."""

from __future__ import annotations

from datetime import datetime

import strawberry

from api.access.ratelimit import RateLimitDecision
from schema.context import Info


@strawberry.type(description="A rate-limit budget: requests per minute, as of this request.")
class RateLimit:
    limit: int = strawberry.field(description="Requests per window (one minute).")
    remaining: int = strawberry.field(description="Requests left after this one.")
    reset_at: datetime = strawberry.field(description="When the whole budget is available again.")

    @classmethod
    def from_decision(cls, decision: RateLimitDecision) -> RateLimit:
        return cls(limit=decision.limit, remaining=decision.remaining, reset_at=decision.reset_at)


@strawberry.type(description="The API key making this request.")
class Viewer:
    key_name: str
    scopes: list[str] = strawberry.field(description="The scopes granted to the key.")
    rate_limit: RateLimit


@strawberry.type
class ViewerQueries:
    @strawberry.field(description="Who the API key is; null when anonymous.")
    def viewer(self, info: Info) -> Viewer | None:
        principal = info.context.principal
        decision = info.context.rate_limit
        if principal is None or decision is None:
            return None
        return Viewer(
            key_name=principal.name,
            scopes=list(principal.granted_scopes),
            rate_limit=RateLimit.from_decision(decision),
        )
