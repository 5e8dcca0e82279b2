"""Group commit for widget messages: the visitor hot path, at the speed of the transport.

Messages that arrive while a batch is being written wait for the next one; each batch is
one transaction, so one commit (and one fsync) serves every message in it, and each
message is acknowledged only once that commit is done. A batch costs, in SQL statements:

- PostgreSQL: one. A data-modifying CTE inserts every message (``ON CONFLICT DO NOTHING``,
  so a resend stores nothing) with its blind-index tokens and updates each conversation's
  last message, returning the conversation rows the inbox and the inbound rules need.
- SQLite: three (an INSERT ... RETURNING, the tokens of what it inserted, and an
  UPDATE ... FROM ... RETURNING), on its single writer.

Texts travel sealed (AES-GCM under the workspace's data key, kit/crypto.py), as the ORM's
column types would seal them; the tokens are HMACs of the words (keys/search_index.py).

Both are fixed-shape text statements (the rows travel as arrays or one JSON document):
built with SQLAlchemy's expression language, each batch size was a new statement to compile,
~18 ms of CPU per batch.

Nothing is read first: the socket's session carries what the message needs (its
conversation and visitor), the UPDATE returns the conversation's current status and owner,
and assignee names come from a small cache. A message that needs more than that (its
conversation is resolved and reopens, it asks for a person, its session is due for the
idle check, or it is a resend) goes through ``inbound.receive_visitor_message`` in the same
transaction, so the rules are the same on both paths. If a batch fails as a whole, each of
its messages is retried alone, so one bad message cannot refuse the others.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ARRAY, Uuid, column, delete, select, text

from baton.conversations import batch_sqlite
from baton.conversations.events import (
    ConversationChanged,
    MessageCreated,
    VisitorMessageReceived,
)
from baton.conversations.inbound import receive_visitor_message
from baton.conversations.messages import PREVIEW_CHARS
from baton.conversations.models import Conversation, Message
from baton.conversations.phrases import asks_for_person
from baton.conversations.queries import waiting_positions
from baton.conversations.schemas import (
    PRIORITY_NAMES,
    ConversationOut,
    LastMessage,
    MessageOut,
    PersonRef,
    VisitorOut,
)
from baton.copilot import sentiment
from baton.db.base import utcnow
from baton.db.savepoint import savepoint
from baton.kit.crypto import keyring
from baton.kit.errors import DomainError
from baton.kit.ids import uuid7
from baton.kit.uow import UnitOfWork, unit_of_work
from baton.users.models import User
from baton.visitors.sessions import live_session
from baton.workspace.service import get_config

if TYPE_CHECKING:
    from baton.runtime import Runtime

log = logging.getLogger(__name__)

MAX_BATCH = 256
# the associated data the column types seal with (kit/crypto.EncryptedText)
MESSAGE_TEXT_AAD: str = Message.__table__.c.text.type.aad  # type: ignore[attr-defined]
PREVIEW_AAD: str = Conversation.__table__.c.last_message_text.type.aad  # type: ignore[attr-defined]
NAME_TTL = 60.0  # seconds an agent's display name is trusted without a read

RETURNED = (
    Conversation.id,
    Conversation.status,
    Conversation.assignee_id,
    Conversation.waiting_since,
    Conversation.handoff_reason,
    Conversation.follow_up_email,
    Conversation.created_at,
    Conversation.updated_at,
    Conversation.resolved_at,
    Conversation.channel,
    Conversation.priority,
    Conversation.priority_reason,
)


@dataclass
class Incoming:
    """One widget message, validated, with what the socket knows about its conversation."""

    session_id: uuid.UUID
    conversation_id: uuid.UUID
    visitor: VisitorOut
    text: str
    client_id: str
    checked: bool  # the session was checked recently; False sends it through live_session
    future: asyncio.Future[Stored] = field(default_factory=lambda: asyncio.Future())


@dataclass(frozen=True)
class Stored:
    id: uuid.UUID
    client_id: str
    created_at: datetime
    created: bool


class AssigneeNames:
    """Display names of agents, kept for a minute (a rename shows up within ``NAME_TTL``)."""

    def __init__(self) -> None:
        self.names: dict[uuid.UUID, tuple[float, str]] = {}

    async def get(self, uow: UnitOfWork, user_id: uuid.UUID) -> str:
        found = self.names.get(user_id)
        if found is not None and time.monotonic() - found[0] < NAME_TTL:
            return found[1]
        name = await uow.session.scalar(select(User.name).where(User.id == user_id)) or "Agent"
        self.names[user_id] = (time.monotonic(), name)
        return name


class InboundBatcher:
    """This process's group-commit writer (``runtime.slot(InboundBatcher)``)."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[Incoming | None] = asyncio.Queue()
        self.task: asyncio.Task[None] | None = None
        self.runtime: Runtime | None = None
        self.batches = 0
        self.messages = 0

    async def submit(self, runtime: Runtime, item: Incoming) -> Stored:
        if self.task is None or self.task.done():
            self.runtime = runtime
            self.task = asyncio.create_task(self._run(), name="baton-inbound-batcher")
        await self.queue.put(item)
        return await item.future

    async def aclose(self) -> None:
        """Write what is queued, then stop (the runtime calls this at shutdown)."""
        if self.task is not None and not self.task.done():
            await self.queue.put(None)
            await self.task

    async def _run(self) -> None:
        assert self.runtime is not None
        stopping = False
        while not stopping:
            first = await self.queue.get()
            items = [] if first is None else [first]
            stopping = first is None
            while len(items) < MAX_BATCH and not self.queue.empty():
                item = self.queue.get_nowait()
                if item is None:
                    stopping = True
                    break
                items.append(item)
            if not items:
                continue
            try:
                await self._write(self.runtime, items)
            except Exception:  # pragma: no cover - _write settles every future itself
                log.exception("inbound batch failed")

    async def _write(self, runtime: Runtime, items: list[Incoming]) -> None:
        self.batches += 1
        self.messages += len(items)
        try:
            async with unit_of_work(runtime) as uow:
                results = await write_batch(uow, items)
        except Exception as exc:
            if len(items) == 1:
                _fail(items[0], exc)
                return
            log.warning("inbound batch of %d failed; retrying one by one", len(items))
            for item in items:
                await self._write(runtime, [item])
            return
        for item, result in zip(items, results, strict=True):
            if result is not None and not item.future.done():
                item.future.set_result(result)


