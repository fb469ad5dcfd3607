"""Newsletter sign-up: double opt-in by mailed token, hashed at rest, unsubscribe by token, the
same answer whatever the address's state (no enumeration), and a budget of its own."""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from api.database import Database
from api.models import NewsletterSubscriber, SubscriptionStatus
from api.settings import Settings
from tests.api_clients import app_client, data, error_codes, fingerprint, post
from tests.mail_outbox import MailOutbox

SUBSCRIBE = """
mutation($newsletter: String!, $email: String!, $consent: Boolean!) {
  subscribeToNewsletter(newsletter: $newsletter, email: $email, consent: $consent) {
    accepted message newsletter { slug }
    userErrors { field message code }
  }
}
"""
CONFIRM = """
mutation($token: String!) {
  confirmSubscription(token: $token) {
    confirmed newsletter { slug } userErrors { field message code }
  }
}
"""
UNSUBSCRIBE = """
mutation($token: String!) {
  unsubscribe(token: $token) { unsubscribed newsletter { slug } userErrors { field message code } }
}
"""


@pytest.fixture
def mail_settings(settings: Settings, tmp_path: Path) -> Settings:
    """The test settings with an outbox folder of this test's own."""
    return settings.model_copy(update={"broadsheet_outbox_dir": str(tmp_path / "outbox")})


@pytest.fixture
async def signup(
    mail_settings: Settings, database: Database
) -> AsyncIterator[tuple[httpx.AsyncClient, MailOutbox]]:
    outbox = MailOutbox(mail_settings, database)
    # A roomy sign-up budget: its own test below shows the limit.
    async with app_client(mail_settings, database, broadsheet_rate_limit_signup=100) as (
        client,
        _,
    ):
        yield client, outbox


def address() -> str:
    return f"reader.{uuid.uuid4().hex[:8]}@Example.ORG"


async def subscribe(client: httpx.AsyncClient, email: str, consent: bool = True) -> dict[str, Any]:
    result = await data(
        client, SUBSCRIBE, newsletter="eastern-briefings", email=email, consent=consent
    )
    payload: dict[str, Any] = result["subscribeToNewsletter"]
    return payload


async def subscriber(db_session: AsyncSession, email: str) -> NewsletterSubscriber:
    statement = (
        select(NewsletterSubscriber)
        .where(NewsletterSubscriber.email == email.lower())
        .execution_options(populate_existing=True)
    )
    return (await db_session.scalars(statement)).one()


async def test_double_opt_in_then_unsubscribe(
    signup: tuple[httpx.AsyncClient, MailOutbox], db_session: AsyncSession
) -> None:
    client, outbox = signup
    email = address()
    payload = await subscribe(client, email)
    assert payload["accepted"] is True
    assert payload["userErrors"] == []
    assert payload["newsletter"] == {"slug": "eastern-briefings"}

    assert await outbox.deliver() == 1  # the confirmation job, committed with the sign-up
    (message,) = outbox.outbox
    assert message.email == email.lower()
    assert message.subject == "Confirm your subscription to Eastern Briefings"
    assert message.confirmation_token is not None
    assert message.unsubscribe_token is not None
    row = await subscriber(db_session, email)
    assert row.status is SubscriptionStatus.PENDING
    # Tokens are stored hashed; the plaintext exists only in the mail.
    assert (
        row.confirmation_token_hash
        == hashlib.sha256(message.confirmation_token.encode()).hexdigest()
    )
    stored = (
        await db_session.execute(
            text("SELECT t::text FROM newsletter_subscribers AS t WHERE id = :id"), {"id": row.id}
        )
    ).scalar_one()
    assert message.confirmation_token not in stored
    assert message.unsubscribe_token not in stored

    confirmed = (await data(client, CONFIRM, token=message.confirmation_token))[
        "confirmSubscription"
    ]
    assert confirmed == {
        "confirmed": True,
        "newsletter": {"slug": "eastern-briefings"},
        "userErrors": [],
    }
    row = await subscriber(db_session, email)
    assert row.status is SubscriptionStatus.CONFIRMED
    assert row.confirmed_at is not None

    reused = (await data(client, CONFIRM, token=message.confirmation_token))["confirmSubscription"]
    assert reused["confirmed"] is False
    assert [e["code"] for e in reused["userErrors"]] == ["NOT_FOUND"]

    left = (await data(client, UNSUBSCRIBE, token=message.unsubscribe_token))["unsubscribe"]
    assert left == {
        "unsubscribed": True,
        "newsletter": {"slug": "eastern-briefings"},
        "userErrors": [],
    }
    assert (await subscriber(db_session, email)).status is SubscriptionStatus.UNSUBSCRIBED
    twice = (await data(client, UNSUBSCRIBE, token=message.unsubscribe_token))["unsubscribe"]
    assert twice["unsubscribed"] is True

    bogus = (await data(client, UNSUBSCRIBE, token="not-a-token"))["unsubscribe"]
    assert bogus["unsubscribed"] is False
    assert [e["code"] for e in bogus["userErrors"]] == ["NOT_FOUND"]


