"""From an event to deliveries: one per enabled endpoint subscribed to the event's type.

The `webhooks.fan_out` job runs once per event (api/events.py enqueues it with the event);
the deliveries it creates and their `webhooks.deliver` jobs are written in one transaction, so
an endpoint gets each event at most once from here, however often this job is retried.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from api.jobs.kinds import JobContext
from api.models_outbox import Event
from api.models_partners import WebhookDelivery, WebhookEndpoint
from api.services.outcome import Outcome
from api.transactions import transaction
from api.webhooks.endpoints import schedule_delivery

FAN_OUT = "webhooks.fan_out"


async def create_deliveries(session: AsyncSession, event_id: int) -> Outcome[int]:
    """Deliveries of event `event_id` to every endpoint that wants it; how many were new."""
    event = await session.get(Event, event_id)
    if event is None:
        return Outcome(0)
    endpoint_ids = (
        await session.scalars(
            select(WebhookEndpoint.id)
            .where(WebhookEndpoint.enabled, WebhookEndpoint.events.contains([event.type]))
            .order_by(WebhookEndpoint.id)
        )
    ).all()
    created = 0
    for endpoint_id in endpoint_ids:
        delivery_id = (
            await session.execute(
                insert(WebhookDelivery)
                .values(endpoint_id=endpoint_id, event_id=event.id)
                .on_conflict_do_nothing(index_elements=["endpoint_id", "event_id"])
                .returning(WebhookDelivery.id)
            )
        ).scalar_one_or_none()
        if delivery_id is not None:
            await schedule_delivery(session, delivery_id)
            created += 1
    return Outcome(created)


async def fan_out(job: JobContext) -> None:
    """The `webhooks.fan_out` handler."""
    async with job.session() as session:
        await transaction(session, create_deliveries, int(job.payload["event_id"]))
