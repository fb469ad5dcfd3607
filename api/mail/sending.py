"""The mailer the API runs with: composes each message (compose.py) and hands it to the
configured transport (transport.py: SMTP, or the outbox folder in development)."""

from __future__ import annotations

import logging

from api.mail.compose import Composer
from api.mail.links import SiteLinks
from api.mail.messages import ConfirmationMessage
from api.mail.transport import MailNotSent, MailTransport, transport_from_settings
from api.settings import Settings

logger = logging.getLogger(__name__)


def composer_from_settings(settings: Settings) -> Composer:
    return Composer(settings.broadsheet_mail_from, SiteLinks(settings.broadsheet_site_url))


class TransportMailer:
    """Sends confirmations now; a failure is logged (never the address or the token)."""

    def __init__(self, composer: Composer, transport: MailTransport) -> None:
        self.composer = composer
        self.transport = transport

    async def send_confirmation(self, message: ConfirmationMessage) -> None:
        try:
            await self.transport.send(self.composer.confirmation(message))
        except MailNotSent as error:
            logger.warning("confirmation mail for %s not sent: %s", message.newsletter_slug, error)


def mailer_from_settings(settings: Settings) -> TransportMailer:
    return TransportMailer(composer_from_settings(settings), transport_from_settings(settings))
