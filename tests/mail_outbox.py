"""Mail in tests: run the queued mail jobs as `broadsheet worker` would (on the test's own
rolled-back connection) and read the messages they wrote to the test's outbox folder."""

from __future__ import annotations

from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from api.caching import NoResponseCache
from api.database import Database
from api.jobs.kinds import Registry, WorkerResources
from api.jobs.worker import Worker
from api.mail import jobs as mail_jobs
from api.settings import Settings
from tests.smtp_server import TOKEN_LINK, text_of


@dataclass(frozen=True)
class Mail:
    """A message from the outbox folder, with the tokens of its links."""

    email: str
    subject: str
    message: EmailMessage
    confirmation_token: str | None
    unsubscribe_token: str | None


def read_mail(path: Path) -> Mail:
    message = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert isinstance(message, EmailMessage)
    tokens = {kind: token for _, kind, token in _links(message)}
    return Mail(
        email=str(message["To"]),
        subject=str(message["Subject"]),
        message=message,
        confirmation_token=tokens.get("confirm"),
        unsubscribe_token=tokens.get("unsubscribe"),
    )


def _links(message: EmailMessage) -> list[tuple[str, str, str]]:
    return [(m[0], m[1], m[2]) for m in TOKEN_LINK.finditer(text_of(message))]


class MailOutbox:
    """The mail jobs' worker, and what it sent (in order)."""

    def __init__(self, settings: Settings, database: Database) -> None:
        assert settings.smtp_url is None
        assert settings.broadsheet_outbox_dir
        self.folder = Path(settings.broadsheet_outbox_dir)
        resources = WorkerResources(database, settings, NoResponseCache())
        self.worker = Worker(resources, Registry(mail_jobs.JOBS), name="tests")
        self.outbox: list[Mail] = []

    async def deliver(self) -> int:
        """Run every due mail job; how many ran."""
        ran = await self.worker.run_until_idle()
        self.outbox = [read_mail(path) for path in sorted(self.folder.glob("*.eml"))]
        return ran

    def last_to(self, email: str) -> Mail | None:
        for mail in reversed(self.outbox):
            if mail.email.lower() == email.lower():
                return mail
        return None
