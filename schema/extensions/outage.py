"""Database failures as clients should see them: a clean error, no traceback, no SQL.

- PostgreSQL unreachable (refused, reset, starting up, shutting down, too many connections,
  no pooled connection within DB_POOL_TIMEOUT): `SERVICE_UNAVAILABLE`; the HTTP layer answers
  503 with Retry-After when nothing could be resolved.
- A statement cancelled by `statement_timeout` (DB_STATEMENT_TIMEOUT_MS): `QUERY_TOO_COMPLEX`
  with `limit: "timeout"`, since asking for less is what the client can do about it.

Each such failure is logged once per request as a warning (no traceback): during an outage every
request fails, and a traceback per field would bury the log.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError
from sqlalchemy import exc as sa_exc
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext

from api.errors import ClientError, QueryTooComplex, unavailable

logger = logging.getLogger("broadsheet.errors")

QUERY_CANCELED = "57014"
# connection_exception (08...), admin/crash shutdown, cannot connect now, too many connections.
UNAVAILABLE_STATES = frozenset({"57P01", "57P02", "57P03", "53300"})


def _chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        orig = getattr(current, "orig", None)
        current = (
            orig if isinstance(orig, BaseException) else (current.__cause__ or current.__context__)
        )


def classify(error: BaseException) -> ClientError | None:
    """The client error for a database failure, or None when `error` is not one."""
    for cause in _chain(error):
        sqlstate = getattr(cause, "sqlstate", None)
        if sqlstate == QUERY_CANCELED:
            return QueryTooComplex(
                "The query took too long and was cancelled; ask for less, or retry later.",
                limit="timeout",
            )
        if isinstance(sqlstate, str) and (
            sqlstate.startswith("08") or sqlstate in UNAVAILABLE_STATES
        ):
            return unavailable()
        # Refused, reset, no such socket, connect timeout, no pooled connection in time. The
        # resolvers' only I/O is the database (and mail, for which "retry shortly" is right too).
        if isinstance(cause, sa_exc.TimeoutError | OSError):
            return unavailable()
        if isinstance(cause, sa_exc.DBAPIError) and cause.connection_invalidated:
            return unavailable()
        if type(cause).__name__ in ("ConnectionDoesNotExistError", "InterfaceError") and (
            type(cause).__module__.startswith("asyncpg")
        ):
            return unavailable()
    return None


def _translate(error: GraphQLError) -> GraphQLError:
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        return error
    client_error = classify(original)
    if client_error is None:
        return error
    return GraphQLError(
        client_error.message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions=client_error.extensions,
    )


def is_database_failure(error: GraphQLError) -> bool:
    original = error.original_error
    return (
        original is not None
        and not isinstance(original, GraphQLError)
        and classify(original) is not None
    )


def log_database_failures(
    errors: list[GraphQLError], execution_context: ExecutionContext | None
) -> list[GraphQLError]:
    """Log database failures once (a warning); return the other errors for the usual logging."""
    failures = [e for e in errors if is_database_failure(e)]
    if failures:
        context: Any = execution_context.context if execution_context else None
        original = failures[0].original_error
        logger.warning(
            "request %s: %d field(s) failed, database unavailable or too slow: %s: %s",
            getattr(context, "request_id", None),
            len(failures),
            type(original).__name__,
            str(original).splitlines()[0] if str(original) else "",
        )
    return [e for e in errors if not is_database_failure(e)]


class DatabaseErrors(SchemaExtension):
    """Turns database failures into SERVICE_UNAVAILABLE / QUERY_TOO_COMPLEX before masking.

    List it after MaskInternalErrors: operation hooks exit in reverse order, so this one sees
    the errors first, and what it returns is a client error that masking leaves alone.
    """

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is not None and result.errors:
            result.errors = [_translate(error) for error in result.errors]
