"""Permission classes, declared on fields (`permission_classes=[...]`), never coded in resolvers.

Checked in order, so `[IsAuthenticated, CanWriteContent]` answers an anonymous caller with
UNAUTHENTICATED and a key lacking the scope with FORBIDDEN.
"""

from __future__ import annotations

from typing import Any, ClassVar

from strawberry.permission import BasePermission

from api.errors import Forbidden, RateLimited, Unauthenticated
from api.services.keys import Scope
from schema.context import Info


class IsAuthenticated(BasePermission):
    """The caller presented a valid API key."""

    message = "This needs an API key: send `Authorization: Bearer <key>`."
    error_class = Unauthenticated

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        return info.context.principal is not None


class HasScope(BasePermission):
    """The caller's key holds `scope` (directly or implied: `admin` implies every scope)."""

    scope: ClassVar[Scope]
    error_class = Forbidden

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.message = f"This needs an API key with the `{cls.scope.value}` scope."

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        principal = info.context.principal
        return principal is not None and principal.has(self.scope)


class CanWriteContent(HasScope):
    scope = Scope.CONTENT_WRITE


class IsAdmin(HasScope):
    scope = Scope.ADMIN


WRITERS: list[type[BasePermission]] = [IsAuthenticated, CanWriteContent]
ADMINS: list[type[BasePermission]] = [IsAuthenticated, IsAdmin]


class WithinSignupLimit(BasePermission):
    """Sign-ups send mail, so they have their own tighter per-IP budget (RATE_LIMITED, saying
    when to retry like every other limit; HTTP 429 with Retry-After when nothing else ran)."""

    message = "Too many sign-ups from this client."
    error_class = RateLimited

    async def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        decision = await info.context.access.admit_signup(info.context.caller)
        if not decision.allowed:
            retry = decision.retry_after_seconds
            raise RateLimited(
                f"Too many sign-ups from this client; retry in {retry} s.",
                limit="signup",
                maximum=decision.limit,
                retryAfter=retry,
            )
        return True
