"""Related stories: stored top lists per story, and the stories due a refresh.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 18:00:00

The lists start empty and every published story is marked due: the refreshers every
`broadsheet serve` and `broadsheet worker` process runs fill them (api/related_lists.py), so
the ranking has one home. On a large database, `broadsheet db refresh-related` computes them
all at once instead.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "related_stories",
        sa.Column("article_id", sa.BigInteger(), nullable=False),
        sa.Column("rank", sa.SmallInteger(), nullable=False),
        sa.Column("related_id", sa.BigInteger(), nullable=False),
        sa.Column("score", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("article_id", "rank", name=op.f("pk_related_stories")),
    )
    op.create_index("ix_related_stories_related_id", "related_stories", ["related_id"])
    op.create_table(
        "related_dirty",
        sa.Column("article_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "marked_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("merge", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.PrimaryKeyConstraint("article_id", name=op.f("pk_related_dirty")),
    )
    # Every published story is due its first list.
    op.execute(
        "INSERT INTO related_dirty (article_id) SELECT id FROM articles WHERE status = 'published'"
    )


def downgrade() -> None:
    op.drop_table("related_dirty")
    op.drop_index("ix_related_stories_related_id", table_name="related_stories")
    op.drop_table("related_stories")
