"""Errors as clients see them: expected ones keep their code, unexpected ones are masked.

An unexpected exception reaches the client only as `INTERNAL` with the request id (the server
log has the traceback under the same id). Errors raised before execution (syntax, validation,
variable coercion) carry `BAD_USER_INPUT`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext

from api.errors import ClientError, ErrorCode

logger = logging.getLogger("broadsheet.errors")

MASKED_MESSAGE = "Internal server error."


def is_unexpected(error: GraphQLError) -> bool:
    original = error.original_error
    return original is not None and not isinstance(original, (ClientError, GraphQLError))


def request_id_of(execution_context: ExecutionContext | None) -> str | None:
    context = execution_context.context if execution_context else None
    return getattr(context, "request_id", None)


def log_errors(errors: list[GraphQLError], execution_context: ExecutionContext | None) -> None:
    """Tracebacks for unexpected errors only; expected failures are not noise in the log."""
    request_id = request_id_of(execution_context)
    for error in errors:
        if is_unexpected(error):
            original = error.original_error
            assert original is not None
            logger.error(
                "unexpected error in request %s at %s",
                request_id,
                ".".join(str(p) for p in error.path or []),
                exc_info=(type(original), original, original.__traceback__),
            )
        else:
            logger.debug("client error in request %s: %s", request_id, error.message)


class MaskInternalErrors(SchemaExtension):
    """Replaces unexpected errors with `INTERNAL` + request id; gives every error a code."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is not None and result.errors:
            result.errors = [self._mask(error) for error in result.errors]

    def _mask(self, error: GraphQLError) -> GraphQLError:
        if is_unexpected(error):
            extensions: dict[str, Any] = {"code": ErrorCode.INTERNAL.value}
            if request_id := request_id_of(self.execution_context):
                extensions["requestId"] = request_id
            return GraphQLError(
                message=MASKED_MESSAGE,
                nodes=error.nodes,
                source=error.source,
                positions=error.positions,
                path=error.path,
                extensions=extensions,
            )
        if not (error.extensions or {}).get("code"):
            error.extensions = {**(error.extensions or {}), "code": ErrorCode.BAD_USER_INPUT.value}
        return error
