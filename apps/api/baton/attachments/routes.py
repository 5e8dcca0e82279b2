"""REST for attachments: the streamed upload (widget session or agent bearer), the signed
download, and an agent's fresh link."""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote

from litestar import Request, Response, get, post
from litestar.response import Stream
from litestar.status_codes import HTTP_201_CREATED
from sqlalchemy import select

from baton.attachments import service, urls
from baton.attachments.models import Attachment
from baton.attachments.receive import OVERHEAD_BYTES, receive, too_large
from baton.attachments.schemas import AttachmentOut
from baton.attachments.sniff import INLINE
from baton.attachments.storage import StoredObjectMissing, storage_of
from baton.auth.edge import PUBLIC, bearer_token, requires
from baton.auth.permissions import Permission
from baton.auth.principal import Principal
from baton.auth.service import authenticate
from baton.conversations import policy, queries
from baton.conversations.models import Conversation
from baton.kit.errors import (
    BadRequest,
    DomainError,
    Forbidden,
    NotFound,
    ServiceUnavailable,
    Unauthorized,
)
from baton.kit.http import binary_operation, errors
from baton.kit.uow import UnitOfWork
from baton.runtime import Runtime
from baton.visitors.models import VisitorSession
from baton.visitors.sessions import hash_token, idle_cutoff

log = logging.getLogger(__name__)
SESSION_HEADER = "x-baton-session"


class LinkExpired(DomainError):
    status_code = 410


def attachment_out(a: Attachment) -> AttachmentOut:
    return AttachmentOut.of_summary(service.summary_of(a))


async def _uploader(
    request: Request[Any, Any, Any], uow: UnitOfWork, conversation_id: uuid.UUID | None
) -> tuple[service.Owner, uuid.UUID]:
    """Who uploads into which conversation: a live widget session (its own conversation) or
    a person / API key who may reply in ``conversation_id``."""
    runtime: Runtime = uow.runtime
    session_token = request.headers.get(SESSION_HEADER)
    async with runtime.db.session() as session:  # short: not held while the bytes arrive
        if session_token:
            vs = await session.scalar(
                select(VisitorSession).where(
                    VisitorSession.token_hash == hash_token(session_token.strip()[:200])
                )
            )
            if vs is None or vs.ended_at is not None or vs.last_seen_at <= idle_cutoff(uow):
                raise Unauthorized("the widget session has expired", code="session_expired")
            if conversation_id is not None and conversation_id != vs.conversation_id:
                raise NotFound("no such conversation")
            return service.Owner("visitor", vs.visitor_id), vs.conversation_id
        token = bearer_token(request)
        if token is None:
            raise Unauthorized("a bearer token or the widget's X-Baton-Session is required")
        principal = await authenticate(session, runtime.settings, token)
        await session.commit()
        if principal is None:
            raise Unauthorized("invalid or expired credentials")
        if not principal.has(Permission.CONVERSATIONS_REPLY):
            raise Forbidden(f"missing permission: {Permission.CONVERSATIONS_REPLY.value}")
        if conversation_id is None:
            raise BadRequest("conversation_id is required", code="conversation_required")
        conversation = await queries.get_conversation(session, conversation_id)
        policy.check_read(principal, conversation)
        kind: service.OwnerKind = "user" if principal.kind == "user" else "api_key"
        return service.Owner(kind, principal.id), conversation.id


@post(
    "/api/v1/attachments",
    opt=PUBLIC,
    status_code=HTTP_201_CREATED,
    request_max_body_size=None,  # enforced here, on the file's bytes, as they stream in
    responses=errors(400, 401, 403, 404, 413, 415, 422, 429, 503),
    tags=["attachments"],
)
async def upload_attachment(
    request: Request[Any, Any, Any], uow: UnitOfWork, conversation_id: uuid.UUID | None = None
) -> AttachmentOut:
    """Upload one file (``multipart/form-data``, the file in ``file``), streamed to storage.
    The widget authenticates with ``X-Baton-Session: <session token>`` (its own
    conversation); agents and API keys with their bearer and ``?conversation_id=``. The type
    is sniffed from the bytes; larger than ``BATON_MAX_UPLOAD_MB`` is a 413. Attach it by
    sending its id in a message's ``attachment_ids``."""
    limit = uow.runtime.settings.max_upload_mb * 1024 * 1024
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit + OVERHEAD_BYTES:
        raise too_large(limit)  # before a byte of the body is read
    owner, conversation_id = await _uploader(request, uow, conversation_id)
    await service.check_rate(uow, owner)
    received = await receive(
        request.stream(),
        request.headers.get("content-type", ""),
        uow.runtime.settings.data_dir / "uploads",
        limit,
    )
    try:
        conversation = await uow.session.get(Conversation, conversation_id)
        if conversation is None:
            raise NotFound("no such conversation")
        attachment = await service.store_upload(uow, owner, conversation, received)
    finally:
        received.path.unlink(missing_ok=True)
    return attachment_out(attachment)


