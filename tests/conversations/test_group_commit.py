"""Group commit: messages that arrive together share one transaction, each is acked only
after it commits, resends are stored once, and a killed api loses nothing it acked."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from baton.conversations.batch import InboundBatcher
from baton.conversations.models import Message
from baton.runtime import Runtime
from baton.settings import Settings
from tests.conversations.helpers import visitor
from tests.realtime.clients import RecordingClient
from tests.support import LiveServer, Subprocess, free_port, settings_env, wait_http


async def _stored(runtime: Runtime) -> dict[str, int]:
    """client_id -> how many rows hold it (visitor messages)."""
    async with runtime.db.session() as session:
        rows = await session.execute(
            select(Message.client_id, func.count())
            .where(Message.sender == "visitor")
            .group_by(Message.client_id)
        )
        return {str(c): int(n) for c, n in rows.all()}


async def test_a_burst_is_written_in_shared_batches_and_stored_once(
    server: LiveServer, runtime: Runtime
) -> None:
    batcher = runtime.slot(InboundBatcher)
    visitors = [await visitor(server.base_url) for _ in range(10)]
    before = (batcher.batches, batcher.messages)

    async def send_all() -> list[dict[str, Any]]:
        calls = [
            v.call("user_message", {"client_id": f"v{i}-m{j}", "text": f"message {j}"})
            for i, (v, _) in enumerate(visitors)
            for j in range(5)
        ]
        return list(await asyncio.gather(*calls))

    try:
        first = await send_all()
        assert all("error" not in a for a in first), first
        assert not any(a["duplicate"] for a in first)
        batches = batcher.batches - before[0]
        assert batcher.messages - before[1] == 50
        assert batches < 50, "messages that arrive together share a transaction"

        again = await send_all()  # every one resent: the same ids, nothing stored twice
        assert [a["id"] for a in again] == [a["id"] for a in first]
        assert all(a["duplicate"] for a in again)
        # the same client_id twice in one burst: stored once, both acks name it
        v0 = visitors[0][0]
        twins = await asyncio.gather(
            *(v0.call("user_message", {"client_id": "twin", "text": "same"}) for _ in range(2))
        )
        assert twins[0]["id"] == twins[1]["id"]
        assert sorted(a["duplicate"] for a in twins) == [False, True]
        stored = await _stored(runtime)
        assert len(stored) == 51 and set(stored.values()) == {1}
    finally:
        for v, _ in visitors:
            await v.disconnect()


async def test_killed_api_loses_nothing_it_acked(
    server: LiveServer, runtime: Runtime, settings: Settings, data_dir: Path
) -> None:
    port = free_port()
    proc = Subprocess(
        ["serve", "--port", str(port)], settings_env(settings), data_dir / f"kill-{port}.log"
    )
    url = f"http://127.0.0.1:{port}"
    try:
        await wait_http(f"{url}/health")
        sessions = [await visitor(url) for _ in range(5)]
        acked: set[str] = set()
        sent: dict[str, tuple[str, str]] = {}  # client_id -> (session token, text)
        killed = asyncio.Event()

        async def burst(v: RecordingClient, token: str, n: int) -> None:
            for j in range(200):
                client_id = f"k{n}-{j}-{uuid.uuid4().hex[:6]}"
                sent[client_id] = (token, f"burst {j}")
                try:
                    ack = await v.call(
                        "user_message", {"client_id": client_id, "text": f"burst {j}"}, timeout=3
                    )
                except Exception:
                    return  # the process is gone
                if "error" not in ack:
                    acked.add(client_id)
                if len(acked) >= 150 and not killed.is_set():
                    killed.set()
                    proc.kill()  # SIGKILL in the middle of the burst

        await asyncio.gather(
            *(burst(v, start["session_token"], n) for n, (v, start) in enumerate(sessions))
        )
        assert killed.is_set(), proc.output()
        stored = await _stored(runtime)
        lost = [c for c in acked if c not in stored]
        assert lost == [], f"acked but not stored: {lost[:5]}"

        # the widget resends what was not acked (and, to be sure, everything) to a live api
        resent: dict[str, RecordingClient] = {}
        try:
            for client_id, (token, text) in sent.items():
                v = resent.get(token)
                if v is None:
                    v, start = await visitor(server.base_url, session_token=token)
                    assert start["session_token"] == token and start["resumed"]
                    resent[token] = v
                ack = await v.call("user_message", {"client_id": client_id, "text": text})
                assert "error" not in ack, ack
                assert ack["duplicate"] == (client_id in stored)
        finally:
            for v in resent.values():
                await v.disconnect()
        final = await _stored(runtime)
        assert set(sent) <= set(final) and {final[c] for c in sent} == {1}
        for v, _ in sessions:
            await v.disconnect()
    finally:
        proc.stop()


async def test_a_batch_whose_unit_of_work_fails_stores_nothing(
    server: LiveServer, runtime: Runtime
) -> None:
    # on SQLite the batch's statements run on the driver's thread in one hop
    # (conversations.batch_sqlite): they must still be inside the session's transaction
    from baton.conversations.batch import Incoming, write_batch
    from baton.conversations.models import Conversation
    from baton.conversations.schemas import VisitorOut
    from baton.kit.uow import unit_of_work
    from baton.visitors.models import Visitor, VisitorSession

    v, start = await visitor(server.base_url)
    try:
        conversation_id = uuid.UUID(start["conversation_id"])
        async with runtime.db.session() as session:
            conversation = await session.get(Conversation, conversation_id)
            assert conversation is not None
            before = conversation.last_message_at
            found = await session.get(Visitor, conversation.visitor_id)
            assert found is not None
            person = VisitorOut.of(found)
            session_id = await session.scalar(
                select(VisitorSession.id).where(VisitorSession.visitor_id == found.id)
            )
            assert session_id is not None
        items = [
            Incoming(
                session_id=session_id,
                conversation_id=conversation_id,
                visitor=person,
                text=f"never stored {i}",
                client_id=f"rolled-back-{i}",
                checked=True,
            )
            for i in range(3)
        ]

        class Refused(Exception):
            pass

        try:
            async with unit_of_work(runtime) as uow:
                results = await write_batch(uow, items)
                assert all(r is not None and r.created for r in results)
                raise Refused
        except Refused:
            pass
        stored = await _stored(runtime)
        assert not any(k.startswith("rolled-back-") for k in stored), stored
        async with runtime.db.session() as session:
            after = await session.get(Conversation, conversation_id)
            assert after is not None and after.last_message_at == before

        # and the same batch committed: stored, the conversation moved to its last message
        async with unit_of_work(runtime) as uow:
            results = await write_batch(uow, items)
        stored = await _stored(runtime)
        assert all(stored.get(f"rolled-back-{i}") == 1 for i in range(3))
        async with runtime.db.session() as session:
            moved = await session.get(Conversation, conversation_id)
            last = results[-1]
            assert moved is not None and last is not None
            assert moved.last_message_at == last.created_at
    finally:
        await v.disconnect()
