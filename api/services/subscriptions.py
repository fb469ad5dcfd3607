"""Newsletter sign-up with double opt-in: subscribe, confirm by token, unsubscribe by token.

Subscribing answers the same way whether the address is new, pending, confirmed or
unsubscribed, so the endpoint cannot be used to learn who reads what. Tokens are random
(256 bits) and stored only as SHA-256 hashes; they reach the reader by mail, sent only after the
transaction committed. Like every service, these flush and never commit.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from api.mail import ConfirmationMessage
from api.models import Newsletter, NewsletterSubscriber, SubscriptionStatus
from api.services import audit
from api.services.outcome import Outcome
from api.services.validation import NOT_FOUND, FieldError, Problems

# A confirmation link works for a week; after that, subscribing again sends a new one.
CONFIRMATION_VALID_FOR = timedelta(days=7)
# Subscribing again within this time sends no new mail (no mail-bombing an address).
RESEND_AFTER = timedelta(minutes=2)
INVALID_LINK = "This link is invalid or has expired."


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class SignUp:
    newsletter: Newsletter
    confirmation: ConfirmationMessage | None  # None: nothing to mail (see `subscribe`)


@dataclass(frozen=True)
class _Tokens:
    confirmation: str
    unsubscribe: str

    @classmethod
    def issue(cls) -> _Tokens:
        return cls(secrets.token_urlsafe(32), secrets.token_urlsafe(32))

    def apply(self, subscriber: NewsletterSubscriber) -> None:
        subscriber.confirmation_token_hash = hash_token(self.confirmation)
        subscriber.unsubscribe_token_hash = hash_token(self.unsubscribe)


async def subscribe(
    session: AsyncSession, newsletter_slug: str, email: str, consent: bool
) -> Outcome[SignUp]:
    """Record a pending subscription; `SignUp.confirmation` is the mail to send after commit.

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
    tokens: _Tokens | None = None
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
                tokens = _Tokens.issue()
                subscriber = NewsletterSubscriber(
                    newsletter_id=newsletter.id,
                    email=address,
                    status=SubscriptionStatus.PENDING,
                    consented_at=now,
                )
                tokens.apply(subscriber)
                session.add(subscriber)
            elif subscriber.status is not SubscriptionStatus.CONFIRMED and (
                subscriber.status is SubscriptionStatus.UNSUBSCRIBED
                or subscriber.consented_at <= now - RESEND_AFTER
            ):
                tokens = _Tokens.issue()
                tokens.apply(subscriber)
                subscriber.status = SubscriptionStatus.PENDING
                subscriber.consented_at = now
                subscriber.confirmed_at = None
            if tokens is not None:
                await session.flush()
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
        tokens = None
    confirmation = None
    if tokens is not None:
        confirmation = ConfirmationMessage(
            newsletter_slug=newsletter.slug,
            newsletter_name=newsletter.name,
            email=address,
            confirmation_token=tokens.confirmation,
            unsubscribe_token=tokens.unsubscribe,
        )
    return Outcome(SignUp(newsletter, confirmation))


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
