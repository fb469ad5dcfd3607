"""Errors as clients see them: expected ones keep their code, unexpected ones are masked.

An unexpected exception reaches the client only as `INTERNAL` with the request id (the server
log has the traceback under the same id). Errors raised before execution (syntax, validation,
variable coercion) carry `BAD_USER_INPUT`.
"""

from __future__ import annotations

import logging
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import MaskErrors
from strawberry.types import ExecutionContext

from schema.errors import ClientError, ErrorCode

logger = logging.getLogger("broadsheet.errors")


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


class MaskInternalErrors(MaskErrors):
    def __init__(self) -> None:
        super().__init__(should_mask_error=is_unexpected, error_message="Internal server error.")

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        extensions: dict[str, Any] = {"code": ErrorCode.INTERNAL.value}
        request_id = request_id_of(self.execution_context)
        if request_id:
            extensions["requestId"] = request_id
        return GraphQLError(
            message=self.error_message,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions=extensions,
        )

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        processed = super()._process_errors(errors)
        for error in processed:
            if not (error.extensions or {}).get("code"):
                error.extensions = {
                    **(error.extensions or {}),
                    "code": ErrorCode.BAD_USER_INPUT.value,
                }
        return processed