async def test_the_answer_never_reveals_whether_an_address_is_subscribed(
    signup: tuple[httpx.AsyncClient, MailOutbox], db_session: AsyncSession
) -> None:
    client, outbox = signup
    confirmed, pending, unsubscribed, fresh = address(), address(), address(), address()
    for email in (confirmed, pending, unsubscribed):
        await subscribe(client, email)
    await outbox.deliver()
    await data(client, CONFIRM, token=outbox.outbox[0].confirmation_token)
    await data(client, CONFIRM, token=outbox.outbox[2].confirmation_token)
    await data(client, UNSUBSCRIBE, token=outbox.outbox[2].unsubscribe_token)

    answers = [
        await subscribe(client, email) for email in (confirmed, pending, unsubscribed, fresh)
    ]
    assert all(answer == answers[-1] for answer in answers), answers
    # Same answer with the address spelled differently.
    assert await subscribe(client, confirmed.upper()) == answers[-1]
    await outbox.deliver()

    # Behind the identical answers: a confirmed reader is left alone, a pending one is not
    # mailed again within minutes, a former reader and a new one get a fresh link.
    mailed_again = [message.email for message in outbox.outbox[3:]]
    assert mailed_again == [unsubscribed.lower(), fresh.lower()]
    assert (await subscriber(db_session, confirmed)).status is SubscriptionStatus.CONFIRMED
    assert (await subscriber(db_session, unsubscribed)).status is SubscriptionStatus.PENDING


async def test_a_pending_reader_can_ask_for_a_new_link_later(
    signup: tuple[httpx.AsyncClient, MailOutbox], db_session: AsyncSession
) -> None:
    client, outbox = signup
    email = address()
    await subscribe(client, email)
    await outbox.deliver()
    first = outbox.outbox[-1]
    # Pretend the first request was ten minutes ago.
    await db_session.execute(
        update(NewsletterSubscriber)
        .where(NewsletterSubscriber.email == email.lower())
        .values(consented_at=text("consented_at - interval '10 minutes'"))
    )
    await db_session.commit()
    await subscribe(client, email)
    await outbox.deliver()
    second = outbox.outbox[-1]
    assert second.confirmation_token != first.confirmation_token
    stale = (await data(client, CONFIRM, token=first.confirmation_token))["confirmSubscription"]
    assert stale["confirmed"] is False
    fresh = (await data(client, CONFIRM, token=second.confirmation_token))["confirmSubscription"]
    assert fresh["confirmed"] is True


