"""The notifications centre: store one row per recipient, tell their open tabs, mark read.

Every change reaches all of the person's sockets through their user room, so reading
everything in one tab clears the badge in every other tab at once.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

import msgspec
from sqlalchemy import func, select, update

from baton.db.base import utcnow
from baton.kit.errors import NotFound
from baton.kit.pagination import keyset, page_cursor
from baton.kit.uow import UnitOfWork
from baton.notifications.models import Notification, NotificationPreference
from baton.notifications.schemas import KINDS, NotificationOut, PreferencesOut
from baton.realtime.rooms import AGENT_NS, user_room

TEXT_MAX = 200
DEFAULT_KINDS = list(KINDS)


async def preferences(uow: UnitOfWork, user_id: uuid.UUID) -> PreferencesOut:
    row = await uow.session.get(NotificationPreference, user_id)
    if row is None:
        return PreferencesOut(sound=True, browser=False, kinds=list(DEFAULT_KINDS))
    return PreferencesOut(sound=row.sound, browser=row.browser, kinds=list(row.kinds))


async def save_preferences(
    uow: UnitOfWork, user_id: uuid.UUID, *, sound: bool, browser: bool, kinds: list[str]
) -> PreferencesOut:
    row = await uow.session.get(NotificationPreference, user_id)
    if row is None:
        row = NotificationPreference(user_id=user_id)
        uow.session.add(row)
    row.sound, row.browser = sound, browser
    row.kinds = [k for k in KINDS if k in set(kinds)]
    await uow.session.flush()
    return PreferencesOut(sound=row.sound, browser=row.browser, kinds=list(row.kinds))


async def _wanting(uow: UnitOfWork, user_ids: list[uuid.UUID], kind: str) -> list[uuid.UUID]:
    """Those who did not turn this kind off (no row = every kind on)."""
    if not user_ids:
        return []
    rows = await uow.session.execute(
        select(NotificationPreference.user_id, NotificationPreference.kinds).where(
            NotificationPreference.user_id.in_(user_ids)
        )
    )
    off = {uid for uid, kinds in rows if kind not in (kinds or [])}
    return [u for u in user_ids if u not in off]


async def notify(
    uow: UnitOfWork,
    user_ids: Iterable[uuid.UUID],
    kind: str,
    text: str,
    *,
    conversation_id: uuid.UUID | None = None,
    ticket_id: uuid.UUID | None = None,
    collapse: bool = False,
) -> list[Notification]:
    """Store one notification per recipient and push each to that person's sockets.

    ``collapse``: while a person has an unread notification of this kind for this
    conversation, a new one updates it (text, time) instead of adding a row, so a visitor
    writing ten lines leaves one unread "message", not ten."""
    unique = list(dict.fromkeys(user_ids))
    recipients = await _wanting(uow, unique, kind)
    now = utcnow()
    clipped = text.strip()[:TEXT_MAX]
    existing: dict[uuid.UUID, Notification] = {}
    if collapse and conversation_id is not None and recipients:
        found = await uow.session.scalars(
            select(Notification).where(
                Notification.user_id.in_(recipients),
                Notification.kind == kind,
                Notification.conversation_id == conversation_id,
                Notification.read_at.is_(None),
            )
        )
        existing = {n.user_id: n for n in found}
    rows = []
    for u in recipients:
        row = existing.get(u)
        if row is None:
            row = Notification(
                user_id=u,
                kind=kind,
                conversation_id=conversation_id,
                ticket_id=ticket_id,
                text=clipped,
                created_at=now,
            )
            uow.session.add(row)
        else:
            row.text, row.created_at = clipped, now
        rows.append(row)
    await uow.session.flush()
    for row in rows:
        uow.publish(
            "new_notification",
            msgspec.to_builtins(NotificationOut.of(row)),
            rooms=user_room(row.user_id),
            namespace=AGENT_NS,
        )
    return rows


async def list_page(
    uow: UnitOfWork, user_id: uuid.UUID, *, unread: bool, limit: int, cursor: str | None
) -> tuple[list[Notification], str | None]:
    stmt = select(Notification).where(Notification.user_id == user_id)
    if unread:
        stmt = stmt.where(Notification.read_at.is_(None))
    rows = list(
        await uow.session.scalars(
            keyset(stmt, [Notification.id], descending=True, cursor=cursor, limit=limit)
        )
    )
    return page_cursor(rows, limit, lambda n: [n.id])


async def unread_count(uow: UnitOfWork, user_id: uuid.UUID) -> int:
    count = await uow.session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
    )
    return int(count or 0)


def _tell_read(
    uow: UnitOfWork, user_id: uuid.UUID, ids: list[uuid.UUID] | None, count: int
) -> None:
    uow.publish(
        "notifications_read",
        {"ids": None if ids is None else [str(i) for i in ids], "unread_count": count},
        rooms=user_room(user_id),
        namespace=AGENT_NS,
    )


async def mark_read(uow: UnitOfWork, user_id: uuid.UUID, notification_id: uuid.UUID) -> int:
    row = await uow.session.get(Notification, notification_id)
    if row is None or row.user_id != user_id:
        raise NotFound("no such notification")
    changed = 0
    if row.read_at is None:
        row.read_at = utcnow()
        changed = 1
        await uow.session.flush()
    count = await unread_count(uow, user_id)
    if changed:
        _tell_read(uow, user_id, [row.id], count)
    return changed


async def mark_all_read(uow: UnitOfWork, user_id: uuid.UUID) -> int:
    result = await uow.session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    changed = int(getattr(result, "rowcount", 0) or 0)
    _tell_read(uow, user_id, None, await unread_count(uow, user_id))
    return changed
