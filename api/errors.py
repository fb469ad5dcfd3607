"""Every error a client can see, with its `extensions.code`: the one place they are defined.

Errors a client caused (or can act on) are `ClientError`s: their message is safe to show, and
they keep their code wherever they are raised (a resolver, a schema extension, the HTTP layer).
Anything else is unexpected and reaches the client only as `INTERNAL` with a request id (see
schema/extensions/masking.py). Requests refused before GraphQL runs carry an HTTP status too
(`RequestError`). Mutations report bad input as `userErrors` whose `code` is one of these.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from graphql import GraphQLError


class ErrorCode(StrEnum):
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    RATE_LIMITED = "RATE_LIMITED"
    BAD_USER_INPUT = "BAD_USER_INPUT"
    NOT_FOUND = "NOT_FOUND"
    QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX"
    SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
    PERSISTED_QUERY_NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"  # Apollo clients look for it
    INTERNAL = "INTERNAL"


# Request errors whose HTTP status does not depend on the response media type.
HTTP_STATUS: Mapping[str, int] = {
    ErrorCode.RATE_LIMITED: 429,
    ErrorCode.SERVICE_UNAVAILABLE: 503,
    ErrorCode.FORBIDDEN: 403,
    ErrorCode.UNAUTHENTICATED: 401,
}

# How long a client should wait when the database is unreachable (Retry-After, seconds).
UNAVAILABLE_RETRY_AFTER_SECONDS = 5


class ClientError(GraphQLError):
    """An expected failure caused by the request; its message is safe to show the client."""

    code: ErrorCode = ErrorCode.BAD_USER_INPUT

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message, extensions={"code": self.code.value, **details})


class BadUserInput(ClientError):
    code = ErrorCode.BAD_USER_INPUT


class NotFound(ClientError):
    code = ErrorCode.NOT_FOUND


class Unauthenticated(ClientError):
    code = ErrorCode.UNAUTHENTICATED


class Forbidden(ClientError):
    code = ErrorCode.FORBIDDEN


class RateLimited(ClientError):
    code = ErrorCode.RATE_LIMITED


class QueryTooComplex(ClientError):
    code = ErrorCode.QUERY_TOO_COMPLEX


class ServiceUnavailable(ClientError):
    code = ErrorCode.SERVICE_UNAVAILABLE


class PersistedQueryNotFound(ClientError):
    """Apollo clients look for this message or code, then resend with the document."""

    code = ErrorCode.PERSISTED_QUERY_NOT_FOUND

    def __init__(self) -> None:
        super().__init__("PersistedQueryNotFound")


def unavailable() -> ServiceUnavailable:
    """The database cannot be reached (or a pooled connection had): retry shortly."""
    return ServiceUnavailable(
        "The service is temporarily unavailable (database unreachable); retry shortly.",
        retryAfter=UNAVAILABLE_RETRY_AFTER_SECONDS,
    )


class RequestError(Exception):
    """A request refused before GraphQL runs: an HTTP status and a GraphQL-shaped error body."""

    def __init__(
        self,
        status: int,
        message: str,
        headers: Mapping[str, str] | None = None,
        code: ErrorCode | None = None,
        **details: Any,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = dict(headers or {})
        # A body too large is a limit like the query limits; the rest is malformed input.
        self.code = code or (
            ErrorCode.QUERY_TOO_COMPLEX if status == 413 else ErrorCode.BAD_USER_INPUT
        )
        self.details = details

    def formatted(self) -> dict[str, Any]:
        return {"message": self.message, "extensions": {"code": self.code.value, **self.details}}
