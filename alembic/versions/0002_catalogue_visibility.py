"""Catalogue visibility: tags, authors and sections are seen by readers from `visible_from`.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 15:00:00

Existing sections are site structure, so they are listed; tags and authors become visible from
the first published story that uses them (never, while only drafts do).
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("tags", "authors", "sections")


def upgrade() -> None:
    for table in TABLES:
        op.add_column(
            table,
            sa.Column("listed", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        )
        op.add_column(table, sa.Column("visible_from", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE sections SET listed = true")
    op.execute(
        """
        UPDATE tags SET visible_from = (
            SELECT min(a.published_at) FROM article_tags l JOIN articles a ON a.id = l.article_id
            WHERE l.tag_id = tags.id AND a.status = 'published')
        """
    )
    op.execute(
        """
        UPDATE authors SET visible_from = (
            SELECT min(a.published_at) FROM article_authors l JOIN articles a ON a.id = l.article_id
            WHERE l.author_id = authors.id AND a.status = 'published')
        """
    )
    op.execute("UPDATE sections SET visible_from = '1970-01-01T00:00:00Z'")


def downgrade() -> None:
    for table in TABLES:
        op.drop_column(table, "visible_from")
        op.drop_column(table, "listed")
