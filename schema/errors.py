"""GraphQL errors a client can act on, each with the contract's `extensions.code`."""

from __future__ import annotations

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
    INTERNAL = "INTERNAL"


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
