"""Outgoing mail for newsletter sign-up: a small protocol, so any provider can be plugged in.

Broadsheet sends no mail itself. `LoggingMailer` (the default) only logs that a confirmation
link was issued, never the address or the token.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ConfirmationMessage:
    """Double opt-in: the link that confirms a subscription, and the one that cancels it."""

    newsletter_slug: str
    newsletter_name: str
    email: str
    confirmation_token: str
    unsubscribe_token: str


class Mailer(Protocol):
    async def send_confirmation(self, message: ConfirmationMessage) -> None: ...


class LoggingMailer:
    """Logs that a message would be sent; personal data and tokens stay out of the log."""

    async def send_confirmation(self, message: ConfirmationMessage) -> None:
        logger.info(
            "confirmation link for %s issued (no mailer configured)", message.newsletter_slug
        )
