"""Visitor presence as domain events: the live-visitors view is kept by deltas."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from baton.kit.events import DomainEvent


@dataclass(frozen=True)
class VisitorSeen(DomainEvent):
    """A visitor is on the site with the widget open (connected, or moved to a new page)."""

    name: ClassVar[str] = "visitors.seen"
    visitor_id: uuid.UUID
    conversation_id: uuid.UUID | None
    visitor_name: str | None
    page_url: str | None
    page_title: str | None
    referrer: str | None
    connected_at: datetime
    joined: bool = False  # the visitor's first socket: agents get visitor_joined
    email: str | None = None
    locale: str | None = None
    timezone: str | None = None
    started_at: datetime | None = None
    pages_viewed: int = 0

    def coalesce_key(self) -> object:
        return ("visitor_seen", self.visitor_id)


@dataclass(frozen=True)
class VisitorLeft(DomainEvent):
    """The visitor's last widget socket closed (or the session ended)."""

    name: ClassVar[str] = "visitors.left"
    visitor_id: uuid.UUID

    def coalesce_key(self) -> object:
        return ("visitor_left", self.visitor_id)


@dataclass(frozen=True)
class ChatInitiated(DomainEvent):
    """An agent started a conversation with a live visitor (``initiate_chat``)."""

    name: ClassVar[str] = "visitors.chat_initiated"
    conversation_id: uuid.UUID
    message: dict[str, Any]
