"""REST for the knowledge base (knowledge:manage): articles, and a search to try retrieval."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, delete, get, patch, post
from litestar.params import Parameter
from litestar.status_codes import HTTP_204_NO_CONTENT

from baton.audit.service import diff, record_audit
from baton.auth.edge import requires
from baton.auth.permissions import Permission
from baton.auth.principal import Principal
from baton.kit.errors import ValidationFailed
from baton.kit.http import errors
from baton.kit.pagination import check_limit
from baton.kit.uow import UnitOfWork
from baton.knowledge import search, service
from baton.knowledge.schemas import (
    ArticleIn,
    ArticleOut,
    ArticlePage,
    ArticlePatch,
    SearchHit,
    SearchResult,
)


def _audited(article: Any) -> dict[str, Any]:
    return {"title": article.title, "body": article.body, "tags": list(article.tags or [])}


class KnowledgeController(Controller):
    path = "/api/v1/knowledge"
    tags = ["knowledge"]
    guards = [requires(Permission.KNOWLEDGE_MANAGE)]

    @get("/articles", responses=errors(403))
    async def list_articles(
        self,
        uow: UnitOfWork,
        tag: str | None = Parameter(default=None, max_length=40),
        limit: int = Parameter(default=50, description="1-200"),
        cursor: str | None = None,
    ) -> ArticlePage:
        items, next_cursor = await service.list_articles(
            uow.session, tag=tag, limit=check_limit(limit), cursor=cursor
        )
        return ArticlePage([ArticleOut.of(a) for a in items], next_cursor)

    @post("/articles", responses=errors(403))
    async def create_article(
        self, uow: UnitOfWork, principal: Principal, data: ArticleIn
    ) -> ArticleOut:
        article = await service.create_article(
            uow.session, title=data.title, body=data.body, tags=data.tags
        )
        record_audit(
            uow,
            principal,
            "knowledge.article_created",
            "article",
            article.id,
            diff({}, _audited(article)),
        )
        return ArticleOut.of(article)

    @get("/articles/{article_id:uuid}", responses=errors(403, 404))
    async def get_article(self, uow: UnitOfWork, article_id: uuid.UUID) -> ArticleOut:
        return ArticleOut.of(await service.get_article(uow.session, article_id))

    @patch("/articles/{article_id:uuid}", responses=errors(403, 404))
    async def update_article(
        self, uow: UnitOfWork, principal: Principal, article_id: uuid.UUID, data: ArticlePatch
    ) -> ArticleOut:
        article = await service.get_article(uow.session, article_id)
        before = _audited(article)
        await service.update_article(
            uow.session, article, title=data.title, body=data.body, tags=data.tags
        )
        changes = diff(before, _audited(article))
        if changes:
            record_audit(
                uow, principal, "knowledge.article_updated", "article", article.id, changes
            )
        return ArticleOut.of(article)

    @delete(
        "/articles/{article_id:uuid}", status_code=HTTP_204_NO_CONTENT, responses=errors(403, 404)
    )
    async def delete_article(
        self, uow: UnitOfWork, principal: Principal, article_id: uuid.UUID
    ) -> None:
        article = await service.get_article(uow.session, article_id)
        before = _audited(article)
        await service.delete_article(uow.session, article)
        record_audit(
            uow, principal, "knowledge.article_deleted", "article", article_id, diff(before, {})
        )

    @get("/search", responses=errors(403))
    async def search_articles(
        self,
        uow: UnitOfWork,
        q: str = Parameter(min_length=1, max_length=1000),
        limit: int = Parameter(default=5, description="1-20"),
    ) -> SearchResult:
        """The passages the AI would retrieve for ``q``, best first, with their confidence."""
        if not 1 <= limit <= 20:
            raise ValidationFailed("limit must be between 1 and 20", code="invalid_limit")
        hits = await search.search(uow.session, uow.runtime.slot(search.IndexCache), q, limit)
        return SearchResult(
            [
                SearchHit(
                    h.passage.article_id,
                    h.passage.title,
                    h.passage.text,
                    round(h.score, 4),
                    round(h.confidence, 4),
                )
                for h in hits
            ]
        )
