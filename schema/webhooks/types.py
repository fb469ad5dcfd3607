"""Webhook endpoints as admins see them: health, recent deliveries and every attempt. Never
the signing secret (shown once, by `createWebhookEndpoint`)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON

from api.errors import BadUserInput
from api.models_outbox import Event
from api.models_partners import WebhookAttempt as AttemptRow
from api.models_partners import WebhookDelivery as DeliveryRow
from api.models_partners import WebhookEndpoint as EndpointRow
from api.webhooks import history
from api.webhooks.delivery import message_id
from api.webhooks.history import EndpointStatus
from schema.context import Info
from schema.relay import MAX_PAGE_SIZE, pk_of, to_global_id

strawberry.enum(EndpointStatus, name="WebhookEndpointStatus")


@strawberry.enum(description="Where a delivery stands.")
class WebhookDeliveryState(enum.Enum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


@strawberry.type(description="One HTTP attempt of a delivery.")
class WebhookAttempt:
    attempted_at: datetime
    status_code: int | None = strawberry.field(description="Null when no answer came.")
    error: str | None = strawberry.field(description="Why there was no 2xx answer, if so.")
    latency_ms: int
    response_excerpt: str | None = strawberry.field(description="The answer's first 1 KB.")

    @classmethod
    def from_row(cls, row: AttemptRow) -> WebhookAttempt:
        return cls(
            attempted_at=row.attempted_at,
            status_code=row.status_code,
            error=row.error,
            latency_ms=row.latency_ms,
            response_excerpt=row.response_excerpt,
        )


@strawberry.type(description="One event sent (or being sent) to one endpoint.")
class WebhookDelivery:
    id: strawberry.ID
    message_id: str = strawberry.field(description="The `webhook-id` header of every attempt.")
    event_type: str
    occurred_at: datetime
    payload: dict[str, Any] = strawberry.field(graphql_type=JSON, description="The event's `data`.")
    state: str = strawberry.field(description="pending, delivered or failed (gave up).")
    attempts: int
    last_status: int | None
    last_attempt_at: datetime | None
    delivered_at: datetime | None

    @classmethod
    def from_rows(cls, delivery: DeliveryRow, event: Event) -> WebhookDelivery:
        return cls(
            id=to_global_id("WebhookDelivery", delivery.id),
            message_id=message_id(event),
            event_type=event.type,
            occurred_at=event.occurred_at,
            payload=event.data,
            state=delivery.state,
            attempts=delivery.attempts,
            last_status=delivery.last_status,
            last_attempt_at=delivery.last_attempt_at,
            delivered_at=delivery.delivered_at,
        )

    @strawberry.field(description="Every attempt, oldest first.")
    async def attempt_log(self, info: Info) -> list[WebhookAttempt]:
        pk = pk_of(self.id, "WebhookDelivery")
        assert pk is not None
        found = await info.context.db.run(history.attempts_by_delivery, [pk])
        return [WebhookAttempt.from_row(row) for row in found.get(pk, [])]


@strawberry.type(description="A partner's receiver of signed webhooks.")
class WebhookEndpoint:
    id: strawberry.ID
    url: str
    description: str | None
    events: list[str]
    enabled: bool
    status: EndpointStatus
    consecutive_failures: int
    failing_since: datetime | None
    last_success_at: datetime | None
    last_failure_at: datetime | None
    created_at: datetime

    @classmethod
    def from_row(cls, row: EndpointRow) -> WebhookEndpoint:
        return cls(
            id=to_global_id("WebhookEndpoint", row.id),
            url=row.url,
            description=row.description,
            events=list(row.events),
            enabled=row.enabled,
            status=history.endpoint_status(row),
            consecutive_failures=row.consecutive_failures,
            failing_since=row.failing_since,
            last_success_at=row.last_success_at,
            last_failure_at=row.last_failure_at,
            created_at=row.created_at,
        )

    @strawberry.field(description="The newest deliveries first.")
    async def deliveries(
        self, info: Info, first: int | None = 20, state: WebhookDeliveryState | None = None
    ) -> list[WebhookDelivery]:
        size = 20 if first is None else first
        if not 0 <= size <= MAX_PAGE_SIZE:
            raise BadUserInput(f"`first` must be between 0 and {MAX_PAGE_SIZE}; got {size}.")
        pk = pk_of(self.id, "WebhookEndpoint")
        rows = await info.context.db.run(
            history.recent_deliveries, pk, state.value if state else None, size
        )
        return [WebhookDelivery.from_rows(delivery, event) for delivery, event in rows]
