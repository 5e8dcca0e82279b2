"""The rules: what an upload must be to be kept, who may attach which upload to a message,
and when stored files go away. Services flush, never commit."""

from __future__ import annotations

import asyncio
import logging
import re
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal

from sqlalchemy import or_, select, update
from sqlalchemy.sql.elements import ColumnElement

from baton.attachments import sniff
from baton.attachments.models import Attachment
from baton.attachments.receive import Received
from baton.attachments.scan import scan
from baton.attachments.schemas import summary
from baton.attachments.storage import Storage, storage_of
from baton.conversations.models import Conversation, Message
from baton.db.base import utcnow
from baton.kit.errors import (
    Conflict,
    NotFound,
    RateLimited,
    ServiceUnavailable,
    ValidationFailed,
)
from baton.kit.ids import uuid7
from baton.kit.uow import UnitOfWork

log = logging.getLogger(__name__)

MAX_PER_MESSAGE = 10
WINDOW_SECONDS = 60
SWEEP_BATCH = 200
# an object with no row this old was never committed (its process died between storing it
# and committing; a failed commit deletes its own at once): uploads commit within seconds
ORPHAN_MINUTES = 60
ORPHAN_BATCH = 500


class UnsupportedType(ValidationFailed):
    status_code = 415


OwnerKind = Literal["visitor", "user", "api_key"]


@dataclass(frozen=True)
class Owner:
    kind: OwnerKind
    id: uuid.UUID


async def check_rate(uow: UnitOfWork, owner: Owner) -> None:
    settings = uow.runtime.settings
    limit = settings.uploads_per_visitor if owner.kind == "visitor" else settings.uploads_per_agent
    allowed, retry = await uow.runtime.limiter.hit(
        f"attachments:{owner.kind}:{owner.id}", limit, WINDOW_SECONDS
    )
    if not allowed:
        raise RateLimited(f"too many uploads; try again in {retry} s", retry_after=retry)


def summary_of(a: Attachment) -> dict[str, Any]:
    return summary(
        a.id,
        filename=a.filename,
        content_type=a.content_type,
        size=a.size,
        width=a.width,
        height=a.height,
        thumbnail=a.thumbnail_key is not None,
    )


async def store_upload(
    uow: UnitOfWork, owner: Owner, conversation: Conversation, received: Received
) -> Attachment:
    """Keep a received file: its type sniffed from the bytes and on the allow-list, scanned
    when a scanner is configured, images measured and thumbnailed, then stored."""
    content_type = sniff.sniff(received.head, received.text)
    if content_type is None:
        raise UnsupportedType(
            "this kind of file cannot be attached (images, PDF, plain text and office "
            "documents can)",
            code="unsupported_type",
        )
    scan_status = await scan(uow.runtime.settings.scan_command, received.path)
    width = height = None
    thumbnail: bytes | None = None
    if content_type in sniff.IMAGES:
        facts = await asyncio.to_thread(sniff.inspect_image, received.path, content_type)
        if facts is None:
            raise UnsupportedType("the image cannot be read", code="unreadable_image")
        width, height, thumbnail = facts.width, facts.height, facts.thumbnail
    attachment_id = uuid7()
    storage = storage_of(uow.runtime)
    key = f"{attachment_id}"
    thumbnail_key = f"{attachment_id}.thumb.webp" if thumbnail is not None else None

    async def forget_stored() -> None:
        # the row was never committed: nothing may point at these objects, so none stays
        for k in (key, thumbnail_key):
            if k is None:
                continue
            try:
                await storage.delete(k)
            except Exception:
                log.exception("could not delete the uncommitted upload's object %s", k)

    uow.on_rollback(forget_stored)  # before the first byte is stored
    try:
        await storage.put(key, received.path, content_type)
        if thumbnail is not None and thumbnail_key is not None:
            thumb_path = received.path.with_name(received.path.name + ".thumb")
            try:
                await asyncio.to_thread(thumb_path.write_bytes, thumbnail)
                await storage.put(thumbnail_key, thumb_path, "image/webp")
            finally:
                await asyncio.to_thread(thumb_path.unlink, True)
    except Exception as exc:
        log.exception("attachment storage failed")
        raise ServiceUnavailable(
            "the file store is unavailable; try again", code="storage_unavailable"
        ) from exc
    attachment = Attachment(
        id=attachment_id,
        owner_kind=owner.kind,
        owner_id=owner.id,
        conversation_id=conversation.id,
        filename=received.filename,
        content_type=content_type,
        size=received.size,
        sha256=received.sha256,
        width=width,
        height=height,
        storage_key=key,
        thumbnail_key=thumbnail_key,
        scan_status=scan_status,
        created_at=utcnow(),
    )
    uow.session.add(attachment)
    await uow.session.flush()
    return attachment


