"""Newsletter mail against a real SMTP server (aiosmtpd, started by the tests): a published issue
reaches each confirmed subscriber once, as plain text and e-mail-safe HTML with one-click
unsubscribe and a web-view link; a re-run mails nobody twice; a failing server delays mail but
loses none; the confirmation of a sign-up goes out the same way."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import EmailMessage

import httpx
import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from api.caching import NoResponseCache
from api.database import Database
from api.jobs.kinds import Registry, WorkerResources
from api.jobs.worker import Worker
from api.mail import jobs as mail_jobs
from api.mail.transport import FolderTransport, MailNotSent, SmtpTransport
from api.models import NewsletterSubscriber, SubscriptionStatus
from api.models_mail import NewsletterDelivery
from api.outbox import enqueue
from api.settings import Settings
from tests.api_clients import data, issue_key
from tests.http_support import free_port
from tests.smtp_server import Mailbox, link_token, smtp_server, text_of

SITE = "https://news.example.org"
LEAD = "us-ramps-up-pressure-on-n-korea"
ARTICLE = "query($slug: String!) { article(slug: $slug) { id headline } }"
CREATE_DRAFT = """
mutation($input: ArticleInput!) { createArticle(input: $input) { article { id headline } } }
"""
CREATE_ISSUE = """
mutation($input: NewsletterIssueInput!) {
  createNewsletterIssue(input: $input) { issue { id } userErrors { message } }
}
"""
PUBLISH_ISSUE = """
mutation($id: ID!) { publishNewsletterIssue(id: $id) { issue { id } userErrors { message } } }
"""
UNSUBSCRIBE = "mutation($token: String!) { unsubscribe(token: $token) { unsubscribed } }"


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, int]]:
    with smtp_server() as server:
        yield server


def worker_for(settings: Settings, database: Database, smtp_port: int) -> Worker:
    mail_settings = settings.model_copy(
        update={
            "smtp_url": f"smtp://127.0.0.1:{smtp_port}",
            "broadsheet_site_url": SITE,
            "broadsheet_mail_from": "Eastern Briefings <briefings@news.example.org>",
        }
    )
    # Validated like the environment would be (the URL becomes a secret).
    mail_settings = Settings(**mail_settings.model_dump())
    resources = WorkerResources(database, mail_settings, NoResponseCache())
    return Worker(resources, Registry(mail_jobs.JOBS), name="mail-tests")


async def add_subscriber(db_session: AsyncSession, status: SubscriptionStatus) -> str:
    email = f"reader.{uuid.uuid4().hex[:8]}@example.org"
    newsletter_id = await db_session.scalar(
        text("SELECT id FROM newsletters WHERE slug = 'eastern-briefings'")
    )
    db_session.add(
        NewsletterSubscriber(
            newsletter_id=newsletter_id,
            email=email,
            status=status,
            consented_at=datetime.now(UTC),
            confirmed_at=datetime.now(UTC) if status is SubscriptionStatus.CONFIRMED else None,
        )
    )
    await db_session.commit()
    return email


async def publish_issue(client: httpx.AsyncClient, writer: str) -> tuple[str, str]:
    """A new issue with the lead story and a draft, published; (issue id, draft headline)."""
    lead = (await data(client, ARTICLE, writer, slug=LEAD))["article"]
    draft = (
        await data(
            client,
            CREATE_DRAFT,
            writer,
            input={
                "source": "the-korea-herald",
                "section": "diplomacy",
                "headline": f"Desk draft {uuid.uuid4().hex[:6]} never mailed",
                "body": "<p>Not yet.</p>",
                "language": "en",
                "url": f"https://www.koreaherald.com/draft/{uuid.uuid4().hex[:6]}",
            },
        )
    )["createArticle"]["article"]
    created = (
        await data(
            client,
            CREATE_ISSUE,
            writer,
            input={
                "newsletter": "eastern-briefings",
                "date": "2031-05-04",
                "title": "Eastern Briefings \u2014 4 May 2031",
                "intro": "Pressure on Pyongyang, and more.",
                "items": [{"article": lead["id"]}, {"article": draft["id"]}],
            },
        )
    )["createNewsletterIssue"]
    assert created["userErrors"] == []
    issue_id = created["issue"]["id"]
    published = (await data(client, PUBLISH_ISSUE, writer, id=issue_id))["publishNewsletterIssue"]
    assert published["userErrors"] == []
    return issue_id, draft["headline"]


async def deliveries(db_session: AsyncSession) -> list[NewsletterDelivery]:
    statement = (
        select(NewsletterDelivery)
        .order_by(NewsletterDelivery.id)
        .execution_options(populate_existing=True)
    )
    return list((await db_session.scalars(statement)).all())


async def test_a_published_issue_reaches_each_confirmed_subscriber_once(
    client: httpx.AsyncClient,
    db_session: AsyncSession,
    database: Database,
    settings: Settings,
    smtp: tuple[Mailbox, int],
) -> None:
    mailbox, port = smtp
    readers = [await add_subscriber(db_session, SubscriptionStatus.CONFIRMED) for _ in range(2)]
    pending = await add_subscriber(db_session, SubscriptionStatus.PENDING)
    gone = await add_subscriber(db_session, SubscriptionStatus.UNSUBSCRIBED)
    writer = await issue_key(db_session, "content:write")
    _, draft = await publish_issue(client, writer)

    worker = worker_for(settings, database, port)
    # The fan-out, then one delivery per reader (other kinds, e.g. webhooks, wait for theirs).
    assert await worker.run_until_idle() >= 3
    assert sorted(str(m["To"]) for m in mailbox.messages) == sorted(readers)
    assert mailbox.to(pending) == []
    assert mailbox.to(gone) == []

    message: EmailMessage = mailbox.to(readers[0])[0]
    assert message["Subject"] == "Eastern Briefings \u2014 4 May 2031"
    assert message["From"] == "Eastern Briefings <briefings@news.example.org>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["List-Unsubscribe"].startswith(f"<{SITE}/newsletters/unsubscribe?token=")
    assert message["Message-ID"].endswith("@news.example.org>")
    plain, html = text_of(message), text_of(message, "html")
    web_view = f"{SITE}/newsletters/eastern-briefings/2031-05-04"
    for part in (plain, html):
        assert "US ramps up pressure on N. Korea" in part
        assert f"{SITE}/stories/the-korea-herald/{LEAD}" in part
        assert web_view in part
        assert draft not in part  # readers never see a draft, in mail either
    # E-mail-client-safe HTML: tables and inline styles, nothing a client strips or blocks.
    for forbidden in ("<script", "<style", "<link", "<img", "class="):
        assert forbidden not in html
    assert 'role="presentation"' in html

    # The link in the mail unsubscribes (and no token was stored in the clear).
    _, token = link_token(message, "unsubscribe")
    stored = await db_session.scalar(
        text("SELECT string_agg(t::text, '') FROM newsletter_subscribers t")
    )
    assert token not in (stored or "")
    left = await data(client, UNSUBSCRIBE, token=token)
    assert left["unsubscribe"]["unsubscribed"] is True

    # Sending the issue again (a re-run, a second publish) mails nobody twice.
    sent = await deliveries(db_session)
    assert [(d.state, d.attempts) for d in sent] == [("sent", 1), ("sent", 1)]
    issue_id = sent[0].issue_id
    await enqueue(db_session, "newsletter.issue", {"issue_id": issue_id})
    await db_session.commit()
    await worker.run_until_idle()
    assert len(mailbox.messages) == 2
    assert len(await deliveries(db_session)) == 2


async def test_a_failing_smtp_server_delays_mail_but_loses_none(
    client: httpx.AsyncClient,
    db_session: AsyncSession,
    database: Database,
    settings: Settings,
    smtp: tuple[Mailbox, int],
) -> None:
    mailbox, port = smtp
    readers = [await add_subscriber(db_session, SubscriptionStatus.CONFIRMED) for _ in range(2)]
    writer = await issue_key(db_session, "content:write")
    await publish_issue(client, writer)
    worker = worker_for(settings, database, port)

    mailbox.refusing = True  # 451: try again later
    await worker.run_until_idle()
    assert mailbox.messages == []
    assert mailbox.refused == 2
    waiting = await deliveries(db_session)
    assert [(d.state, d.attempts) for d in waiting] == [("pending", 1), ("pending", 1)]
    assert all("451" in (d.last_error or "") for d in waiting)
    retries = (
        await db_session.execute(
            text("SELECT state, run_at > now() FROM jobs WHERE kind = 'newsletter.deliver'")
        )
    ).all()
    assert retries == [("pending", True), ("pending", True)]  # backing off, not dropped

    mailbox.refusing = False
    await db_session.execute(text("UPDATE jobs SET run_at = now() WHERE state = 'pending'"))
    await db_session.commit()
    await worker.run_until_idle()
    assert sorted(str(m["To"]) for m in mailbox.messages) == sorted(readers)
    assert [(d.state, d.attempts) for d in await deliveries(db_session)] == [
        ("sent", 2),
        ("sent", 2),
    ]


async def test_a_sign_up_confirmation_goes_out_over_smtp(
    client: httpx.AsyncClient,
    db_session: AsyncSession,
    database: Database,
    settings: Settings,
    smtp: tuple[Mailbox, int],
) -> None:
    mailbox, port = smtp
    email = f"reader.{uuid.uuid4().hex[:8]}@example.org"
    mutation = """
    mutation($email: String!) {
      subscribeToNewsletter(newsletter: "eastern-briefings", email: $email, consent: true) {
        accepted
      }
    }
    """
    assert (await data(client, mutation, email=email))["subscribeToNewsletter"]["accepted"]
    mailbox.refusing = True
    worker = worker_for(settings, database, port)
    await worker.run_until_idle()
    assert mailbox.to(email) == []
    mailbox.refusing = False
    await db_session.execute(text("UPDATE jobs SET run_at = now() WHERE state = 'pending'"))
    await db_session.commit()
    await worker.run_until_idle()
    (message,) = mailbox.to(email)
    link, token = link_token(message, "confirm")
    assert link.startswith(f"{SITE}/newsletters/confirm?token=")
    confirm = "mutation($t: String!) { confirmSubscription(token: $t) { confirmed } }"
    assert (await data(client, confirm, t=token))["confirmSubscription"]["confirmed"] is True


async def test_smtp_url_forms_and_an_unreachable_server() -> None:
    plain = SmtpTransport("smtp://user:p%40ss@mail.example.org")
    assert (plain.hostname, plain.port, plain.username, plain.password) == (
        "mail.example.org",
        587,
        "user",
        "p@ss",
    )
    assert plain.start_tls is None  # STARTTLS when offered
    assert SmtpTransport("smtp://mail.example.org:25?starttls=require").start_tls is True
    tls = SmtpTransport("smtps://mail.example.org")
    assert (tls.port, tls.implicit_tls) == (465, True)
    with pytest.raises(ValueError, match="SMTP_URL"):
        SmtpTransport("http://mail.example.org")
    assert "p@ss" not in plain.describe()

    down = SmtpTransport(f"smtp://127.0.0.1:{free_port()}", timeout=2)
    message = EmailMessage()
    message["To"] = "a@example.org"
    message["From"] = "b@example.org"
    message.set_content("hello")
    with pytest.raises(MailNotSent) as refused:
        await down.send(message)
    assert "a@example.org" not in str(refused.value)


async def test_without_smtp_mail_lands_in_the_outbox_folder(
    tmp_path: pytest.TempPathFactory,
) -> None:
    folder = tmp_path / "outbox"  # type: ignore[operator]
    message = EmailMessage()
    message["To"] = "a@example.org"
    message["Message-ID"] = "<one@example.org>"
    message.set_content("hello")
    await FolderTransport(folder).send(message)
    (written,) = folder.glob("*.eml")
    assert written.name.endswith("-one.eml")
    assert b"hello" in written.read_bytes()
