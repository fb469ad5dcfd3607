"""The mail jobs' writes: prepare a confirmation, fan an issue out to its subscribers, and keep
each (issue, subscriber) delivery's state. Each is a write for api/transactions.py (it flushes;
`transaction` commits).

Tokens: a confirmation token is random, made when its mail is sent and stored hashed (a retry
makes a new one; the undelivered one never worked). An unsubscribe token is an HMAC of the
subscriber's id under a key derived from the deployment's secret, so every mail (confirmation
and each issue) carries a working link without the token ever being stored; its hash is kept in
`unsubscribe_token_hash`, where the `unsubscribe` mutation looks it up. Rotating
BROADSHEET_SECRET_KEY retires the links in mail already sent once the next mail goes out.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import BigInteger, literal, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from api.mail.messages import ConfirmationMessage
from api.models import Newsletter, NewsletterIssue, NewsletterSubscriber, SubscriptionStatus
from api.models_mail import NewsletterDelivery
from api.outbox import enqueue
from api.services.outcome import Outcome
from api.services.subscriptions import hash_token

DELIVER_ISSUE = "newsletter.deliver"  # one issue to one subscriber (api/mail/jobs.py)
MAX_ERROR_LENGTH = 2000


def unsubscribe_token(key: bytes, subscriber_id: int) -> str:
    """The subscriber's unsubscribe token: the same in every mail, never stored."""
    digest = hmac.new(key, f"unsubscribe:{subscriber_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _keep_unsubscribe_token(subscriber: NewsletterSubscriber, key: bytes) -> str:
    token = unsubscribe_token(key, subscriber.id)
    if subscriber.unsubscribe_token_hash != hash_token(token):
        subscriber.unsubscribe_token_hash = hash_token(token)
    return token


async def _subscriber(session: AsyncSession, subscriber_id: int) -> NewsletterSubscriber | None:
    return await session.scalar(
        select(NewsletterSubscriber)
        .where(NewsletterSubscriber.id == subscriber_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


async def prepare_confirmation(
    session: AsyncSession, subscriber_id: int, key: bytes
) -> Outcome[ConfirmationMessage | None]:
    """Fresh tokens for a pending subscriber's confirmation mail; None when there is nothing to
    send (confirmed, unsubscribed or gone since the sign-up)."""
    subscriber = await _subscriber(session, subscriber_id)
    if subscriber is None or subscriber.status is not SubscriptionStatus.PENDING:
        return Outcome(None)
    newsletter = await session.get_one(Newsletter, subscriber.newsletter_id)
    confirmation = secrets.token_urlsafe(32)
    subscriber.confirmation_token_hash = hash_token(confirmation)
    unsubscribe = _keep_unsubscribe_token(subscriber, key)
    await session.flush()
    return Outcome(
        ConfirmationMessage(
            newsletter_slug=newsletter.slug,
            newsletter_name=newsletter.name,
            email=subscriber.email,
            confirmation_token=confirmation,
            unsubscribe_token=unsubscribe,
        )
    )


async def fan_out_issue(session: AsyncSession, issue_id: int) -> Outcome[int]:
    """A delivery, and its job, for every confirmed subscriber who has none for this issue yet
    (so a re-run adds only the subscribers confirmed since); how many were added."""
    issue = await session.get(NewsletterIssue, issue_id)
    if issue is None or issue.published_at is None:
        return Outcome(0)
    confirmed = select(literal(issue_id, BigInteger), NewsletterSubscriber.id).where(
        NewsletterSubscriber.newsletter_id == issue.newsletter_id,
        NewsletterSubscriber.status == SubscriptionStatus.CONFIRMED,
    )
    statement = (
        insert(NewsletterDelivery)
        .from_select(["issue_id", "subscriber_id"], confirmed)
        .on_conflict_do_nothing(index_elements=["issue_id", "subscriber_id"])
        .returning(NewsletterDelivery.id)
    )
    new_ids = (await session.scalars(statement)).all()
    for delivery_id in new_ids:
        await enqueue(
            session,
            DELIVER_ISSUE,
            {"delivery_id": delivery_id},
            dedupe_key=f"{DELIVER_ISSUE}:{delivery_id}",
        )
    return Outcome(len(new_ids))


@dataclass(frozen=True)
class DeliveryPlan:
    """What sending one delivery needs."""

    delivery_id: int
    issue_id: int
    email: str
    unsubscribe_token: str

    @property
    def key(self) -> str:
        """Stable across attempts: the message's Message-ID is built from it."""
        return f"issue-{self.issue_id}.delivery-{self.delivery_id}"


async def begin_delivery(
    session: AsyncSession, delivery_id: int, key: bytes
) -> Outcome[DeliveryPlan | None]:
    """Count an attempt at a pending delivery; None when it must not be sent (already sent, or
    the subscriber is no longer confirmed: then it is marked skipped)."""
    delivery = await session.scalar(
        select(NewsletterDelivery)
        .where(NewsletterDelivery.id == delivery_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if delivery is None or delivery.state != "pending":
        return Outcome(None)
    subscriber = await _subscriber(session, delivery.subscriber_id)
    if subscriber is None or subscriber.status is not SubscriptionStatus.CONFIRMED:
        delivery.state = "skipped"
        await session.flush()
        return Outcome(None)
    delivery.attempts += 1
    token = _keep_unsubscribe_token(subscriber, key)
    await session.flush()
    return Outcome(DeliveryPlan(delivery.id, delivery.issue_id, subscriber.email, token))


async def finish_delivery(
    session: AsyncSession, delivery_id: int, error: str | None = None
) -> Outcome[bool]:
    """Record the result of an attempt: sent, or the error that delays it."""
    values: dict[str, object] = (
        {"state": "sent", "sent_at": datetime.now(UTC), "last_error": None}
        if error is None
        else {"last_error": error[:MAX_ERROR_LENGTH]}
    )
    result = await session.execute(
        update(NewsletterDelivery)
        .where(NewsletterDelivery.id == delivery_id, NewsletterDelivery.state == "pending")
        .values(**values)
        .returning(NewsletterDelivery.id)
        .execution_options(synchronize_session=False)
    )
    return Outcome(result.scalar_one_or_none() is not None)
