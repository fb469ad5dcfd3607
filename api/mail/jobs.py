"""The mail jobs the worker runs (registered in api/background.py):

- `newsletter.confirmation`: the double opt-in mail of one sign-up (enqueued by
  api/services/subscriptions.py in the sign-up's transaction);
- `newsletter.issue`: a published issue fans out to one delivery per confirmed subscriber
  (enqueued by api/services/newsletters.py when the issue is published);
- `newsletter.deliver`: one issue to one subscriber.

A mail server that is down or says "try later" delays mail, never loses it: the job is retried
with backoff (MAIL_RETRY) and a delivery is marked sent only once the server took it. The
unique (issue, subscriber) delivery keeps any re-run from mailing anyone twice; the one gap is
a worker that dies after the server took a message and before it recorded so, after which the
same message (same Message-ID) goes again.
"""

from __future__ import annotations

from email.message import EmailMessage

from api.database import open_session
from api.jobs.kinds import GiveUp, JobContext, JobKind, RetryLater, RetryPolicy
from api.mail.deliveries import (
    DELIVER_ISSUE,
    begin_delivery,
    fan_out_issue,
    finish_delivery,
    prepare_confirmation,
)
from api.mail.issue_content import issue_content
from api.mail.links import SiteLinks
from api.mail.sending import composer_from_settings
from api.mail.transport import MailNotSent, transport_from_settings
from api.secret_box import deployment_secret, derived_key
from api.services.newsletters import ISSUE_MAIL
from api.services.subscriptions import CONFIRMATION_MAIL
from api.settings import Settings
from api.transactions import transaction
from api.visibility import Visibility

# About a day of retries: 30 s, 1 min, 2 min, ... then hourly.
MAIL_RETRY = RetryPolicy(max_attempts=30, base_delay=30.0, max_delay=3600.0)
FAN_OUT_RETRY = RetryPolicy(max_attempts=20, base_delay=5.0, max_delay=600.0)
SEND_TIMEOUT_SECONDS = 60.0


def unsubscribe_key(settings: Settings) -> bytes:
    return derived_key(deployment_secret(settings), "newsletter-unsubscribe")


async def _send(job: JobContext, message: EmailMessage) -> None:
    try:
        await transport_from_settings(job.settings).send(message)
    except MailNotSent as error:
        raise RetryLater(str(error)) from error


async def send_confirmation(job: JobContext) -> None:
    """The `newsletter.confirmation` handler."""
    subscriber_id = int(job.payload["subscriber_id"])
    async with job.session() as session:
        outcome = await transaction(
            session, prepare_confirmation, subscriber_id, unsubscribe_key(job.settings)
        )
    if outcome.value is not None:
        await _send(job, composer_from_settings(job.settings).confirmation(outcome.value))


async def send_issue(job: JobContext) -> None:
    """The `newsletter.issue` handler: one delivery (and job) per confirmed subscriber."""
    async with job.session() as session:
        await transaction(session, fan_out_issue, int(job.payload["issue_id"]))


async def deliver_issue(job: JobContext) -> None:
    """The `newsletter.deliver` handler: one issue to one subscriber, at most once."""
    settings = job.settings
    delivery_id = int(job.payload["delivery_id"])
    async with job.session() as session:
        plan = (
            await transaction(session, begin_delivery, delivery_id, unsubscribe_key(settings))
        ).value
    if plan is None:
        return  # sent already, or the reader left
    # Read as a reader would: stories not (or no longer) visible stay out of the mail.
    database = job.resources.database
    async with open_session(database.read_sessions, Visibility.public()) as session:
        content = await issue_content(
            session, plan.issue_id, SiteLinks(settings.broadsheet_site_url)
        )
    if content is None:
        raise GiveUp(f"issue {plan.issue_id} is not published")
    composer = composer_from_settings(settings)
    message = composer.issue(content, plan.email, plan.unsubscribe_token, plan.key)
    try:
        await transport_from_settings(settings).send(message)
    except MailNotSent as error:
        async with job.session() as session:
            await transaction(session, finish_delivery, delivery_id, str(error))
        raise RetryLater(str(error)) from error
    async with job.session() as session:
        await transaction(session, finish_delivery, delivery_id)


JOBS = [
    JobKind(CONFIRMATION_MAIL, send_confirmation, MAIL_RETRY, timeout=SEND_TIMEOUT_SECONDS),
    JobKind(ISSUE_MAIL, send_issue, FAN_OUT_RETRY),
    JobKind(DELIVER_ISSUE, deliver_issue, MAIL_RETRY, timeout=SEND_TIMEOUT_SECONDS),
]
