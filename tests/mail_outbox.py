"""A mailer for tests: keeps every message, in order, instead of sending it."""

from __future__ import annotations

from api.mail import ConfirmationMessage


class OutboxMailer:
    """Keeps every message, in order."""

    def __init__(self) -> None:
        self.outbox: list[ConfirmationMessage] = []

    async def send_confirmation(self, message: ConfirmationMessage) -> None:
        self.outbox.append(message)

    def last_to(self, email: str) -> ConfirmationMessage | None:
        for message in reversed(self.outbox):
            if message.email == email:
                return message
        return None
