from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

import msgspec

from baton.notifications.models import Notification

Kind = Literal["waiting", "offer", "assigned", "mention", "message", "ticket", "webhook"]
KINDS: tuple[str, ...] = ("waiting", "offer", "assigned", "mention", "message", "ticket", "webhook")


class NotificationOut(msgspec.Struct):
    id: uuid.UUID
    kind: str
    conversation_id: uuid.UUID | None
    ticket_id: uuid.UUID | None
    text: str
    created_at: datetime
    read_at: datetime | None

    @classmethod
    def of(cls, n: Notification) -> NotificationOut:
        return cls(n.id, n.kind, n.conversation_id, n.ticket_id, n.text, n.created_at, n.read_at)


class NotificationPage(msgspec.Struct):
    items: list[NotificationOut]
    next_cursor: str | None


class UnreadCount(msgspec.Struct):
    count: int


class ReadResult(msgspec.Struct):
    read: int  # notifications this call marked read
    unread_count: int


class PreferencesOut(msgspec.Struct):
    sound: bool
    browser: bool
    kinds: list[str]


class PreferencesIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    sound: bool | msgspec.UnsetType = msgspec.UNSET
    browser: bool | msgspec.UnsetType = msgspec.UNSET
    kinds: list[Kind] | msgspec.UnsetType = msgspec.UNSET
