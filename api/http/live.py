"""Subscriptions over WebSocket: the graphql-transport-ws protocol, with Broadsheet's access rules.

Strawberry speaks the protocol; this handler adds what a public API needs around it:

- `connection_init` authenticates: its payload carries the API key (`{"Authorization": "Bearer
  <key>"}`, or `{"X-API-Key": "<key>"}`, or `{"apiKey": "<key>"}`: browsers cannot set headers
  on a WebSocket). A bad, unknown or revoked key, or none where one is required, closes the
  socket with 4403 and the reason; over the caller's request budget, 4429. Opening a connection
  spends one request of the caller's budget (api/access/policy.py).
- Only subscriptions run here (queries and mutations go over HTTP, where caching and purging
  live); anything else is answered with an `error` message for that operation.
- A key (or, anonymous, a client address) holds at most BROADSHEET_LIVE_MAX_SUBSCRIPTIONS open
  subscriptions in this process; one more is refused with a `RATE_LIMITED` error message.
- A malformed message closes that socket with 4400 (as the protocol says), and nothing else.
- Each operation gets a context of its own (its own session and loaders), so the
  subscriptions multiplexed on one socket never share a database session.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping
from contextlib import aclosing, suppress
from typing import Any

from graphql import GraphQLError, OperationType, parse
from graphql.error import GraphQLSyntaxError
from sqlalchemy.exc import SQLAlchemyError
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
    _OperationStreamClosed,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    CompleteMessage,
    ConnectionInitMessage,
    Message,
    SubscribeMessage,
)

from api.access.authentication import InvalidCredentials
from api.access.policy import Caller
from api.errors import ErrorCode
from schema.analysis import select_operation
from schema.context import Context

logger = logging.getLogger(__name__)

# graphql-transport-ws close codes (4400 malformed, 4403 forbidden, 4429 too many requests).
CLOSE_MALFORMED = 4400
CLOSE_FORBIDDEN = 4403
CLOSE_TOO_MANY = 4429
CLOSE_TRY_AGAIN_LATER = 1013  # RFC 6455: the database could not check the key


class SubscriptionSlots:
    """Open subscriptions per caller, in this process; at most `limit` each."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._open: Counter[str] = Counter()

    @property
    def total(self) -> int:
        return sum(self._open.values())

    def acquire(self, holder: str) -> bool:
        if self._open[holder] >= self.limit:
            return False
        self._open[holder] += 1
        return True

    def release(self, holder: str) -> None:
        self._open[holder] -= 1
        if self._open[holder] <= 0:
            del self._open[holder]


def credentials_in(payload: Mapping[str, Any]) -> dict[str, str]:
    """The connection_init payload as the headers authentication reads (names in any case)."""
    headers: dict[str, str] = {}
    for name, value in payload.items():
        if not isinstance(value, str):
            continue
        lowered = name.lower()
        if lowered in ("authorization", "x-api-key"):
            headers[lowered] = value
        elif lowered == "apikey":
            headers["x-api-key"] = value
    return headers


def _well_formed(message: object) -> bool:
    """The shape graphql-transport-ws promises, checked before Strawberry reads it."""
    if not isinstance(message, dict) or not isinstance(message.get("type"), str):
        return False
    if message["type"] == "subscribe":
        payload = message.get("payload")
        return (
            isinstance(message.get("id"), str)
            and isinstance(payload, dict)
            and isinstance(payload.get("query"), str)
            and isinstance(payload.get("variables") or {}, dict)
            and isinstance(payload.get("operationName") or "", str)
            and isinstance(payload.get("extensions") or {}, dict)
        )
    if message["type"] == "complete":
        return isinstance(message.get("id"), str)
    return True


def _is_subscription(query: str, operation_name: str | None) -> bool | None:
    """Whether the document's operation is a subscription; None if it does not parse."""
    try:
        document = parse(query)
    except GraphQLSyntaxError:
        return None
    operation = select_operation(document, operation_name)
    return operation is None or operation.operation is OperationType.SUBSCRIPTION