async def test_an_expired_link_does_not_confirm(
    signup: tuple[httpx.AsyncClient, MailOutbox], db_session: AsyncSession
) -> None:
    client, outbox = signup
    email = address()
    await subscribe(client, email)
    await outbox.deliver()
    await db_session.execute(
        update(NewsletterSubscriber)
        .where(NewsletterSubscriber.email == email.lower())
        .values(consented_at=text("consented_at - interval '8 days'"))
    )
    await db_session.commit()
    expired = (await data(client, CONFIRM, token=outbox.outbox[-1].confirmation_token))[
        "confirmSubscription"
    ]
    assert expired["confirmed"] is False
    assert (await subscriber(db_session, email)).status is SubscriptionStatus.PENDING


@pytest.mark.parametrize(
    ("newsletter", "email", "consent", "field", "code"),
    [
        ("eastern-briefings", "reader@example.org", False, "consent", "BAD_USER_INPUT"),
        ("eastern-briefings", "not-an-address", True, "email", "BAD_USER_INPUT"),
        ("eastern-briefings", "a b@example.org", True, "email", "BAD_USER_INPUT"),
        ("eastern-briefings", "reader@localhost", True, "email", "BAD_USER_INPUT"),
        ("eastern-briefings", "x" * 250 + "@example.org", True, "email", "BAD_USER_INPUT"),
        ("no-such-letter", "reader@example.org", True, "newsletter", "NOT_FOUND"),
    ],
)
async def test_bad_sign_ups_are_refused_and_change_nothing(
    signup: tuple[httpx.AsyncClient, MailOutbox],
    db_session: AsyncSession,
    newsletter: str,
    email: str,
    consent: bool,
    field: str,
    code: str,
) -> None:
    client, outbox = signup
    before = await fingerprint(db_session)
    result = await data(client, SUBSCRIBE, newsletter=newsletter, email=email, consent=consent)
    payload = result["subscribeToNewsletter"]
    assert payload["accepted"] is False
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [([field], code)]
    assert await outbox.deliver() == 0
    assert outbox.outbox == []
    assert await fingerprint(db_session) == before


async def test_sign_ups_have_their_own_rate_limit(
    mail_settings: Settings, database: Database
) -> None:
    outbox = MailOutbox(mail_settings, database)
    async with app_client(mail_settings, database, broadsheet_rate_limit_signup=3) as (client, _):
        for _ in range(3):
            assert (await subscribe(client, address()))["accepted"] is True
        refused = await post(
            client, SUBSCRIBE, newsletter="eastern-briefings", email=address(), consent=True
        )
        # Like every other limit: 429, Retry-After, and the wait in the error.
        assert refused.status_code == 429
        assert error_codes(refused.json()) == ["RATE_LIMITED"]
        (error,) = refused.json()["errors"]
        retry = error["extensions"]["retryAfter"]
        assert 1 <= retry <= 20
        assert refused.headers["Retry-After"] == str(retry)
        assert f"retry in {retry} s" in error["message"]
        await outbox.deliver()
        assert len(outbox.outbox) == 3
        # Reading is not affected by the sign-up budget.
        assert (await data(client, "{ newsletters { slug } }"))["newsletters"]


async def test_a_sign_up_commits_its_mail_and_logs_no_address_or_token(
    signup: tuple[httpx.AsyncClient, MailOutbox],
    db_session: AsyncSession,
    caplog: pytest.LogCaptureFixture,
) -> None:
    client, outbox = signup
    email = address()
    with caplog.at_level(logging.DEBUG):
        assert (await subscribe(client, email))["accepted"] is True
        jobs = (
            await db_session.execute(
                text("SELECT kind, payload::text FROM jobs WHERE state = 'pending'")
            )
        ).all()
        assert [kind for kind, _ in jobs] == ["newsletter.confirmation"]
        assert email.lower() not in jobs[0][1]  # the job names the subscriber, not the address
        await outbox.deliver()
    mail = outbox.last_to(email)
    assert mail is not None
    assert mail.confirmation_token is not None
    assert email.lower() not in caplog.text.lower()
    assert mail.confirmation_token not in caplog.text
