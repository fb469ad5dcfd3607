"""The newsletter's mail bookkeeping: one delivery per (issue, subscriber), ever.

A delivery row is created when an issue is sent out (api/mail/deliveries.py) and is the reason a
re-run mails nobody twice: its unique (issue, subscriber) pair is inserted once, and a delivery
marked `sent` is never sent again.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from api.models import Base

DELIVERY_STATES = ("pending", "sent", "skipped")


class NewsletterDelivery(Base):
    """One issue to one subscriber: pending until sent (or skipped: unsubscribed meanwhile)."""

    __tablename__ = "newsletter_deliveries"
    __table_args__ = (
        UniqueConstraint("issue_id", "subscriber_id"),
        CheckConstraint("state IN ('pending', 'sent', 'skipped')", name="state_known"),
        Index(
            "ix_newsletter_deliveries_pending",
            "issue_id",
            postgresql_where=text("state = 'pending'"),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=False), primary_key=True)
    issue_id: Mapped[int] = mapped_column(ForeignKey("newsletter_issues.id", ondelete="CASCADE"))
    subscriber_id: Mapped[int] = mapped_column(
        ForeignKey("newsletter_subscribers.id", ondelete="CASCADE"), index=True
    )
    state: Mapped[str] = mapped_column(String(16), server_default="pending")
    attempts: Mapped[int] = mapped_column(Integer, server_default="0")
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    sent_at: Mapped[datetime | None] = mapped_column()