class LiveConnection(BaseGraphQLTransportWSHandler[Context, None]):
    """One WebSocket speaking graphql-transport-ws (the endpoint is `self.view`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._holding: dict[str, str] = {}  # operation id -> whose subscription slot it holds

    async def handle_message(self, message: Message) -> None:
        if not _well_formed(message):
            await self.handle_invalid_message("Malformed graphql-transport-ws message")
            return
        await super().handle_message(message)

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        payload = message.get("payload") or {}
        if self.connection_init_received or not isinstance(payload, dict):
            await super().handle_connection_init(message)  # the protocol's own refusals
            return
        view: Any = self.view
        access = view.access
        address = self.context.caller.address
        try:
            principal = await access.authenticate(credentials_in(payload))
        except InvalidCredentials as refused:
            await self._refuse(CLOSE_FORBIDDEN, refused.reason, Caller(None, address))
            return
        except (SQLAlchemyError, OSError, TimeoutError) as error:
            logger.warning("API key lookup failed, database unavailable: %s", error)
            await self.websocket.close(CLOSE_TRY_AGAIN_LATER, "Service unavailable; retry.")
            return
        caller = Caller(principal, address)
        if principal is None and access.policy.require_key:
            await self._refuse(CLOSE_FORBIDDEN, "This API requires a key.", caller)
            return
        decision = await access.admit_request(caller)
        if not decision.allowed:
            await self.websocket.close(
                CLOSE_TOO_MANY, f"Rate limit exceeded: retry in {decision.retry_after_seconds} s."
            )
            return
        self.context.caller = caller
        await super().handle_connection_init(message)

    async def _refuse(self, code: int, reason: str, caller: Caller) -> None:
        # Refused credentials spend the address's budget, so guessing keys is limited here too.
        view: Any = self.view
        await view.access.admit_request(caller)
        await self.websocket.close(code, reason)

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        if not self.connection_acknowledged or message["id"] in self.operations:
            await super().handle_subscribe(message)  # the protocol's own refusals
            return
        payload = message["payload"]
        if _is_subscription(payload["query"], payload.get("operationName")) is False:
            await self._operation_error(
                message["id"],
                "Only subscriptions run over WebSocket; send queries and mutations to /graphql "
                "over HTTP.",
                ErrorCode.BAD_USER_INPUT,
            )
            return
        view: Any = self.view
        slots: SubscriptionSlots = view.subscription_slots
        holder = self.context.caller.identity
        if not slots.acquire(holder):
            await self._operation_error(
                message["id"],
                f"At most {slots.limit} open subscriptions per key; complete one first.",
                ErrorCode.RATE_LIMITED,
            )
            return
        await super().handle_subscribe(message)
        operation_id = message["id"]
        operation = self.operations.get(operation_id)
        if operation is None or operation.task is None:
            slots.release(holder)
            return
        self._holding[operation_id] = holder
        operation.task.add_done_callback(lambda _task: self._release(operation_id))

    def _release(self, operation_id: str) -> None:
        """Give back the operation's slot, once (it ended, or the client completed it)."""
        holder = self._holding.pop(operation_id, None)
        if holder is not None:
            view: Any = self.view
            view.subscription_slots.release(holder)

    async def cleanup_operation(self, operation_id: str) -> None:
        await super().cleanup_operation(operation_id)
        self._release(operation_id)

    async def _operation_error(self, operation_id: str, message: str, code: ErrorCode) -> None:
        error = GraphQLError(message, extensions={"code": code.value})
        await self.send_message({"id": operation_id, "type": "error", "payload": [error.formatted]})

    async def run_operation(self, operation: Operation[Context, None]) -> None:
        """Strawberry's, with a context of the operation's own (own session and loaders)."""
        view: Any = self.view
        context: Context = view.subscription_context(self.context.request, self.context.caller)
        try:
            result_source = await self.schema.stream(
                operation.query,
                variable_values=operation.variables,
                context_value=context,
                root_value=self.root_value,
                operation_name=operation.operation_name,
            )
            async with aclosing(result_source):
                await self._send_result_stream(operation, result_source)
            await operation.send_operation_message(
                CompleteMessage(id=operation.id, type="complete")
            )
        except _OperationStreamClosed:
            return
        except Exception as error:
            await self.handle_task_exception(error)
            with suppress(Exception):
                await operation.send_operation_message({"id": operation.id, "type": "complete"})
            self.operations.pop(operation.id, None)
            raise
        finally:
            await context.db.close()