def parse_ids(raw: Any) -> list[uuid.UUID]:
    if raw is None:
        return []
    if not isinstance(raw, list) or not all(isinstance(i, str) for i in raw):
        raise ValidationFailed("attachment_ids must be a list of ids", code="invalid_attachments")
    if len(raw) > MAX_PER_MESSAGE:
        raise ValidationFailed(
            f"at most {MAX_PER_MESSAGE} attachments per message", code="too_many_attachments"
        )
    ids: list[uuid.UUID] = []
    for item in raw:
        try:
            value = uuid.UUID(item)
        except ValueError as exc:
            raise ValidationFailed(
                "attachment_ids must be attachment ids", code="invalid_attachments"
            ) from exc
        if value not in ids:
            ids.append(value)
    return ids


async def for_message(
    uow: UnitOfWork, owner: Owner, conversation: Conversation, ids: list[uuid.UUID]
) -> list[Attachment]:
    """The uploads a new message may carry: the sender's own, in this conversation, not yet
    on a message. Anything else is refused (someone else's upload is not confirmed to
    exist)."""
    if not ids:
        return []
    rows = list(await uow.session.scalars(select(Attachment).where(Attachment.id.in_(ids))))
    found = {a.id: a for a in rows}
    ordered: list[Attachment] = []
    for attachment_id in ids:
        a = found.get(attachment_id)
        if (
            a is None
            or a.owner_kind != owner.kind
            or a.owner_id != owner.id
            or a.conversation_id != conversation.id
        ):
            raise NotFound(f"no such attachment: {attachment_id}", code="unknown_attachment")
        if a.message_id is not None:
            raise Conflict(
                f"attachment {attachment_id} is already on a message", code="attachment_used"
            )
        ordered.append(a)
    return ordered


def text_with(attachments: list[Attachment], text: Any) -> Any:
    """A message of attachments only reads as their names (previews, the AI, exports)."""
    if attachments and (text is None or (isinstance(text, str) and not text.strip())):
        return ", ".join(a.filename for a in attachments)
    return text


def meta_of(attachments: list[Attachment]) -> dict[str, Any]:
    return {"attachments": [summary_of(a) for a in attachments]} if attachments else {}


