from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

import msgspec

from baton.knowledge.models import KnowledgeArticle

Title = Annotated[str, msgspec.Meta(max_length=200)]
Body = Annotated[str, msgspec.Meta(max_length=50_000)]
Tag = Annotated[str, msgspec.Meta(max_length=40)]


class ArticleOut(msgspec.Struct):
    id: uuid.UUID
    title: str
    body: str
    tags: list[str]
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, a: KnowledgeArticle) -> ArticleOut:
        return cls(a.id, a.title, a.body, list(a.tags or []), a.created_at, a.updated_at)


class ArticlePage(msgspec.Struct):
    items: list[ArticleOut]
    next_cursor: str | None


class ArticleIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    title: Title
    body: Body
    tags: list[Tag] = msgspec.field(default_factory=list)


class ArticlePatch(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    title: Title | None = None
    body: Body | None = None
    tags: list[Tag] | None = None


class SearchHit(msgspec.Struct):
    article_id: uuid.UUID
    title: str
    text: str
    score: float
    confidence: float


class SearchResult(msgspec.Struct):
    items: list[SearchHit]
