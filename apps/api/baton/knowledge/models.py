from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from baton.db.base import Base, IdMixin, TimestampMixin, utcnow


class KnowledgeArticle(IdMixin, TimestampMixin, Base):
    __tablename__ = "knowledge_articles"

    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)


class KnowledgeRevision(Base):
    """One row whose random ``stamp`` changes with every article change.

    Each api process caches its search index with the stamp it was built from and rebuilds
    when the stored stamp differs, so every process sees an edit on its next search.
    """

    __tablename__ = "knowledge_revision"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    stamp: Mapped[uuid.UUID] = mapped_column()
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
