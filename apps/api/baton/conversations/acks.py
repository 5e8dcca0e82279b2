"""The acks of the conversations' socket events, both namespaces (the realtime contract)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

import msgspec

from baton.conversations.schemas import ConversationOut, MessageOut
from baton.realtime.contract import Payload

Status = Literal["bot", "waiting", "agent", "resolved"]


class MessageAck(Payload):
    """A message is stored (``duplicate``: it was already, under this ``client_id``)."""

    id: uuid.UUID
    client_id: str | None
    created_at: datetime
    duplicate: bool


class PastConversation(Payload):
    id: uuid.UUID
    status: Status
    last_message: str | None
    updated_at: datetime


class StartSessionAck(Payload):
    session_token: str
    conversation_id: uuid.UUID
    visitor_id: uuid.UUID
    status: Status
    queue_position: int | None
    waiting_since: datetime | None
    welcome: str  # the workspace's welcome message, its variables filled for this visitor
    resumed: bool
    verified: bool
    past_conversations: list[PastConversation]
    messages: list[MessageOut]


class NewConversationAck(Payload):
    """``new_conversation``: the same visitor in a fresh conversation (and session token)."""

    session_token: str
    conversation_id: uuid.UUID
    previous_conversation_id: uuid.UUID
    visitor_id: uuid.UUID
    status: Status
    queue_position: int | None
    waiting_since: datetime | None
    welcome: str
    resumed: bool
    verified: bool
    messages: list[MessageOut]


class HistoryAck(Payload):
    conversation_id: uuid.UUID
    status: Status
    messages: list[MessageOut]


class HandoffAck(Payload):
    """``request_agent``: queued (``eta_seconds`` when recent pickups give a basis), or
    ``offline`` outside business hours (nobody is queued)."""

    status: Status
    queue_position: int | None
    agents_online: bool
    eta_seconds: int | msgspec.UnsetType = msgspec.UNSET
    offline: bool | msgspec.UnsetType = msgspec.UNSET
    next_open_at: datetime | msgspec.UnsetType | None = msgspec.UNSET


class SyncAck(Payload):
    status: Status
    queue_position: int | None
    messages: list[MessageOut]


class ConversationAck(Payload):
    conversation: ConversationOut


class PresenceAck(Payload):
    presence: Literal["online", "away"]
