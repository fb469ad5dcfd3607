"""Outgoing mail: what is sent (messages.py), how it looks (compose.py, templates/), where its
links lead (links.py) and how it leaves (transport.py: SMTP, or a folder in development)."""

from api.mail.messages import ConfirmationMessage, LoggingMailer, Mailer

__all__ = ["ConfirmationMessage", "LoggingMailer", "Mailer"]
