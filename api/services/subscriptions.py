"""Newsletter sign-up with double opt-in: subscribe, confirm by token, unsubscribe by token.

Subscribing answers the same way whether the address is new, pending, confirmed or
unsubscribed, so the endpoint cannot be used to learn who reads what. The confirmation mail is a
job (`newsletter.confirmation`, api/mail/jobs.py) enqueued in the sign-up's transaction: it
exists exactly when the sign-up commits, and is retried until the mail server takes it. Tokens
are made when the mail is sent and stored only as SHA-256 hashes. Like every service, these
flush and never commit.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from api.models import Newsletter, NewsletterSubscriber, SubscriptionStatus
from api.outbox import enqueue
from api.services import audit
from api.services.outcome import Outcome
from api.services.validation import NOT_FOUND, FieldError, Problems

# A confirmation link works for a week; after that, subscribing again sends a new one.
CONFIRMATION_VALID_FOR = timedelta(days=7)
# Subscribing again within this time sends no new mail (no mail-bombing an address).
RESEND_AFTER = timedelta(minutes=2)
INVALID_LINK = "This link is invalid or has expired."
CONFIRMATION_MAIL = "newsletter.confirmation"  # the job that mails the link (api/mail/jobs.py)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class SignUp:
    newsletter: Newsletter
    mail_queued: bool  # False: nothing to mail (see `subscribe`)


async def subscribe(
    session: AsyncSession, newsletter_slug: str, email: str, consent: bool
) -> Outcome[SignUp]:
    """Record a pending subscription and queue its confirmation mail (in this transaction).

    An address already confirmed gets no mail and no change; a pending or unsubscribed one
    gets a fresh link (at most every `RESEND_AFTER`). The caller sees the same outcome in
    every case.
    """
    p = Problems()
    if not consent:
        p.add(("consent",), "Subscribing needs the reader's consent.")
    address = p.email(("email",), email)
    newsletter = await session.scalar(select(Newsletter).where(Newsletter.slug == newsletter_slug))
    if newsletter is None:
        p.add(("newsletter",), f"No newsletter with slug {newsletter_slug!r}.", NOT_FOUND)
    if p or newsletter is None or address is None:
        return Outcome.failed(p)

    now = datetime.now(UTC)
    queued = False
    try:
        # A savepoint: a concurrent sign-up for the same address may win the race below.
        async with session.begin_nested():
            subscriber = await session.scalar(
                select(NewsletterSubscriber)
                .where(
                    NewsletterSubscriber.newsletter_id == newsletter.id,
                    NewsletterSubscriber.email == address,
                )
                .with_for_update()
            )
            before = audit.snapshot(subscriber, email=None) if subscriber is not None else None
            if subscriber is None:
                subscriber = NewsletterSubscriber(
                    newsletter_id=newsletter.id,
                    email=address,
                    status=SubscriptionStatus.PENDING,
                    consented_at=now,
                )
                session.add(subscriber)
                queued = True
            elif subscriber.status is not SubscriptionStatus.CONFIRMED and (
                subscriber.status is SubscriptionStatus.UNSUBSCRIBED
                or subscriber.consented_at <= now - RESEND_AFTER
            ):
                # The earlier link stops working; the new mail brings a new one.
                subscriber.confirmation_token_hash = None
                subscriber.status = SubscriptionStatus.PENDING
                subscriber.consented_at = now
                subscriber.confirmed_at = None
                queued = True
            if queued:
                await session.flush()
                await enqueue(
                    session,
                    CONFIRMATION_MAIL,
                    {"subscriber_id": subscriber.id},
                    dedupe_key=f"{CONFIRMATION_MAIL}:{subscriber.id}",
                )
                await audit.record(
                    session,
                    api_key_id=None,
                    action="subscription.request",
                    entity=subscriber,
                    before=before,
                    after=audit.snapshot(subscriber, email=None),  # no personal data in the trail
                )
    except IntegrityError:
        # The other sign-up won: the same answer either way, and no second mail.
        queued = False
    return Outcome(SignUp(newsletter, queued))


async def _change_status(
    session: AsyncSession, token: str, *, confirming: bool
) -> Outcome[NewsletterSubscriber]:
    column = (
        NewsletterSubscriber.confirmation_token_hash
        if confirming
        else NewsletterSubscriber.unsubscribe_token_hash
    )
    subscriber = None
    if 0 < len(token) <= 200:
        subscriber = await session.scalar(
            select(NewsletterSubscriber).where(column == hash_token(token)).with_for_update()
        )
    now = datetime.now(UTC)
    if subscriber is None or (
        confirming
        and (
            subscriber.status is not SubscriptionStatus.PENDING
            or subscriber.consented_at < now - CONFIRMATION_VALID_FOR
        )
    ):
        return Outcome(errors=[FieldError(("token",), INVALID_LINK, NOT_FOUND)])
    if not confirming and subscriber.status is SubscriptionStatus.UNSUBSCRIBED:
        return Outcome(subscriber)  # unsubscribing twice is fine, and changes nothing
    before = audit.snapshot(subscriber, email=None)
    if confirming:
        subscriber.status = SubscriptionStatus.CONFIRMED
        subscriber.confirmed_at = now
        subscriber.confirmation_token_hash = None  # a confirmation link works once
    else:
        subscriber.status = SubscriptionStatus.UNSUBSCRIBED
        subscriber.confirmation_token_hash = None
    await session.flush()
    await audit.record(
        session,
        api_key_id=None,
        action="subscription.confirm" if confirming else "subscription.unsubscribe",
        entity=subscriber,
        before=before,
        after=audit.snapshot(subscriber, email=None),
    )
    return Outcome(subscriber)


async def confirm(session: AsyncSession, token: str) -> Outcome[NewsletterSubscriber]:
    """Confirm the pending subscription whose link carried `token`."""
    return await _change_status(session, token, confirming=True)


async def unsubscribe(session: AsyncSession, token: str) -> Outcome[NewsletterSubscriber]:
    """End the subscription whose unsubscribe link carried `token`."""
    return await _change_status(session, token, confirming=False)
