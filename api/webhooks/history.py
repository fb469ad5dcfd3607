"""Reading webhook endpoints back: their health, recent deliveries and each attempt."""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.models_outbox import Event
from api.models_partners import WebhookAttempt, WebhookDelivery, WebhookEndpoint

MAX_DELIVERIES = 100


class EndpointStatus(enum.Enum):
    HEALTHY = "healthy"
    FAILING = "failing"  # repeated failures; still receives every event
    DISABLED = "disabled"  # receives nothing


def endpoint_status(endpoint: WebhookEndpoint) -> EndpointStatus:
    if not endpoint.enabled:
        return EndpointStatus.DISABLED
    if endpoint.failing_since is not None:
        return EndpointStatus.FAILING
    return EndpointStatus.HEALTHY


async def all_endpoints(session: AsyncSession) -> list[WebhookEndpoint]:
    statement = select(WebhookEndpoint).order_by(WebhookEndpoint.id)
    return list((await session.scalars(statement)).all())


async def endpoint_by_id(session: AsyncSession, endpoint_id: int) -> WebhookEndpoint | None:
    return await session.get(WebhookEndpoint, endpoint_id)


async def recent_deliveries(
    session: AsyncSession,
    endpoint_id: int | None = None,
    state: str | None = None,
    limit: int = 20,
) -> list[tuple[WebhookDelivery, Event]]:
    """The newest deliveries (of one endpoint, in one state), with their events."""
    statement = (
        select(WebhookDelivery, Event)
        .join(Event, Event.id == WebhookDelivery.event_id)
        .order_by(WebhookDelivery.id.desc())
        .limit(max(0, min(limit, MAX_DELIVERIES)))
    )
    if endpoint_id is not None:
        statement = statement.where(WebhookDelivery.endpoint_id == endpoint_id)
    if state is not None:
        statement = statement.where(WebhookDelivery.state == state)
    return [(delivery, event) for delivery, event in (await session.execute(statement)).all()]


async def attempts_by_delivery(
    session: AsyncSession, delivery_ids: Sequence[int]
) -> dict[int, list[WebhookAttempt]]:
    """Each delivery's attempts, oldest first."""
    statement = (
        select(WebhookAttempt)
        .where(WebhookAttempt.delivery_id.in_(delivery_ids))
        .order_by(WebhookAttempt.delivery_id, WebhookAttempt.id)
    )
    result: dict[int, list[WebhookAttempt]] = defaultdict(list)
    for attempt in (await session.scalars(statement)).all():
        result[attempt.delivery_id].append(attempt)
    return result
