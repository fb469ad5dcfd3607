"""What a confirmation mail says: the links that confirm a subscription and cancel it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ConfirmationMessage:
    """Double opt-in: the link that confirms a subscription, and the one that cancels it."""

    newsletter_slug: str
    newsletter_name: str
    email: str
    confirmation_token: str
    unsubscribe_token: str
