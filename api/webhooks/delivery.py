"""Delivering one webhook: sign, send to the checked address, record the attempt.

The `webhooks.deliver` job sends a delivery's event to its endpoint: a JSON body
`{"type", "timestamp", "data"}` signed per Standard Webhooks (api/webhooks/signing.py). The
host is resolved and checked again right before sending, and the request goes to the address
that was checked (api/webhooks/addresses.py). Redirects are never followed (a 3xx is a
failure), each attempt is bounded by BROADSHEET_WEBHOOK_TIMEOUT_SECONDS from the first byte
sent to the last byte read, and only the first 1 KB of the answer is read and kept.

Any 2xx is success. Anything else is retried with exponential backoff and jitter over about a
day (`WEBHOOK_RETRY`), each attempt recorded with its status or error, latency and the answer's
first 1 KB. After BROADSHEET_WEBHOOK_FAILING_AFTER consecutive failures the endpoint is marked
failing (it still gets every event); a success clears it.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import orjson
from sqlalchemy import case, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from api.jobs.kinds import GiveUp, JobContext, RetryLater, RetryPolicy
from api.models_outbox import Event
from api.models_partners import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from api.secret_box import UnreadableSecret
from api.services.outcome import Outcome
from api.transactions import transaction
from api.webhooks.addresses import ForbiddenTarget, checked_target
from api.webhooks.signing import secret_box, signed_headers

USER_AGENT = "Broadsheet-Webhooks/1.0"
EXCERPT_BYTES = 1024
# Ceilings 5 s, 10 s, 20 s, ... doubling up to 6 h: 16 retries spread over about a day.
WEBHOOK_RETRY = RetryPolicy(max_attempts=17, base_delay=5.0, max_delay=6 * 3600.0)


@dataclass(frozen=True)
class AttemptResult:
    status: int | None
    error: str | None
    latency_ms: int
    excerpt: str | None

    @property
    def succeeded(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def message_body(event: Event) -> bytes:
    """The request body: the same bytes for every attempt of one event."""
    return orjson.dumps(
        {"type": event.type, "timestamp": event.occurred_at.isoformat(), "data": event.data},
        option=orjson.OPT_SORT_KEYS,
    )


def message_id(event: Event) -> str:
    return f"msg_{event.uid.hex}"


async def _read_excerpt(response: httpx.Response) -> str:
    collected = b""
    async for chunk in response.aiter_raw():
        collected += chunk
        if len(collected) >= EXCERPT_BYTES:
            break
    return collected[:EXCERPT_BYTES].decode("utf-8", errors="replace")


async def send(
    url: str, headers: dict[str, str], body: bytes, *, limit_seconds: float, allow_private: bool
) -> AttemptResult:
    """POST `body` to `url` once, to an address that passed the guard, within
    `limit_seconds` from resolving to the last byte read; never raises."""
    timeout = limit_seconds
    started = time.perf_counter()

    def result(status: int | None, error: str | None, excerpt: str | None = None) -> AttemptResult:
        elapsed = int((time.perf_counter() - started) * 1000)
        return AttemptResult(status, error[:500] if error else None, elapsed, excerpt)

    try:
        target = await checked_target(url, allow_private=allow_private)
    except ForbiddenTarget as refused:
        return result(None, f"refused: {refused}")
    request_headers = {
        **headers,
        "Host": target.host_header,
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
    }
    extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
    try:
        async with (
            asyncio.timeout(timeout),
            httpx.AsyncClient(
                timeout=httpx.Timeout(timeout), follow_redirects=False, trust_env=False
            ) as client,
        ):
            request = client.build_request(
                "POST", target.pinned_url, content=body, headers=request_headers
            )
            request.extensions.update(extensions)
            response = await client.send(request, stream=True)
            try:
                excerpt = await _read_excerpt(response)
            finally:
                await response.aclose()
    except TimeoutError:
        return result(None, f"timed out after {timeout:g}s")
    except httpx.HTTPError as error:
        return result(None, f"{type(error).__name__}: {error}".rstrip(": "))
    return result(response.status_code, None, excerpt)


async def record_attempt(
    session: AsyncSession,
    delivery_id: int,
    endpoint_id: int,
    outcome: AttemptResult,
    final: bool,
    failing_after: int,
) -> Outcome[bool]:
    """Keep the attempt, and update the delivery's state and the endpoint's health."""
    now = datetime.now(UTC)
    session.add(
        WebhookAttempt(
            delivery_id=delivery_id,
            attempted_at=now,
            status_code=outcome.status,
            error=outcome.error,
            latency_ms=outcome.latency_ms,
            response_excerpt=outcome.excerpt,
        )
    )
    state = "delivered" if outcome.succeeded else ("failed" if final else "pending")
    await session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id)
        .values(
            state=state,
            attempts=WebhookDelivery.attempts + 1,
            last_status=outcome.status,
            last_attempt_at=now,
            delivered_at=now if outcome.succeeded else WebhookDelivery.delivered_at,
        )
    )
    endpoint = WebhookEndpoint
    health: dict[str, Any]
    if outcome.succeeded:
        health = {"consecutive_failures": 0, "failing_since": None, "last_success_at": now}
    else:
        failures = endpoint.consecutive_failures + 1
        health = {
            "consecutive_failures": failures,
            "last_failure_at": now,
            "failing_since": case(
                (endpoint.failing_since.is_(None) & (failures >= failing_after), now),
                else_=endpoint.failing_since,
            ),
        }
    await session.execute(update(endpoint).where(endpoint.id == endpoint_id).values(**health))
    await session.flush()
    return Outcome(outcome.succeeded)


async def _load(
    session: AsyncSession, delivery_id: int
) -> tuple[WebhookDelivery, WebhookEndpoint, Event] | None:
    row = (
        await session.execute(
            select(WebhookDelivery, WebhookEndpoint, Event)
            .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
            .join(Event, Event.id == WebhookDelivery.event_id)
            .where(WebhookDelivery.id == delivery_id)
        )
    ).one_or_none()
    return (row[0], row[1], row[2]) if row is not None else None


async def deliver(job: JobContext) -> None:
    """The `webhooks.deliver` handler: one attempt, recorded; a failure is retried."""
    settings = job.settings
    delivery_id = int(job.payload["delivery_id"])
    async with job.session() as session:
        loaded = await _load(session, delivery_id)
    if loaded is None:
        return  # the endpoint (and its deliveries) was removed
    delivery, endpoint, event = loaded
    if delivery.state == "delivered" or not endpoint.enabled:
        return
    final = job.attempt >= WEBHOOK_RETRY.max_attempts
    try:
        secret = secret_box(settings).open(endpoint.secret_sealed)
    except UnreadableSecret:
        outcome = AttemptResult(None, "the signing secret cannot be read (key changed?)", 0, None)
        await _record(job, delivery_id, endpoint.id, outcome, final=True)
        raise GiveUp("the endpoint's signing secret cannot be read") from None
    body = message_body(event)
    headers = signed_headers(secret, message_id(event), body, datetime.now(UTC))
    outcome = await send(
        endpoint.url,
        headers,
        body,
        limit_seconds=settings.broadsheet_webhook_timeout_seconds,
        allow_private=settings.broadsheet_allow_private_targets,
    )
    await _record(job, delivery_id, endpoint.id, outcome, final=final)
    if not outcome.succeeded:
        reason = outcome.error or f"answered HTTP {outcome.status}"
        raise RetryLater(f"delivery {delivery_id} to endpoint {endpoint.id}: {reason}")


async def _record(
    job: JobContext, delivery_id: int, endpoint_id: int, outcome: AttemptResult, *, final: bool
) -> None:
    async with job.session() as session:
        await transaction(
            session,
            record_attempt,
            delivery_id,
            endpoint_id,
            outcome,
            final,
            job.settings.broadsheet_webhook_failing_after,
        )