@get(
    "/api/v1/attachments/{attachment_id:uuid}",
    guards=[requires(Permission.CONVERSATIONS_READ)],
    responses=errors(403, 404),
    tags=["attachments"],
)
async def get_attachment(
    uow: UnitOfWork, principal: Principal, attachment_id: uuid.UUID
) -> AttachmentOut:
    """An attachment of a conversation the caller may read, with fresh signed links."""
    attachment = await uow.session.get(Attachment, attachment_id)
    if attachment is None or attachment.conversation_id is None:
        raise NotFound("no such attachment")
    conversation = await queries.get_conversation(uow.session, attachment.conversation_id)
    policy.check_read(principal, conversation)
    return attachment_out(attachment)


def _disposition(kind: str, filename: str) -> str:
    ascii_name = filename.encode("ascii", "replace").decode().replace('"', "")
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


@get(
    "/api/v1/attachments/{attachment_id:uuid}/content",
    opt=PUBLIC,
    responses=errors(404, 410, 503),
    tags=["attachments"],
    operation_class=binary_operation("*/*"),  # the file's own (sniffed) type
)
async def download_attachment(
    runtime: Runtime, attachment_id: uuid.UUID, v: str = "file", exp: int = 0, sig: str = ""
) -> Response[Any]:
    """The file (``v=file``) or its thumbnail (``v=thumb``) through a signed link from a
    message or an upload; links expire (``BATON_ATTACHMENT_URL_TTL_SECONDS``). Served with
    the sniffed type, ``Content-Disposition`` and ``X-Content-Type-Options: nosniff``."""
    verdict = urls.check(attachment_id, v, exp, sig[:128])
    if verdict == "expired":
        raise LinkExpired("the link has expired; reload the conversation", code="link_expired")
    if verdict != "ok":  # a forged link confirms nothing
        raise NotFound("no such attachment")
    async with runtime.db.session() as session:
        attachment = await session.get(Attachment, attachment_id)
    if attachment is None or attachment.conversation_id is None:
        raise NotFound("no such attachment")
    if v == "thumb":
        if attachment.thumbnail_key is None:
            raise NotFound("this attachment has no thumbnail")
        key, content_type, inline = attachment.thumbnail_key, "image/webp", True
    else:
        key, content_type = attachment.storage_key, attachment.content_type
        inline = content_type in INLINE
    chunks = storage_of(runtime).read(key)
    try:
        first = await anext(chunks)
    except (StoredObjectMissing, StopAsyncIteration) as exc:
        raise NotFound("the file is no longer stored", code="file_gone") from exc
    except Exception as exc:
        log.exception("attachment storage read failed")
        raise ServiceUnavailable(
            "the file store is unavailable; try again", code="storage_unavailable"
        ) from exc

    async def body() -> AsyncIterator[bytes]:
        yield first
        async for chunk in chunks:
            yield chunk

    filename = attachment.filename if v == "file" else f"{attachment.filename}.thumb.webp"
    headers = {
        "Content-Disposition": _disposition("inline" if inline else "attachment", filename),
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, max-age=300",
        # nothing in a stored file runs as the api's origin; the inbox may frame a PDF
        "Content-Security-Policy": (
            "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; "
            "frame-ancestors 'self'" + ("" if content_type == "application/pdf" else "; sandbox")
        ),
        "X-Frame-Options": "SAMEORIGIN",
    }
    size = attachment.size if v == "file" else None
    if size is not None:
        headers["Content-Length"] = str(size)
    return Stream(body(), media_type=content_type, headers=headers)