def _fail(item: Incoming, exc: Exception) -> None:
    if not item.future.done():
        item.future.set_exception(exc)


async def write_batch(uow: UnitOfWork, items: list[Incoming]) -> list[Stored | None]:
    """Store ``items`` in this unit of work; the caller commits. None: that message was
    refused (its future already holds the error)."""
    config = await get_config(uow.session)
    fast: list[tuple[int, Incoming, dict[str, Any]]] = []
    slow: list[int] = []
    seen: set[tuple[uuid.UUID, str]] = set()
    now = utcnow()
    for i, item in enumerate(items):
        key = (item.conversation_id, item.client_id)
        if not item.checked or key in seen or asks_for_person(item.text, config.handoff_phrases):
            slow.append(i)
            continue
        seen.add(key)
        fast.append((i, item, _row(item, now)))
    results: list[Stored | None] = [None] * len(items)
    if fast:
        inserted, conversations = await _insert_and_touch(uow, [row for _, _, row in fast])
        for i, item, row in fast:
            if row["id"] not in inserted:
                slow.append(i)  # a resend, or another sender's client_id: the full path
                continue
            conversation = conversations[item.conversation_id]
            if conversation["status"] == "resolved":  # reopens: the state machine decides
                slow.append(i)
                await _take_back(uow, row)
                continue
            await _record(uow, item, row, conversation)
            results[i] = Stored(row["id"], item.client_id, row["created_at"], True)
    for i in sorted(slow):
        results[i] = await _through_inbound(uow, items[i])
    return results


def _row(item: Incoming, now: datetime) -> dict[str, Any]:
    return {
        "id": uuid7(),
        "conversation_id": item.conversation_id,
        "sender": "visitor",
        "text": item.text,
        # sealed here, as the column types would (raw SQL bypasses them), with the blind index
        "sealed": keyring.seal(item.text, MESSAGE_TEXT_AAD),
        "sealed_preview": keyring.seal(item.text[:PREVIEW_CHARS], PREVIEW_AAD),
        "tokens": keyring.terms([item.text]),
        "internal": False,
        "client_id": item.client_id,
        "author_id": None,
        "author_name": None,
        "suggestions": [],
        "meta": {"sentiment": sentiment.score(item.text)},  # in memory: no extra SQL
        "created_at": now,
    }


# Fixed-shape statements, whatever the batch's size: the rows travel as arrays (PostgreSQL)
# or one JSON document (SQLite), so each is compiled and prepared once per process.
_PG_BATCH = text(
    """
    WITH ins AS (
        INSERT INTO messages
            (id, conversation_id, sender, text, internal, client_id, suggestions, meta, created_at)
        SELECT u.id, u.cid, 'visitor', u.text, false, u.client_id, '[]', CAST(u.meta AS json),
               u.at
        FROM unnest(CAST(:ids AS uuid[]), CAST(:cids AS uuid[]), CAST(:texts AS text[]),
                    CAST(:client_ids AS text[]), CAST(:ats AS timestamptz[]),
                    CAST(:metas AS text[]))
             AS u(id, cid, text, client_id, at, meta)
        ON CONFLICT DO NOTHING
        RETURNING id, conversation_id, created_at
    ), tok AS (
        INSERT INTO message_tokens (token, message_id)
        SELECT t.token, t.mid
        FROM unnest(CAST(:tokens AS bigint[]), CAST(:token_ids AS uuid[])) AS t(token, mid)
        WHERE t.mid IN (SELECT id FROM ins)
    ), last AS (
        SELECT DISTINCT ON (ins.conversation_id) ins.conversation_id, p.preview, ins.created_at
        FROM ins
        JOIN unnest(CAST(:ids AS uuid[]), CAST(:previews AS text[])) AS p(id, preview)
          ON p.id = ins.id
        ORDER BY ins.conversation_id, ins.created_at DESC, ins.id DESC
    )
    UPDATE conversations AS c
    SET last_message_at = last.created_at, last_message_text = last.preview,
        last_message_sender = 'visitor', updated_at = last.created_at
    FROM last WHERE c.id = last.conversation_id
    RETURNING c.id, c.status, c.assignee_id, c.waiting_since, c.handoff_reason,
              c.follow_up_email, c.created_at, c.updated_at, c.resolved_at, c.channel,
              c.priority, c.priority_reason,
              (SELECT array_agg(ins.id) FROM ins) AS inserted
    """
).columns(*RETURNED, column("inserted", ARRAY(Uuid())))


