"""What the copilot writes for an agent: a suggested reply with its citations, and a summary.

Both read the conversation in one short unit of work, then generate with no transaction open.
A suggested reply comes from the AI fleet (an LLM when one is configured, else the built-in
help-center responder) with the knowledge-base passages for the visitor's last message; its
citations are the articles used. A summary comes from an LLM when one is configured, and is
otherwise extractive (what the visitor asked, what the AI managed, where it stands) — never
invented.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from baton.ai import fleet
from baton.ai.prompt import pii_region
from baton.ai.providers.base import ChatMessage, ChatRequest
from baton.ai.setup_cache import SetupCache
from baton.conversations.models import Conversation, Message
from baton.kit.errors import NotFound
from baton.kit.uow import unit_of_work
from baton.knowledge.search import IndexCache, search
from baton.runtime import Runtime
from baton.workspace.service import get_config

Emit = Callable[[str], Awaitable[None]]
HISTORY = 30
CHECKING = "Thanks for your message — let me check this for you."
SUGGEST_PROMPT = (
    "You draft a reply for a human support agent to send to the visitor. Answer the visitor's "
    "last message from the knowledge-base passages only, briefly and kindly, in the visitor's "
    "language. If the passages do not answer it, write a short reply saying you will check."
)
SUMMARY_PROMPT = (
    "Summarise this support conversation for the agent taking it over, in at most three short "
    "sentences: what the visitor wants, what has been tried, what is still open. Do not invent."
)


@dataclass
class Transcript:
    conversation: Conversation
    messages: list[Message] = field(default_factory=list)

    @property
    def last_visitor(self) -> Message | None:
        return next((m for m in reversed(self.messages) if m.sender == "visitor"), None)

    @property
    def key(self) -> str:
        return str(self.messages[-1].id) if self.messages else ""


async def load(runtime: Runtime, conversation_id: uuid.UUID) -> Transcript:
    async with unit_of_work(runtime) as uow:
        conversation = await uow.session.get(Conversation, conversation_id)
        if conversation is None:
            raise NotFound("no such conversation")
        rows = await uow.session.scalars(
            select(Message)
            .where(Message.conversation_id == conversation_id, Message.internal.is_(False))
            .order_by(Message.created_at.desc(), Message.id.desc())
            .limit(HISTORY)
        )
        return Transcript(conversation, list(reversed(rows.all())))


def _chat(messages: list[Message]) -> list[ChatMessage]:
    out: list[ChatMessage] = []
    for m in messages:
        if m.sender == "visitor":
            out.append(ChatMessage("user", m.text))
        elif m.sender in ("bot", "agent"):
            out.append(ChatMessage("assistant", m.text))
    return out


async def suggest_reply(
    runtime: Runtime, transcript: Transcript, emit: Emit
) -> tuple[str, list[dict[str, str]]]:
    """The draft (streamed through ``emit``) and its citations ``[{article_id, title,
    excerpt}]``."""
    question = transcript.last_visitor
    if question is None:
        text = "Hello! How can I help you today?"
        await emit(text)
        return text, []
    passages: list[Any] = []
    async with unit_of_work(runtime) as uow:
        # the visitor's latest message may be "I want a human": draft for their latest question
        recent = [m for m in reversed(transcript.messages) if m.sender == "visitor"][:3]
        for candidate in recent:
            hits = await search(uow.session, runtime.slot(IndexCache), candidate.text, 3)
            passages = [h for h in hits if h.answers]
            if passages:
                question = candidate
                break
        members = await runtime.slot(SetupCache).members(uow)
        region = pii_region(await get_config(uow.session), runtime.settings.pii_phone_region)
    lines = [SUGGEST_PROMPT]
    for n, hit in enumerate(passages, start=1):
        lines.append(f"[{n}] {hit.passage.title}\n{hit.passage.text}")
    request = ChatRequest(
        system="\n\n".join(lines),
        messages=_chat(transcript.messages),
        question=question.text,
        passages=passages,
        use_tools=False,
        pii_region=region,  # masked by the fleet for providers outside the process
    )
    await fleet.prepare(members, runtime.slot(fleet.FleetState))
    result = await fleet.run(members, request, emit)
    cited = [s for s in result.sources if s.get("cited", True)] or [
        {"article_id": str(h.passage.article_id), "title": h.passage.title} for h in passages[:1]
    ]
    # the passage travels with its citation, so an agent without knowledge:manage can open it
    excerpts = {str(h.passage.article_id): h.passage.text for h in reversed(passages)}
    citations = [
        {
            "article_id": str(s["article_id"]),
            "title": str(s["title"]),
            "excerpt": excerpts.get(str(s["article_id"]), ""),
        }
        for s in cited
    ]
    if result.failed or result.no_answer or not result.text.strip():
        # the agent is the person: never draft "would you like to talk to a person?"
        text = CHECKING
        await emit(("\n\n" if result.text else "") + text)
        return text, []
    return result.text.strip(), citations


def extractive_summary(transcript: Transcript) -> str:
    visitor = [m for m in transcript.messages if m.sender == "visitor"]
    bots = [m for m in transcript.messages if m.sender == "bot"]
    if not visitor:
        return "The visitor has not written anything yet."
    parts = [f'The visitor asked: "{_clip(visitor[0].text)}".']
    if len(visitor) > 1:
        parts.append(f'Latest message: "{_clip(visitor[-1].text)}".')
    misses = sum(1 for m in bots if m.meta.get("outcome") == "no_answer")
    answered = sum(1 for m in bots if m.meta.get("outcome") == "answered")
    if bots:
        cited = sorted(
            {s["title"] for m in bots for s in m.meta.get("sources", []) if "title" in s}
        )
        parts.append(
            f"The AI answered {answered} and could not answer {misses} of its replies"
            + (f" (from: {', '.join(cited)})." if cited else ".")
        )
    status = transcript.conversation.status
    reason = transcript.conversation.handoff_reason
    if status == "waiting":
        parts.append(f"Waiting for a person ({reason or 'requested'}).")
    else:
        parts.append(f"Status: {status}.")
    return " ".join(parts)


def _clip(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


async def summarize(runtime: Runtime, transcript: Transcript, emit: Emit) -> str:
    async with unit_of_work(runtime) as uow:
        members = [m for m in await runtime.slot(SetupCache).members(uow) if m.kind != "builtin"]
        region = pii_region(await get_config(uow.session), runtime.settings.pii_phone_region)
    if members:
        dialogue = "\n".join(f"{m.sender}: {m.text}" for m in transcript.messages)
        request = ChatRequest(
            system=SUMMARY_PROMPT,
            messages=[ChatMessage("user", dialogue[-12000:])],
            question=dialogue[-2000:],
            use_tools=False,
            max_tokens=300,
            pii_region=region,
        )
        await fleet.prepare(members, runtime.slot(fleet.FleetState))
        result = await fleet.run(members, request, emit)
        if not result.failed and result.text.strip():
            return result.text.strip()
    text = extractive_summary(transcript)
    await emit(text)
    return text


class SummaryCache:
    """Per process: the last summary of each conversation, keyed by its last message id."""

    def __init__(self) -> None:
        self.items: dict[uuid.UUID, tuple[str, str]] = {}

    def get(self, transcript: Transcript) -> str | None:
        found = self.items.get(transcript.conversation.id)
        return found[1] if found and found[0] == transcript.key else None

    def put(self, transcript: Transcript, text: str) -> None:
        if len(self.items) > 5000:
            self.items.clear()
        self.items[transcript.conversation.id] = (transcript.key, text)


def as_payload(**values: Any) -> dict[str, Any]:
    return {k: str(v) if isinstance(v, uuid.UUID) else v for k, v in values.items()}
