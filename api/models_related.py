"""Stored related-story lists and the stories whose lists are due a refresh.

- `RelatedStory`: for each published story, its best `RELATED_KEPT` related stories with their
  score and rank (1 = best), computed by api/related_lists.py. Readers' `related(first:)`
  reads them in one indexed statement (api/queries/related.py); visibility still applies when
  they are read, so a story taken down or not yet due vanishes from every list at once.
- `RelatedDirty`: stories whose list must be recomputed in full, marked by the write services in
  the same transaction as the change (`merge`: the story itself changed, so it also takes its
  place in its neighbours' lists); every `broadsheet serve` and `broadsheet worker` process
  drains it (api/related_lists.py).

No foreign keys: writing a list must not take locks on article rows an editor holds; a deleted
story's entries go when the refresher reaches the lists that held it, and until then the join
that reads the lists drops them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Double, Index, SmallInteger, false, func
from sqlalchemy.orm import Mapped, mapped_column

from api.models import Base


class RelatedStory(Base):
    """One entry of one story's stored related list."""

    __tablename__ = "related_stories"
    __table_args__ = (
        # Which lists hold a story: the lists to recompute when it changes or goes away.
        Index("ix_related_stories_related_id", "related_id"),
    )

    article_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    rank: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    related_id: Mapped[int] = mapped_column(BigInteger)
    score: Mapped[float] = mapped_column(Double)


class RelatedDirty(Base):
    """A story whose related list must be recomputed (a deleted story's row is simply dropped)."""

    __tablename__ = "related_dirty"

    article_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    marked_at: Mapped[datetime] = mapped_column(server_default=func.now())
    merge: Mapped[bool] = mapped_column(server_default=false())
