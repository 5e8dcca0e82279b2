"""What the models are sent: the workspace's system prompt, the retrieved knowledge-base
passages (RAG, to be cited by title), how to use the tools, and the last few messages with
the files visitors sent (images for vision providers, ``[attached: ...]`` lines otherwise;
see ``ai.vision``)."""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from baton.ai.providers.base import ChatMessage, ChatRequest, ToolRound
from baton.ai.vision import PendingImage, attached_line, is_image
from baton.attachments.models import Attachment
from baton.conversations.models import Conversation, Message
from baton.kit.redact import DEFAULT_REGION, redact, redact_value
from baton.knowledge.search import Hit
from baton.workspace.service import WorkspaceConfig

PASSAGE_CHARS = 1500


def system_prompt(config: WorkspaceConfig, passages: list[Hit], *, images: bool = False) -> str:
    """The fleet adds how to use tools (or markers) for each provider. With images in the
    prompt, the admin's image-analysis prompt follows the system prompt."""
    parts = [config.system_prompt.strip()]
    if images:
        parts.append(config.image_analysis_prompt.strip())
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


def files_of(message: Message) -> list[dict[str, Any]]:
    """The attachment summaries a message carries (``meta.attachments``)."""
    found = (message.meta or {}).get("attachments") or []
    return [s for s in found if isinstance(s, dict)]


def typed_text(message: Message) -> str:
    """What the visitor wrote: a message of files only reads as their names (for previews),
    which is not a question."""
    files = files_of(message)
    if files and message.text == ", ".join(str(f.get("filename")) for f in files):
        return ""
    return message.text


def question_images(message: Message) -> int:
    return sum(1 for f in files_of(message) if is_image(str(f.get("content_type"))))


def question_files(message: Message) -> int:
    """Files other than images on the message."""
    return len(files_of(message)) - question_images(message)


@dataclass
class History:
    turns: list[ChatMessage]
    # image attachments of visitor turns, oldest first, still to be read (``ai.vision``)
    images: list[PendingImage] = field(default_factory=list)


@dataclass
class Thread:
    """The conversation's status, the visitor's question and the history that ends with it,
    read in one statement (``thread``)."""

    status: str
    question: Message
    past: History


async def thread(
    session: AsyncSession, conversation_id: uuid.UUID, question_id: uuid.UUID, limit: int
) -> Thread | None:
    """None unless ``question_id`` is a public message of this conversation."""
    rows = (
        await session.execute(
            select(Message, Conversation.status)
            .join(Conversation, Conversation.id == Message.conversation_id)
            .where(
                Message.conversation_id == conversation_id,
                Message.internal.is_(False),
                Message.sender.in_(("visitor", "bot", "agent")),
                Message.id <= question_id,
            )
            .order_by(Message.id.desc())
            .limit(max(1, limit))
        )
    ).all()
    if not rows or rows[0][0].id != question_id:
        return None
    messages = [row[0] for row in reversed(rows)]
    return Thread(rows[0][1], rows[0][0], await _history(session, messages))


async def _history(session: AsyncSession, messages: list[Message]) -> History:
    """A visitor's files are named in the turn's text; its images (not expired) are listed
    to be read after the transaction."""
    image_ids = [
        uuid.UUID(str(f["id"]))
        for m in messages
        if m.sender == "visitor"
        for f in files_of(m)
        if is_image(str(f.get("content_type"))) and not f.get("expired")
    ]
    keys: dict[uuid.UUID, str] = {}
    if image_ids:
        keys = {
            row.id: row.storage_key
            for row in await session.scalars(select(Attachment).where(Attachment.id.in_(image_ids)))
        }
    out: list[ChatMessage] = []
    pending: list[PendingImage] = []
    for m in messages:
        if m.sender == "visitor":
            lines = [typed_text(m)]
            for f in files_of(m):
                name, kind = str(f.get("filename") or "file"), str(f.get("content_type"))
                size, expired = int(f.get("size") or 0), bool(f.get("expired"))
                key = keys.get(uuid.UUID(str(f["id"]))) if not expired else None
                if is_image(kind) and key is not None:
                    pending.append(PendingImage(len(out), key, kind, name, size))
                else:  # an image whose row is gone was swept: it reads as expired too
                    gone = expired or (is_image(kind) and key is None)
                    lines.append(attached_line(name, kind, size, expired=gone))
            out.append(ChatMessage("user", "\n".join(t for t in lines if t)))
        elif m.sender == "agent":
            out.append(ChatMessage("assistant", f"[{m.author_name or 'Agent'}, a person] {m.text}"))
        else:
            out.append(ChatMessage("assistant", m.text))
    return History(out, pending)


def build_request(
    config: WorkspaceConfig,
    messages: list[ChatMessage],
    question: str,
    passages: list[Hit],
    *,
    waiting: bool = False,
    question_images: int = 0,
    question_files: int = 0,
    region: str = DEFAULT_REGION,
) -> ChatRequest:
    return ChatRequest(
        system=system_prompt(config, passages, images=any(m.images for m in messages)),
        messages=messages,
        question=question,
        passages=passages,
        waiting=waiting,
        question_images=question_images,
        question_files=question_files,
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
        messages=[
            dataclasses.replace(m, content=redact(m.content, region=region))
            for m in request.messages
        ],
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
