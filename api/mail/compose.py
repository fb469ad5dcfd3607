"""What mail looks like: the double opt-in confirmation and a newsletter issue, each as plain
text and e-mail-client-safe HTML (tables, inline styles, no scripts, no external CSS, no
images), with one-click unsubscribe headers (RFC 8058) and a link to the issue's web view.
"""

from __future__ import annotations

import email.policy
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from api.mail.links import SiteLinks
from api.mail.messages import ConfirmationMessage

TEMPLATES = Path(__file__).parent / "templates"
# Headers are never folded into encoded words: List-Unsubscribe must stay a plain <URL>
# (RFC 5322 allows lines of 998 characters).
MAIL_POLICY = email.policy.default.clone(max_line_length=998)
_env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(enabled_extensions=("html",), default=False),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def long_date(day: date | datetime) -> str:
    return f"{day:%B} {day.day}, {day.year}"


_env.filters["long_date"] = long_date


@dataclass(frozen=True)
class IssueStory:
    """One item of an issue as the mail shows it."""

    headline: str
    blurb: str | None
    section: str
    byline: str
    source: str
    published: date
    url: str


@dataclass(frozen=True)
class IssueContent:
    """An issue, ready to be mailed to anyone (the recipient's part comes at sending)."""

    issue_id: int
    newsletter_slug: str
    newsletter_name: str
    newsletter_description: str | None
    day: date
    title: str
    intro: str | None
    stories: tuple[IssueStory, ...]


@dataclass(frozen=True)
class Composer:
    """Builds messages from a sender address and the site's links."""

    sender: str  # "Eastern Briefings <briefings@example.org>"
    links: SiteLinks

    @property
    def domain(self) -> str:
        return parseaddr(self.sender)[1].partition("@")[2] or "localhost"

    def _message(self, to: str, subject: str, unsubscribe_url: str, list_id: str) -> EmailMessage:
        message = EmailMessage(policy=MAIL_POLICY)
        message["From"] = self.sender
        message["To"] = Address(addr_spec=to)
        message["Subject"] = subject
        message["Date"] = format_datetime(datetime.now().astimezone())
        message["List-Id"] = f"<{list_id}.{self.domain}>"
        # RFC 8058: a POST of "List-Unsubscribe=One-Click" to the https URL unsubscribes.
        message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        return message

    def confirmation(self, mail: ConfirmationMessage) -> EmailMessage:
        """The double opt-in mail: a link that confirms (and one that cancels)."""
        unsubscribe = self.links.unsubscribe(mail.unsubscribe_token)
        message = self._message(
            mail.email,
            f"Confirm your subscription to {mail.newsletter_name}",
            unsubscribe,
            mail.newsletter_slug,
        )
        message["Message-ID"] = make_msgid("confirm", self.domain)
        context = {
            "newsletter_name": mail.newsletter_name,
            "confirm_url": self.links.confirm(mail.confirmation_token),
            "unsubscribe_url": unsubscribe,
            "privacy_url": self.links.privacy(),
        }
        _attach(message, "confirmation", context)
        return message

    def issue(
        self, content: IssueContent, to: str, unsubscribe_token: str, delivery_key: str
    ) -> EmailMessage:
        """An issue for one subscriber; `delivery_key` makes its Message-ID stable, so a
        message sent again after a crash is recognisably the same one."""
        unsubscribe = self.links.unsubscribe(unsubscribe_token)
        message = self._message(to, content.title, unsubscribe, content.newsletter_slug)
        message["Message-ID"] = f"<{delivery_key}@{self.domain}>"
        context = {
            "issue": content,
            "web_view_url": self.links.issue(content.newsletter_slug, content.day),
            "unsubscribe_url": unsubscribe,
            "privacy_url": self.links.privacy(),
        }
        _attach(message, "issue", context)
        return message


def _attach(message: EmailMessage, template: str, context: Mapping[str, object]) -> None:
    message.set_content(_env.get_template(f"{template}.txt").render(**context))
    message.add_alternative(_env.get_template(f"{template}.html").render(**context), subtype="html")
