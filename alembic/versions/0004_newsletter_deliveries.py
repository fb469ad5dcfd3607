"""Newsletter deliveries: one row per (issue, subscriber), so no issue is mailed twice.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 15:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "newsletter_deliveries",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("issue_id", sa.BigInteger(), nullable=False),
        sa.Column("subscriber_id", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(length=16), server_default="pending", nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "state IN ('pending', 'sent', 'skipped')",
            name=op.f("ck_newsletter_deliveries_state_known"),
        ),
        sa.ForeignKeyConstraint(
            ["issue_id"],
            ["newsletter_issues.id"],
            name=op.f("fk_newsletter_deliveries_issue_id_newsletter_issues"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["subscriber_id"],
            ["newsletter_subscribers.id"],
            name=op.f("fk_newsletter_deliveries_subscriber_id_newsletter_subscribers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_newsletter_deliveries")),
        sa.UniqueConstraint(
            "issue_id",
            "subscriber_id",
            name=op.f("uq_newsletter_deliveries_issue_id_subscriber_id"),
        ),
    )
    op.create_index(
        "ix_newsletter_deliveries_pending",
        "newsletter_deliveries",
        ["issue_id"],
        postgresql_where=sa.text("state = 'pending'"),
    )
    op.create_index(
        op.f("ix_newsletter_deliveries_subscriber_id"), "newsletter_deliveries", ["subscriber_id"]
    )


def downgrade() -> None:
    op.drop_table("newsletter_deliveries")
