"""The copilot over /agent: ``suggest_reply`` and ``summarize`` (see design.md "Copilot").

Each acks at once with a ``request_id`` and streams to the asking socket only:
``suggestion_stream {conversation_id, request_id, delta}`` then ``suggestion {conversation_id,
request_id, text, citations: [{article_id, title}]}``; ``summary_stream`` then ``summary
{conversation_id, request_id, text, cached}``. A summary is cached per conversation until a
new message arrives.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import Annotated, Any

import msgspec
from sqlalchemy import select

from baton.ai.models import AIReplyLog
from baton.ai.schemas import VerdictIn
from baton.ai.service import set_verdict
from baton.auth.permissions import Permission
from baton.auth.realtime import socket_principal
from baton.conversations import policy, queries
from baton.conversations.agent_realtime import conversation_id_of
from baton.copilot import drafts
from baton.kit.errors import NotFound
from baton.kit.ids import uuid7
from baton.realtime.actions import Actions, SocketCall
from baton.realtime.contract import Payload, WireText, encode
from baton.realtime.rooms import AGENT_NS

log = logging.getLogger(__name__)
actions = Actions(AGENT_NS, principal_of=socket_principal)


class CopilotRef(msgspec.Struct):
    conversation_id: str


class CopilotRequestAck(Payload):
    """The request is running: its ``*_stream`` and result events carry ``request_id``."""

    conversation_id: uuid.UUID
    request_id: uuid.UUID


class VerdictAck(Payload):
    message_id: uuid.UUID
    verdict: str
    log_id: uuid.UUID


class CopilotTasks:
    """Running copilot generations of this process (kept so none is garbage-collected)."""

    def __init__(self) -> None:
        self.tasks: set[asyncio.Task[None]] = set()

    def start(self, work: Any) -> None:
        task = asyncio.create_task(work)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def drain(self) -> None:
        """Wait until every generation started so far has finished (shutdown, tests)."""
        while self.tasks:
            await asyncio.gather(*list(self.tasks), return_exceptions=True)


async def _check(call: SocketCall, raw: str) -> uuid.UUID:
    conversation = await queries.get_conversation(call.uow.session, conversation_id_of(raw))
    policy.check_read(call.principal, conversation)
    return conversation.id


@actions.on(
    "suggest_reply",
    payload=CopilotRef,
    ack=CopilotRequestAck,
    permission=Permission.CONVERSATIONS_REPLY,
)
async def suggest_reply(call: SocketCall, ref: CopilotRef) -> dict[str, Any]:
    conversation_id = await _check(call, ref.conversation_id)
    request_id = str(uuid7())
    base = {"conversation_id": str(conversation_id), "request_id": request_id}

    async def send(event: str, payload: dict[str, Any]) -> None:
        await call.sio.emit(
            event, encode(AGENT_NS, event, {**base, **payload}), to=call.sid, namespace=AGENT_NS
        )

    async def work() -> None:
        try:
            transcript = await drafts.load(call.runtime, conversation_id)

            async def delta(text: str) -> None:
                await send("suggestion_stream", {"delta": text})

            text, citations = await drafts.suggest_reply(call.runtime, transcript, delta)
            await send("suggestion", {"text": text, "citations": citations})
        except Exception:
            log.exception("suggest_reply failed")
            await send("suggestion", {"text": "", "citations": [], "error": "internal_error"})

    call.runtime.slot(CopilotTasks).start(work())
    return base


@actions.on(
    "summarize", payload=CopilotRef, ack=CopilotRequestAck, permission=Permission.CONVERSATIONS_READ
)
async def summarize(call: SocketCall, ref: CopilotRef) -> dict[str, Any]:
    conversation_id = await _check(call, ref.conversation_id)
    request_id = str(uuid7())
    base = {"conversation_id": str(conversation_id), "request_id": request_id}

    async def send(event: str, payload: dict[str, Any]) -> None:
        await call.sio.emit(
            event, encode(AGENT_NS, event, {**base, **payload}), to=call.sid, namespace=AGENT_NS
        )

    async def work() -> None:
        try:
            text, cached = await summary_of(call.runtime, conversation_id, send)
            await send("summary", {"text": text, "cached": cached})
        except Exception:
            log.exception("summarize failed")
            await send("summary", {"text": "", "cached": False, "error": "internal_error"})

    call.runtime.slot(CopilotTasks).start(work())
    return base


async def summary_of(runtime: Any, conversation_id: uuid.UUID, send: Any) -> tuple[str, bool]:
    """The conversation's summary: the cached one while no message came since, else a new one
    (streamed as ``summary_stream`` through ``send``)."""
    transcript = await drafts.load(runtime, conversation_id)
    cache = runtime.slot(drafts.SummaryCache)
    cached = cache.get(transcript)
    if cached is not None:
        await send("summary_stream", {"delta": cached})
        return cached, True

    async def delta(text: str) -> None:
        await send("summary_stream", {"delta": text})

    text = await drafts.summarize(runtime, transcript, delta)
    cache.put(transcript, text)
    return text, False


class VerdictEventIn(msgspec.Struct, forbid_unknown_fields=True):
    conversation_id: str
    message_id: str
    verdict: Annotated[str, msgspec.Meta(extra_json_schema={"enum": ["good", "bad", "corrected"]})]
    correction: WireText = None


@actions.on(
    "ai_verdict", payload=VerdictEventIn, ack=VerdictAck, permission=Permission.CONVERSATIONS_REPLY
)
async def ai_verdict(call: SocketCall, data: VerdictEventIn) -> dict[str, Any]:
    """An agent's verdict on one AI reply in a conversation they can see: it lands in the
    accuracy log (the same row ``POST /api/v1/ai/logs/{id}/verdict`` sets)."""
    conversation_id = await _check(call, data.conversation_id)
    try:
        message_id = uuid.UUID(data.message_id)
    except ValueError as exc:
        raise NotFound("no such AI reply") from exc
    row = await call.uow.session.scalar(
        select(AIReplyLog).where(
            AIReplyLog.message_id == message_id, AIReplyLog.conversation_id == conversation_id
        )
    )
    if row is None:
        raise NotFound("no such AI reply")
    correction = data.correction[:10000] if isinstance(data.correction, str) else None
    body = VerdictIn(verdict=data.verdict, correction=correction)
    await set_verdict(call.uow.session, row, body, call.principal.user_id)
    return {"message_id": str(message_id), "verdict": row.verdict, "log_id": str(row.id)}


def register(sio: Any, runtime: Any) -> None:
    actions.register(sio, runtime)
