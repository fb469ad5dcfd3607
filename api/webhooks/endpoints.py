"""Managing webhook endpoints (admins): register, change, remove, and replay deliveries.

Like every service these validate, write and flush; the caller commits (api/transactions.py).
A URL is checked against the address guard (api/webhooks/addresses.py) when it is registered
or changed; the signing secret is generated here, returned once and stored sealed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.events import EVENT_TYPES
from api.models_partners import WebhookDelivery, WebhookEndpoint
from api.outbox import enqueue
from api.secret_box import SecretBox
from api.services import audit
from api.services.outcome import Outcome
from api.services.rows import assign, save
from api.services.validation import MISSING, Missing, Path, Problems, checked, input_path
from api.settings import Settings
from api.webhooks.addresses import ForbiddenTarget, checked_target
from api.webhooks.signing import new_secret, secret_box

DELIVER = "webhooks.deliver"
URL_MAX = 2048
DESCRIPTION_MAX = 300
MAX_REPLAY = 10_000


@dataclass(frozen=True)
class WebhookTargets:
    """What registration needs from the deployment: the address policy and the secret box."""

    allow_private: bool
    box: SecretBox

    @classmethod
    def from_settings(cls, settings: Settings) -> WebhookTargets:
        return cls(settings.broadsheet_allow_private_targets, secret_box(settings))


@dataclass(frozen=True)
class EndpointData:
    url: str
    events: Sequence[str]
    description: str | None = None


@dataclass(frozen=True)
class EndpointChanges:
    url: str | Missing | None = MISSING
    events: Sequence[str] | Missing | None = MISSING
    description: str | Missing | None = MISSING
    enabled: bool | Missing | None = MISSING


@dataclass(frozen=True)
class CreatedEndpoint:
    row: WebhookEndpoint
    secret: str  # shown once


async def _check_url(
    p: Problems, path: Path, url: str | None, targets: WebhookTargets
) -> str | None:
    cleaned = p.text(path, url, required=True, max_length=URL_MAX)
    if cleaned is None or (p.errors and p.errors[-1].path == path):
        return None
    try:
        await checked_target(cleaned, allow_private=targets.allow_private)
    except ForbiddenTarget as refused:
        p.add(path, str(refused))
        return None
    return cleaned


def _check_events(p: Problems, path: Path, events: Sequence[str] | None) -> list[str]:
    chosen = [event.strip() for event in events or []]
    unknown = [event for event in chosen if event not in EVENT_TYPES]
    if unknown:
        p.add(path, f"Unknown event(s) {', '.join(unknown)}; known: {', '.join(EVENT_TYPES)}.")
    elif not chosen:
        p.add(path, f"Choose at least one event: {', '.join(EVENT_TYPES)}.")
    return list(dict.fromkeys(chosen))


async def create_endpoint(
    session: AsyncSession, api_key_id: int | None, targets: WebhookTargets, data: EndpointData
) -> Outcome[CreatedEndpoint]:
    """Register an endpoint; its signing secret is in the result, and nowhere else readable."""
    p = Problems()
    url = await _check_url(p, input_path("url"), data.url, targets)
    events = _check_events(p, input_path("events"), data.events)
    description = p.text(input_path("description"), data.description, max_length=DESCRIPTION_MAX)
    if p or url is None:
        return Outcome.failed(p)
    secret = new_secret()
    row = WebhookEndpoint(
        url=url,
        events=events,
        description=description,
        secret_sealed=targets.box.seal(secret),
        created_by_key_id=api_key_id,
    )
    await save(session, row)
    await audit.record(
        session,
        api_key_id=api_key_id,
        action="webhook_endpoint.create",
        entity=row,
        before=None,
        after=audit.snapshot(row),
    )
    return Outcome(CreatedEndpoint(row, secret))


async def locked_endpoint(session: AsyncSession, endpoint_id: int | None) -> WebhookEndpoint | None:
    if endpoint_id is None:
        return None
    return await session.scalar(
        select(WebhookEndpoint)
        .where(WebhookEndpoint.id == endpoint_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


async def update_endpoint(
    session: AsyncSession,
    api_key_id: int | None,
    targets: WebhookTargets,
    endpoint_id: int | None,
    changes: EndpointChanges,
) -> Outcome[WebhookEndpoint]:
    """Change the fields sent. Re-enabling an endpoint clears its failure count."""
    row = await locked_endpoint(session, endpoint_id)
    if row is None:
        return Outcome.not_found(("id",), "webhook endpoint")
    p = Problems()
    url: str | Missing | None = MISSING
    if not isinstance(changes.url, Missing):
        url = await _check_url(p, input_path("url"), changes.url, targets)
    events = (
        MISSING
        if isinstance(changes.events, Missing)
        else _check_events(p, input_path("events"), changes.events)
    )
    description = checked(
        changes.description,
        lambda v: p.text(input_path("description"), v, max_length=DESCRIPTION_MAX),
    )
    if changes.enabled is None:
        p.add(input_path("enabled"), "This field cannot be cleared; send true or false.")
    if p:
        return Outcome.failed(p)
    before = audit.snapshot(row)
    assign(row, url=url, events=events, description=description, enabled=changes.enabled)
    if changes.enabled is True:
        assign(row, consecutive_failures=0, failing_since=None)
    await save(session, row)
    await audit.record(
        session,
        api_key_id=api_key_id,
        action="webhook_endpoint.update",
        entity=row,
        before=before,
        after=audit.snapshot(row),
    )
    return Outcome(row)


async def delete_endpoint(
    session: AsyncSession, api_key_id: int | None, endpoint_id: int | None
) -> Outcome[int]:
    """Remove an endpoint with its delivery history; nothing more is sent to it."""
    row = await locked_endpoint(session, endpoint_id)
    if row is None:
        return Outcome.not_found(("id",), "webhook endpoint")
    await audit.record(
        session,
        api_key_id=api_key_id,
        action="webhook_endpoint.delete",
        entity=row,
        before=audit.snapshot(row),
        after=None,
    )
    await session.delete(row)
    await session.flush()
    return Outcome(row.id)


async def schedule_delivery(session: AsyncSession, delivery_id: int) -> None:
    """Have the worker (re)send a delivery now (once, however often this is asked)."""
    await enqueue(
        session, DELIVER, {"delivery_id": delivery_id}, dedupe_key=f"webhook-delivery:{delivery_id}"
    )


async def replay_delivery(
    session: AsyncSession, api_key_id: int | None, delivery_id: int | None
) -> Outcome[WebhookDelivery]:
    """Send a delivery again (same `webhook-id`, so receivers can tell it is a repeat)."""
    delivery = None
    if delivery_id is not None:
        delivery = await session.scalar(
            select(WebhookDelivery)
            .where(WebhookDelivery.id == delivery_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    if delivery is None:
        return Outcome.not_found(("id",), "webhook delivery")
    delivery.state = "pending"
    await save(session, delivery)
    await schedule_delivery(session, delivery.id)
    await audit.record(
        session,
        api_key_id=api_key_id,
        action="webhook_delivery.replay",
        entity=delivery,
        before=None,
        after=audit.snapshot(delivery),
    )
    return Outcome(delivery)


async def replay_since(
    session: AsyncSession,
    api_key_id: int | None,
    endpoint_id: int | None,
    since: datetime,
    failed_only: bool = True,
) -> Outcome[int]:
    """Send an endpoint's deliveries of events since `since` again (by default the failed ones:
    the recovery after a receiver's outage); how many were scheduled."""
    row = await locked_endpoint(session, endpoint_id)
    if row is None:
        return Outcome.not_found(("id",), "webhook endpoint")
    p = Problems()
    if p.aware(("since",), since) is None:
        return Outcome.failed(p)
    statement = (
        select(WebhookDelivery)
        .where(WebhookDelivery.endpoint_id == row.id, WebhookDelivery.created_at >= since)
        .order_by(WebhookDelivery.id)
        .limit(MAX_REPLAY)
    )
    if failed_only:
        statement = statement.where(WebhookDelivery.state == "failed")
    deliveries = (await session.scalars(statement)).all()
    for delivery in deliveries:
        delivery.state = "pending"
        await schedule_delivery(session, delivery.id)
    await session.flush()
    return Outcome(len(deliveries))