async def claim(uow: UnitOfWork, attachments: list[Attachment], message_id: uuid.UUID) -> None:
    """Put the uploads on the stored message, atomically: if another message took one first
    (a race), the whole message is refused."""
    if not attachments:
        return
    ids = [a.id for a in attachments]
    result = await uow.session.execute(
        update(Attachment)
        .where(Attachment.id.in_(ids), Attachment.message_id.is_(None))
        .values(message_id=message_id)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != len(ids):  # type: ignore[attr-defined]
        raise Conflict("an attachment is already on a message", code="attachment_used")
    for a in attachments:
        a.message_id = message_id


async def visible_to_visitor(
    uow: UnitOfWork, attachment: Attachment, conversation_id: uuid.UUID
) -> bool:
    """A visitor sees the uploads of their conversation that are on a public message (and
    their own before they send them)."""
    if attachment.conversation_id != conversation_id:
        return False
    if attachment.message_id is None:
        return attachment.owner_kind == "visitor"
    message = await uow.session.get(Message, attachment.message_id)
    return message is not None and not message.internal


async def delete_stored(storage: Storage, attachment: Attachment) -> None:
    for key in (attachment.storage_key, attachment.thumbnail_key):
        if key:
            await storage.delete(key)


async def sweep(uow: UnitOfWork) -> int:
    """Delete attachments whose conversation (or message) is gone, uploads never attached
    within ``BATON_ATTACHMENT_UNATTACHED_HOURS`` and, with ``BATON_ATTACHMENT_RETENTION_DAYS``,
    everything older. Stored objects first, then the rows; returns how many."""
    settings = uow.runtime.settings
    now = utcnow()
    stale = now - timedelta(hours=settings.attachment_unattached_hours)
    conditions: list[ColumnElement[bool]] = [
        Attachment.conversation_id.is_(None),
        # attached once but the message is gone (SET NULL) counts as unattached too
        Attachment.message_id.is_(None) & (Attachment.created_at < stale),
    ]
    if settings.attachment_retention_days > 0:
        conditions.append(
            Attachment.created_at < now - timedelta(days=settings.attachment_retention_days)
        )
    rows = list(
        await uow.session.scalars(
            select(Attachment)
            .where(or_(*conditions))
            .limit(SWEEP_BATCH)
            .with_for_update(skip_locked=True)
        )
    )
    storage = storage_of(uow.runtime)
    swept: list[Attachment] = []
    for a in rows:
        try:
            await delete_stored(storage, a)
        except Exception:
            log.exception("could not delete stored attachment %s; kept for the next sweep", a.id)
            continue
        swept.append(a)
    await expire_on_messages(uow, swept)
    for a in swept:
        await uow.session.delete(a)
    await uow.session.flush()
    return len(rows)


async def expire_on_messages(uow: UnitOfWork, gone: list[Attachment]) -> None:
    """The messages that carried swept files keep their names, marked ``expired`` (no
    link), so the inbox and the widget say "file expired" instead of a broken link."""
    by_message: dict[uuid.UUID, set[str]] = {}
    for a in gone:
        if a.message_id is not None:
            by_message.setdefault(a.message_id, set()).add(str(a.id))
    if not by_message:
        return
    messages = await uow.session.scalars(select(Message).where(Message.id.in_(by_message)))
    for message in messages:
        ids = by_message[message.id]
        meta = dict(message.meta or {})
        meta["attachments"] = [
            {**s, "expired": True, "thumbnail": False} if str(s.get("id")) in ids else s
            for s in meta.get("attachments") or []
        ]
        message.meta = meta  # a new value: the JSON column sees the change


_OBJECT_KEY = re.compile(
    r"^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(\.thumb\.webp)?(\.part)?$"
)


def _attachment_id(key: str) -> uuid.UUID | None:
    """``{id}``, ``{id}.thumb.webp`` and their ``.part`` files belong to attachment ``id``;
    anything else in the store is not Baton's to delete."""
    found = _OBJECT_KEY.match(key)
    return uuid.UUID(found.group(1)) if found else None


async def sweep_orphans(uow: UnitOfWork) -> int:
    """Delete attachment objects older than ``ORPHAN_MINUTES`` that no row claims (other
    objects sharing the store are left alone); returns how many."""
    storage = storage_of(uow.runtime)
    cutoff = utcnow() - timedelta(minutes=ORPHAN_MINUTES)
    deleted = 0
    batch: list[str] = []

    async def settle(keys: list[str]) -> int:
        ids = {k: _attachment_id(k) for k in keys}
        wanted = {i for i in ids.values() if i is not None}
        known = set(
            await uow.session.scalars(select(Attachment.id).where(Attachment.id.in_(list(wanted))))
            if wanted
            else []
        )
        gone = 0
        for key, attachment_id in ids.items():
            if attachment_id is None or attachment_id in known:
                continue
            try:
                await storage.delete(key)
                gone += 1
            except Exception:
                log.exception("could not delete orphaned object %s", key)
        return gone

    async for key in storage.older_than(cutoff):
        batch.append(key)
        if len(batch) >= ORPHAN_BATCH:
            deleted += await settle(batch)
            batch = []
    if batch:
        deleted += await settle(batch)
    if deleted:
        log.info("orphaned attachment objects deleted", extra={"count": deleted})
    return deleted
