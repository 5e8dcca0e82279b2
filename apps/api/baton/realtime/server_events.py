"""Every server -> client event of both namespaces and its payload (docs/realtime.md).

Emitters may build these structs or plain dicts; either way ``contract.encode`` checks the
payload against the declaration here before it is sent.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

import msgspec

from baton.attachments.schemas import AttachmentOut
from baton.conversations.schemas import ConversationOut, MessageOut
from baton.notifications.schemas import NotificationOut
from baton.realtime.contract import Payload, server_event
from baton.realtime.rooms import AGENT_NS, VISITOR_NS
from baton.tools.schemas import ActionOut
from baton.visitors.service import LiveVisitorOut

Status = Literal["bot", "waiting", "agent", "resolved"]
UNSET = msgspec.UNSET
Unset = msgspec.UnsetType

# ---- /widget -------------------------------------------------------------------------------


@server_event(VISITOR_NS, "bot_stream")
class WidgetBotStream(Payload):
    """A piece of the AI's answer as it is generated."""

    message_id: uuid.UUID
    delta: str


@server_event(VISITOR_NS, "bot_stream_cancelled")
class WidgetBotStreamCancelled(Payload):
    """A person took over mid-answer: drop the streamed text, it is never stored."""

    message_id: uuid.UUID


class PublicMessage(Payload):
    id: uuid.UUID
    text: str
    created_at: datetime
    attachments: list[AttachmentOut] | Unset = UNSET  # only on messages with files


@server_event(VISITOR_NS, "bot_message")
class BotMessage(PublicMessage, kw_only=True):
    """The AI's complete answer (replaces the streamed text)."""

    suggestions: list[str]
    source: str | None = None


class AgentName(Payload):
    name: str


@server_event(VISITOR_NS, "agent_message")
class AgentMessage(PublicMessage, kw_only=True):
    agent: AgentName


@server_event(VISITOR_NS, "system_message")
class SystemMessage(PublicMessage, kw_only=True):
    """``kind``/``agents_online`` tell the widget to offer the offline form, not a countdown."""

    kind: str | Unset = UNSET
    agents_online: bool | Unset = UNSET


@server_event(VISITOR_NS, "visitor_message")
class VisitorMessage(PublicMessage, kw_only=True):
    """The visitor's own message, for their other tabs."""

    client_id: str | None


@server_event(VISITOR_NS, "status_changed")
class StatusChanged(Payload):
    status: Status
    queue_position: int | None


@server_event(VISITOR_NS, "display_typing")
class WidgetTyping(Payload):
    sender: Literal["agent", "bot"]
    typing: bool
    name: str | Unset = UNSET


@server_event(VISITOR_NS, "agent_initiated_chat")
class AgentInitiatedChat(Payload):
    """An agent started the chat; ``message`` is their first message."""

    conversation_id: uuid.UUID
    message: MessageOut


@server_event(VISITOR_NS, "csat_request")
class CsatRequest(Payload):
    conversation_id: uuid.UUID
    question: str
    delay_seconds: int


@server_event(VISITOR_NS, "offline_offer")
class OfflineOffer(Payload):
    conversation_id: uuid.UUID
    reason: Literal["wait_limit", "closed"]
    next_open_at: datetime | None


# ---- /agent --------------------------------------------------------------------------------


@server_event(AGENT_NS, "conversation_updated")
class ConversationUpdated(Payload):
    conversation: ConversationOut


@server_event(AGENT_NS, "conversation_hidden")
class ConversationHidden(Payload):
    """To agents who may not read every conversation: this one is another person's now
    (taken over, assigned, resolved by them), so it leaves their lists; no content."""

    conversation_id: uuid.UUID
    status: str
    assignee_id: uuid.UUID


@server_event(AGENT_NS, "message_created")
class MessageCreated(Payload):
    message: MessageOut


@server_event(AGENT_NS, "message_updated")
class MessageUpdated(Payload):
    """A stored message changed (the LLM's sentiment replaced the lexicon's)."""

    message: MessageOut


@server_event(AGENT_NS, "bot_stream")
class BotStream(Payload):
    conversation_id: uuid.UUID
    message_id: uuid.UUID
    delta: str


@server_event(AGENT_NS, "bot_stream_cancelled")
class BotStreamCancelled(Payload):
    conversation_id: uuid.UUID
    message_id: uuid.UUID


@server_event(AGENT_NS, "display_typing")
class Typing(Payload):
    conversation_id: uuid.UUID
    sender: Literal["visitor", "agent"]
    typing: bool
    name: str | Unset = UNSET


server_event(AGENT_NS, "new_notification")(NotificationOut)


@server_event(AGENT_NS, "notifications_read")
class NotificationsRead(Payload):
    """Some (``ids``) or all (``ids: null``) of your notifications were read."""

    ids: list[uuid.UUID] | None
    unread_count: int


@server_event(AGENT_NS, "agent_presence")
class AgentPresence(Payload):
    user_id: uuid.UUID
    presence: Literal["online", "away"]


@server_event(AGENT_NS, "live_visitors_update")
class LiveVisitorsUpdate(Payload):
    upsert: list[LiveVisitorOut]
    remove: list[uuid.UUID]


@server_event(AGENT_NS, "visitor_joined")
class VisitorJoined(Payload):
    visitor: LiveVisitorOut


@server_event(AGENT_NS, "visitor_updated")
class VisitorUpdated(Payload):
    visitor: LiveVisitorOut


@server_event(AGENT_NS, "visitor_left")
class VisitorLeft(Payload):
    visitor_id: uuid.UUID


@server_event(AGENT_NS, "csat_submitted")
class CsatSubmitted(Payload):
    conversation_id: uuid.UUID
    rating: int
    comment: str | None
    channel: str
    created_at: datetime


class CopilotDelta(Payload):
    conversation_id: uuid.UUID
    request_id: uuid.UUID | None  # None for the summary made on handoff
    delta: str


server_event(AGENT_NS, "suggestion_stream")(CopilotDelta)
server_event(AGENT_NS, "summary_stream")(CopilotDelta)


class Citation(Payload):
    article_id: uuid.UUID
    title: str
    excerpt: str | Unset = UNSET


@server_event(AGENT_NS, "suggestion")
class Suggestion(Payload):
    conversation_id: uuid.UUID
    request_id: uuid.UUID
    text: str
    citations: list[Citation]
    error: str | Unset = UNSET


@server_event(AGENT_NS, "summary")
class Summary(Payload):
    conversation_id: uuid.UUID
    request_id: uuid.UUID | None
    text: str
    cached: bool
    error: str | Unset = UNSET


@server_event(AGENT_NS, "action_proposed")
class ActionProposed(Payload):
    action: ActionOut


@server_event(AGENT_NS, "action_updated")
class ActionUpdated(Payload):
    action: ActionOut


class Resync(Payload):
    """The fan-out lost events (a Redis outage): fetch what you show again."""

    reason: str


server_event(AGENT_NS, "resync")(Resync)
server_event(VISITOR_NS, "resync")(Resync)
