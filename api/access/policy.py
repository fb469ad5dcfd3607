"""Rate limits and cost budgets: the one place that decides how much a caller may do.

Three budgets per minute, each kept by the rate limiter (GCRA; in Redis when configured, so every
replica shares them):

- requests: per API key (its own limit, else BROADSHEET_RATE_LIMIT_KEY), or per client address
  for anonymous callers (BROADSHEET_RATE_LIMIT_ANONYMOUS); refused credentials spend the
  address's budget too, so guessing keys is limited;
- query cost: per key or per client address (BROADSHEET_COST_BUDGET_KEY / _ANONYMOUS), charged
  with a document's estimated cost before it runs (schema/extensions/query_limits.py);
- newsletter sign-ups: per client address (BROADSHEET_RATE_LIMIT_SIGNUP): they send mail.

The HTTP layer asks here (api/http/guard.py), and so do the schema's cost check and sign-up
permission; none of them holds a limit of its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from api.access.authentication import Authenticator
from api.access.principal import Principal
from api.access.ratelimit import RateLimitDecision, RateLimiter
from api.settings import Settings


@dataclass(frozen=True)
class AccessPolicy:
    """The limits, as configured (api/settings.py declares their defaults)."""

    require_key: bool
    anonymous_limit: int
    default_key_limit: int
    signup_limit: int
    cost_budget_anonymous: int
    cost_budget_key: int

    @classmethod
    def from_settings(cls, settings: Settings) -> AccessPolicy:
        return cls(
            require_key=settings.broadsheet_require_key,
            anonymous_limit=settings.broadsheet_rate_limit_anonymous,
            default_key_limit=settings.broadsheet_rate_limit_key,
            signup_limit=settings.broadsheet_rate_limit_signup,
            cost_budget_anonymous=settings.broadsheet_cost_budget_anonymous,
            cost_budget_key=settings.broadsheet_cost_budget_key,
        )


@dataclass(frozen=True)
class Caller:
    """Who is asking: the key (None when anonymous) and the client's address."""

    principal: Principal | None
    address: str

    @property
    def identity(self) -> str:
        """The key (`key:<id>`), or the client address when anonymous (`ip:<address>`)."""
        if self.principal is None:
            return f"ip:{self.address}"
        return f"key:{self.principal.key_id}"


class Access:
    """Authenticates callers and charges their budgets."""

    def __init__(
        self, authenticator: Authenticator, limiter: RateLimiter, policy: AccessPolicy
    ) -> None:
        self.authenticator = authenticator
        self.limiter = limiter
        self.policy = policy

    async def authenticate(self, headers: Mapping[str, str]) -> Principal | None:
        """The key behind the request's credentials (None: anonymous); raises
        `InvalidCredentials` for credentials that name no active key."""
        return await self.authenticator.authenticate(headers)

    def request_budget(self, caller: Caller) -> tuple[str, int]:
        """The caller's request bucket and its limit per minute."""
        principal = caller.principal
        if principal is None:
            return f"ip:{caller.address}", self.policy.anonymous_limit
        limit = principal.rate_limit_per_minute or self.policy.default_key_limit
        return f"key:{principal.key_id}", limit

    async def admit_request(self, caller: Caller) -> RateLimitDecision:
        """Spend one request of the caller's budget."""
        return await self.limiter.hit(*self.request_budget(caller))

    async def spend_cost(self, caller: Caller, cost: int) -> RateLimitDecision:
        """Spend a document's estimated cost of the caller's query-cost budget."""
        principal = caller.principal
        if principal is None:
            bucket, budget = f"cost:ip:{caller.address}", self.policy.cost_budget_anonymous
        else:
            bucket, budget = f"cost:key:{principal.key_id}", self.policy.cost_budget_key
        return await self.limiter.hit(bucket, budget, cost)

    async def admit_signup(self, caller: Caller) -> RateLimitDecision:
        """Spend one newsletter sign-up of the client address's budget."""
        return await self.limiter.hit(f"signup:{caller.address}", self.policy.signup_limit)