async def _insert_and_touch(
    uow: UnitOfWork, rows: list[dict[str, Any]]
) -> tuple[set[uuid.UUID], dict[uuid.UUID, dict[str, Any]]]:
    """Insert the messages and move each conversation's last message, in one statement on
    PostgreSQL and two on SQLite. Returns the ids inserted and the conversations' rows."""
    session = uow.session
    if session.get_bind().dialect.name == "postgresql":
        found = (
            (
                await session.execute(
                    _PG_BATCH,
                    {
                        "ids": [r["id"] for r in rows],
                        "cids": [r["conversation_id"] for r in rows],
                        "texts": [r["sealed"] for r in rows],
                        "previews": [r["sealed_preview"] for r in rows],
                        "tokens": [t for r in rows for t in r["tokens"]],
                        "token_ids": [r["id"] for r in rows for _ in r["tokens"]],
                        "client_ids": [r["client_id"] for r in rows],
                        "ats": [r["created_at"] for r in rows],
                        "metas": [json.dumps(r["meta"]) for r in rows],
                    },
                )
            )
            .mappings()
            .all()
        )
        inserted = {i for r in found[:1] for i in (r["inserted"] or [])}
        return inserted, {r["id"]: dict(r) for r in found}
    return await batch_sqlite.insert_and_touch(session, rows, RETURNED)


async def _take_back(uow: UnitOfWork, row: dict[str, Any]) -> None:
    """Take back a fast insert so the full path stores it once, with its rules (rare: a
    visitor writing again into a resolved conversation)."""
    await uow.session.execute(delete(Message).where(Message.id == row["id"]))


async def _record(
    uow: UnitOfWork, item: Incoming, row: dict[str, Any], conversation: dict[str, Any]
) -> None:
    """The events ``inbound`` records for a new message, built from what the batch returned."""
    status, assignee_id = conversation["status"], conversation["assignee_id"]
    message = MessageOut(
        row["id"],
        item.conversation_id,
        "visitor",
        row["text"],
        False,
        item.client_id,
        None,
        [],
        row["created_at"],
        dict(row["meta"]),
        row["meta"].get("sentiment"),
    )
    channel = conversation["channel"] or "widget"
    uow.record(MessageCreated(message, channel=channel, status=status, assignee_id=assignee_id))
    uow.record(
        ConversationChanged(item.conversation_id, view=await _view(uow, item, row, conversation))
    )
    uow.record(
        VisitorMessageReceived(
            item.conversation_id, row["id"], channel=channel, status=status, handed_off=False
        )
    )


async def _view(
    uow: UnitOfWork, item: Incoming, row: dict[str, Any], c: dict[str, Any]
) -> ConversationOut:
    assignee = None
    if c["assignee_id"] is not None:
        name = await uow.runtime.slot(AssigneeNames).get(uow, c["assignee_id"])
        assignee = PersonRef(c["assignee_id"], name)
    position = None
    if c["status"] == "waiting":
        position = (await waiting_positions(uow)).get(item.conversation_id)
    return ConversationOut(
        id=item.conversation_id,
        status=c["status"],
        visitor=item.visitor,
        assignee=assignee,
        last_message=LastMessage(row["text"][:PREVIEW_CHARS], "visitor", row["created_at"]),
        queue_position=position,
        waiting_since=c["waiting_since"],
        handoff_reason=c["handoff_reason"],
        follow_up_email=c["follow_up_email"],
        created_at=c["created_at"],
        updated_at=c["updated_at"],
        resolved_at=c["resolved_at"],
        channel=c["channel"] or "widget",
        priority=PRIORITY_NAMES.get(c["priority"] or 0, "normal"),
        priority_reason=c["priority_reason"],
    )


async def _through_inbound(uow: UnitOfWork, item: Incoming) -> Stored | None:
    """The full path, inside the batch's transaction (savepoint: one refusal, e.g. an
    expired session, does not undo the others)."""
    recorded = len(uow.domain_events)
    try:
        async with savepoint(uow.session):
            _, conversation = await live_session(uow, item.session_id)
            message, created = await receive_visitor_message(
                uow, conversation, text=item.text, client_id=item.client_id, channel="widget"
            )
    except DomainError as exc:
        del uow.domain_events[recorded:]  # what the refused message recorded is void too
        _fail(item, exc)
        return None
    assert message.client_id is not None
    return Stored(message.id, message.client_id, message.created_at, created)
