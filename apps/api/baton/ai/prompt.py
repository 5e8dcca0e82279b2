"""What the models are sent: the workspace's system prompt, the retrieved knowledge-base
passages (RAG, to be cited by title), how to use the tools, and the last few messages."""

from __future__ import annotations

import dataclasses
import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from baton.ai.providers.base import ChatMessage, ChatRequest, ToolRound
from baton.conversations.models import Message
from baton.kit.redact import DEFAULT_REGION, redact, redact_value
from baton.knowledge.search import Hit
from baton.workspace.service import WorkspaceConfig

PASSAGE_CHARS = 1500


def system_prompt(config: WorkspaceConfig, passages: list[Hit]) -> str:
    """The fleet adds how to use tools (or markers) for each provider."""
    parts = [config.system_prompt.strip()]
    if passages:
        lines = [
            "Knowledge-base passages for this question. Answer from them, and cite the title "
            'of the article you used, e.g. "(Source: Returns and refunds)".'
        ]
        for n, hit in enumerate(passages, start=1):
            lines.append(f"[{n}] {hit.passage.title}\n{hit.passage.text[:PASSAGE_CHARS]}")
        parts.append("\n\n".join(lines))
    else:
        parts.append("No knowledge-base passage matched this question.")
    return "\n\n".join(p for p in parts if p)


async def history(
    session: AsyncSession, conversation_id: uuid.UUID, upto: Message, limit: int
) -> list[ChatMessage]:
    """The last ``limit`` public visitor/bot/agent messages up to and including ``upto``."""
    rows = await session.scalars(
        select(Message)
        .where(
            Message.conversation_id == conversation_id,
            Message.internal.is_(False),
            Message.sender.in_(("visitor", "bot", "agent")),
            Message.id <= upto.id,
        )
        .order_by(Message.id.desc())
        .limit(max(1, limit))
    )
    out: list[ChatMessage] = []
    for m in reversed(list(rows)):
        if m.sender == "visitor":
            out.append(ChatMessage("user", m.text))
        elif m.sender == "agent":
            out.append(ChatMessage("assistant", f"[{m.author_name or 'Agent'}, a person] {m.text}"))
        else:
            out.append(ChatMessage("assistant", m.text))
    return out


def build_request(
    config: WorkspaceConfig,
    messages: list[ChatMessage],
    question: str,
    passages: list[Hit],
    *,
    waiting: bool = False,
    region: str = DEFAULT_REGION,
) -> ChatRequest:
    return ChatRequest(
        system=system_prompt(config, passages),
        messages=messages,
        question=question,
        passages=passages,
        waiting=waiting,
        pii_region=pii_region(config, region),
    )


def pii_region(config: WorkspaceConfig, region: str) -> str | None:
    """The region to mask personal data with, when the workspace asks for it."""
    return region if config.redact_pii_in_prompts else None


def masked(request: ChatRequest) -> ChatRequest:
    """What a provider is sent under ``redact_pii_in_prompts``: the conversation (messages,
    question) and tool results with emails, phone numbers, card numbers, IBANs and SSNs
    masked. The system prompt and knowledge-base passages are the workspace's own text (a
    support address in an article must stay) and go as they are; nothing stored changes."""
    region = request.pii_region
    if region is None:
        return request
    return dataclasses.replace(
        request,
        messages=[ChatMessage(m.role, redact(m.content, region=region)) for m in request.messages],
        question=redact(request.question, region=region),
        rounds=tuple(
            ToolRound(
                redact(r.text, region=region),
                r.calls,
                tuple(redact_value(result, region=region) for result in r.results),
            )
            for r in request.rounds
        ),
    )
