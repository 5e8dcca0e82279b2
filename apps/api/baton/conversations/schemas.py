from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

import msgspec

from baton.attachments.schemas import AttachmentOut
from baton.conversations.models import Conversation, Message
from baton.users.models import User
from baton.visitors.models import Visitor

ClientId = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
# Length is checked by the service against BATON_MAX_MESSAGE_CHARS with a clear error; this
# cap only bounds what we parse.
MessageText = Annotated[str, msgspec.Meta(max_length=200_000)]
ShortText = Annotated[str, msgspec.Meta(max_length=2048)]
PRIORITY_NAMES = {0: "normal", 1: "high", 2: "urgent"}  # conversations.priority


class PersonRef(msgspec.Struct):
    id: uuid.UUID
    name: str


class VisitorOut(msgspec.Struct):
    id: uuid.UUID
    name: str | None
    email: str | None
    page_url: str | None
    page_title: str | None
    timezone: str | None
    locale: str | None

    @classmethod
    def of(cls, v: Visitor) -> VisitorOut:
        return cls(v.id, v.name, v.email, v.page_url, v.page_title, v.timezone, v.locale)


class LastMessage(msgspec.Struct):
    text: str
    sender: str
    created_at: datetime


class ConversationOut(msgspec.Struct):
    id: uuid.UUID
    status: str
    visitor: VisitorOut
    assignee: PersonRef | None
    last_message: LastMessage | None
    queue_position: int | None
    waiting_since: datetime | None
    handoff_reason: str | None
    follow_up_email: str | None
    created_at: datetime
    updated_at: datetime
    resolved_at: datetime | None
    channel: str = "widget"
    # while waiting: normal | high | urgent, raised from the visitor's sentiment, and why
    # (visitor_frustrated); the queue is served by priority, then by waiting time
    priority: str = "normal"
    priority_reason: str | None = None


class AuthorRef(msgspec.Struct):
    id: uuid.UUID | None  # None for an integrator's API key
    name: str


class MessageOut(msgspec.Struct):
    id: uuid.UUID
    conversation_id: uuid.UUID
    sender: str
    text: str
    internal: bool
    client_id: str | None
    author: AuthorRef | None
    suggestions: list[str]
    created_at: datetime
    meta: dict[str, Any] = msgspec.field(default_factory=dict)
    # visitor messages: -1 (angry) .. 1 (happy), scored when the message came in (copilot)
    sentiment: float | None = None
    # files on the message, with short-lived signed links (docs/attachments.md)
    attachments: list[AttachmentOut] = msgspec.field(default_factory=list)

    @classmethod
    def of(cls, m: Message) -> MessageOut:
        author = (
            AuthorRef(m.author_id, m.author_name or "")
            if m.author_id is not None or m.author_name
            else None
        )
        return cls(
            m.id,
            m.conversation_id,
            m.sender,
            m.text,
            m.internal,
            m.client_id,
            author,
            list(m.suggestions or []),
            m.created_at,
            {k: v for k, v in (m.meta or {}).items() if k != "attachments"},
            (m.meta or {}).get("sentiment") if m.sender == "visitor" else None,
            [AttachmentOut.of_summary(s) for s in (m.meta or {}).get("attachments") or []],
        )


def conversation_out(
    c: Conversation, visitor: Visitor, assignee: User | None, queue_position: int | None
) -> ConversationOut:
    last = (
        LastMessage(c.last_message_text or "", c.last_message_sender or "", c.last_message_at)
        if c.last_message_at is not None
        else None
    )
    return ConversationOut(
        id=c.id,
        status=c.status,
        visitor=VisitorOut.of(visitor),
        assignee=PersonRef(assignee.id, assignee.name) if assignee is not None else None,
        last_message=last,
        queue_position=queue_position,
        waiting_since=c.waiting_since,
        handoff_reason=c.handoff_reason,
        follow_up_email=c.follow_up_email,
        created_at=c.created_at,
        updated_at=c.updated_at,
        resolved_at=c.resolved_at,
        channel=c.channel or "widget",
        priority=PRIORITY_NAMES.get(c.priority or 0, "normal"),
        priority_reason=c.priority_reason,
    )


class ConversationPage(msgspec.Struct):
    items: list[ConversationOut]
    next_cursor: str | None


class MessagePage(msgspec.Struct):
    items: list[MessageOut]
    next_cursor: str | None


class ConversationCounts(msgspec.Struct):
    waiting: int
    mine: int
    bot: int
    unassigned: int
    agent: int
    resolved: int
    all: int


class ReplyIn(msgspec.Struct, forbid_unknown_fields=True):
    client_id: ClientId
    text: MessageText = ""  # may be empty when the reply carries attachments
    internal: bool = False
    attachment_ids: Annotated[list[str], msgspec.Meta(max_length=10)] | None = None


class VisitorMessageIn(msgspec.Struct, forbid_unknown_fields=True):
    """A visitor's message that reached an integrator (their own chat, SMS, a form)."""

    text: MessageText
    client_id: ClientId


class NewVisitorIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(max_length=120)] | None = None
    email: Annotated[str, msgspec.Meta(max_length=320)] | None = None


class ConversationCreateIn(msgspec.Struct, forbid_unknown_fields=True):
    """Open a conversation on the API channel, optionally with the visitor's first message."""

    visitor: NewVisitorIn | None = None
    text: MessageText | None = None
    client_id: ClientId | None = None


class AssignIn(msgspec.Struct, forbid_unknown_fields=True):
    agent_id: uuid.UUID


class HandoffIn(msgspec.Struct, forbid_unknown_fields=True):
    reason: Annotated[str, msgspec.Meta(max_length=64)] | None = None


class ConversationWithMessages(msgspec.Struct):
    conversation: ConversationOut
    messages: list[MessageOut]


class TransitionOut(msgspec.Struct):
    id: uuid.UUID
    from_status: str
    to_status: str
    actor_kind: str
    actor_id: uuid.UUID | None
    actor_name: str | None
    assignee_id: uuid.UUID | None
    reason: str | None
    created_at: datetime


class TransitionList(msgspec.Struct):
    items: list[TransitionOut]
