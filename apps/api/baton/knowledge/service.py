"""Knowledge-base rules: articles with a title, a body and tags. Flushes, never commits.

Every change moves the revision stamp in the same transaction, so search indexes in every
api process rebuild on their next query.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from baton.db.base import utcnow
from baton.db.savepoint import savepoint
from baton.kit.errors import NotFound, ValidationFailed
from baton.kit.ids import uuid7
from baton.kit.pagination import keyset, page_cursor
from baton.knowledge.models import KnowledgeArticle, KnowledgeRevision

MAX_TITLE = 200
MAX_BODY = 50_000
MAX_TAGS = 20
MAX_TAG = 40


def _clean(title: str | None, body: str | None, tags: list[str] | None) -> None:
    if title is not None and not (1 <= len(title.strip()) <= MAX_TITLE):
        raise ValidationFailed(f"title must be 1-{MAX_TITLE} characters", code="invalid_title")
    if body is not None and not (1 <= len(body.strip()) <= MAX_BODY):
        raise ValidationFailed(f"body must be 1-{MAX_BODY} characters", code="invalid_body")
    if tags is not None and (
        len(tags) > MAX_TAGS or any(not t.strip() or len(t) > MAX_TAG for t in tags)
    ):
        raise ValidationFailed(
            f"tags: up to {MAX_TAGS} non-empty tags of at most {MAX_TAG} characters",
            code="invalid_tags",
        )


def _tags(tags: list[str]) -> list[str]:
    return list(dict.fromkeys(t.strip().lower() for t in tags))


async def touch(session: AsyncSession) -> None:
    """Move the revision stamp (insert the row the first time)."""
    values = {"stamp": uuid7(), "changed_at": utcnow()}
    result = await session.execute(
        update(KnowledgeRevision).where(KnowledgeRevision.id == 1).values(**values)
    )
    if result.rowcount:  # type: ignore[attr-defined]
        return
    try:
        async with savepoint(session):
            session.add(KnowledgeRevision(id=1, **values))
            await session.flush()
    except IntegrityError:  # another transaction inserted it first
        await session.execute(
            update(KnowledgeRevision).where(KnowledgeRevision.id == 1).values(**values)
        )


async def get_article(session: AsyncSession, article_id: uuid.UUID) -> KnowledgeArticle:
    article = await session.get(KnowledgeArticle, article_id)
    if article is None:
        raise NotFound("no such article")
    return article


async def list_articles(
    session: AsyncSession, *, tag: str | None, limit: int, cursor: str | None
) -> tuple[list[KnowledgeArticle], str | None]:
    stmt = select(KnowledgeArticle)
    if tag:  # tags are JSON lists: filter in Python, the same on both backends
        wanted = tag.strip().lower()
        pairs = await session.execute(select(KnowledgeArticle.id, KnowledgeArticle.tags))
        stmt = stmt.where(
            KnowledgeArticle.id.in_([i for i, tags in pairs.all() if wanted in (tags or [])])
        )
    stmt = keyset(stmt, [KnowledgeArticle.id], descending=False, cursor=cursor, limit=limit)
    found = list((await session.scalars(stmt)).all())
    return page_cursor(found, limit, lambda a: [a.id])


async def create_article(
    session: AsyncSession, *, title: str, body: str, tags: list[str] | None = None
) -> KnowledgeArticle:
    _clean(title, body, tags)
    article = KnowledgeArticle(title=title.strip(), body=body.strip(), tags=_tags(tags or []))
    session.add(article)
    await session.flush()
    await touch(session)
    return article


async def update_article(
    session: AsyncSession,
    article: KnowledgeArticle,
    *,
    title: str | None = None,
    body: str | None = None,
    tags: list[str] | None = None,
) -> KnowledgeArticle:
    _clean(title, body, tags)
    if title is not None:
        article.title = title.strip()
    if body is not None:
        article.body = body.strip()
    if tags is not None:
        article.tags = _tags(tags)
    article.updated_at = utcnow()
    await session.flush()
    await touch(session)
    return article


async def delete_article(session: AsyncSession, article: KnowledgeArticle) -> None:
    await session.delete(article)
    await session.flush()
    await touch(session)
