"""Retention leaves no dangling links (messages keep the names, marked expired), and an
upload whose unit of work fails leaves no stored object behind."""

from __future__ import annotations

import dataclasses
import hashlib
import uuid
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from baton.attachments import service
from baton.attachments.models import Attachment
from baton.attachments.receive import Received
from baton.attachments.sniff import HEAD_BYTES, TextCheck
from baton.attachments.storage import LocalStorage, storage_of
from baton.conversations.models import Conversation, Message
from baton.kit.clock import clock
from baton.kit.ids import uuid7
from baton.kit.uow import unit_of_work
from baton.runtime import Runtime
from tests.attachments.files import png
from tests.conversations.helpers import agent, visitor
from tests.support import LiveServer

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


async def _upload(client: httpx.AsyncClient, token: str, name: str, data: bytes) -> dict[str, str]:
    r = await client.post(
        "/api/v1/attachments",
        files={"file": (name, data, "application/octet-stream")},
        headers={"X-Baton-Session": token},
    )
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


async def test_retention_marks_the_messages_files_expired_instead_of_dangling(
    server: LiveServer,
    client: httpx.AsyncClient,
    runtime: Runtime,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    v, start = await visitor(server.base_url)
    a, _, token = await agent(server.base_url, client, runtime)
    try:
        session = start["session_token"]
        image = await _upload(client, session, "shot.png", png())
        manual = await _upload(client, session, "manual.pdf", PDF)
        ack = await v.call(
            "user_message",
            {"client_id": "r1", "text": "see", "attachment_ids": [image["id"], manual["id"]]},
        )
        assert "error" not in ack, ack
        async with runtime.db.session() as s:
            rows = list(await s.scalars(select(Attachment)))
        keys = [k for row in rows for k in (row.storage_key, row.thumbnail_key) if k]
        storage = storage_of(runtime)
        assert len(keys) == 3 and all([await storage.exists(k) for k in keys])

        monkeypatch.setattr(
            runtime, "settings", dataclasses.replace(runtime.settings, attachment_retention_days=1)
        )
        async with unit_of_work(runtime) as uow:  # not due yet
            assert await service.sweep(uow) == 0
        clock.advance(2 * 86_400)
        async with unit_of_work(runtime) as uow:
            assert await service.sweep(uow) == 2
        clock.reset()
        assert not any([await storage.exists(k) for k in keys])
        async with runtime.db.session() as s:
            assert list(await s.scalars(select(Attachment))) == []
            message = await s.get(Message, uuid.UUID(ack["id"]))
            assert message is not None and message.text == "see"  # the message stays

        listed = await client.get(
            f"/api/v1/conversations/{start['conversation_id']}/messages",
            headers={"Authorization": f"Bearer {token}"},
        )
        files = listed.json()["items"][-1]["attachments"]
        assert [(f["filename"], f["expired"], f["url"], f["thumbnail_url"]) for f in files] == [
            ("shot.png", True, "", None),
            ("manual.pdf", True, "", None),
        ]
        # the agent's live view and the visitor's history say the same
        joined = await a.call("join_session", {"conversation_id": start["conversation_id"]})
        assert all(f["expired"] for f in joined["messages"][-1]["attachments"])
        history = await v.call("sync", {})
        mine = [m for m in history["messages"] if m["id"] == ack["id"]]
        assert mine and all(f["expired"] and not f["url"] for f in mine[0]["attachments"])
        # and the old links answer "gone", never a file
        assert (await client.get(image["url"])).status_code == 404
    finally:
        await v.disconnect()
        await a.disconnect()


def _received(folder: Path, data: bytes, name: str) -> Received:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / uuid.uuid4().hex
    path.write_bytes(data)
    text = TextCheck()
    text.feed(data, final=True)
    return Received(
        path, name, len(data), hashlib.sha256(data).hexdigest(), data[:HEAD_BYTES], text
    )


async def test_a_failed_unit_of_work_leaves_no_stored_object(
    server: LiveServer, runtime: Runtime
) -> None:
    _, start = await visitor(server.base_url)
    storage = storage_of(runtime)
    assert isinstance(storage, LocalStorage)  # the default: local disk
    spool = runtime.settings.data_dir / "uploads"
    owner = service.Owner("visitor", uuid.uuid4())
    conversation_id = uuid.UUID(start["conversation_id"])

    # the request fails after the upload was stored: the objects go with the rollback
    stored: list[str] = []
    with pytest.raises(RuntimeError):
        async with unit_of_work(runtime) as uow:
            conversation = await uow.session.get(Conversation, conversation_id)
            assert conversation is not None
            a = await service.store_upload(
                uow, owner, conversation, _received(spool, png(), "x.png")
            )
            stored = [k for k in (a.storage_key, a.thumbnail_key) if k]
            assert len(stored) == 2 and all([await storage.exists(k) for k in stored])
            raise RuntimeError("something after the upload failed")
    assert stored and not any([await storage.exists(k) for k in stored])

    # the commit itself fails (a row the database refuses): the same
    with pytest.raises(Exception, match=r"(?i)foreign key|violates"):
        async with unit_of_work(runtime) as uow:
            conversation = await uow.session.get(Conversation, conversation_id)
            assert conversation is not None
            a = await service.store_upload(uow, owner, conversation, _received(spool, PDF, "m.pdf"))
            stored = [a.storage_key]
            assert await storage.exists(a.storage_key)
            uow.session.add(  # flushed only by the commit: its conversation does not exist
                Message(
                    id=uuid7(),
                    conversation_id=uuid.uuid4(),
                    sender="visitor",
                    text="orphan",
                )
            )
    assert not await storage.exists(stored[0])
    async with runtime.db.session() as s:
        assert list(await s.scalars(select(Attachment))) == []

    # a committed upload keeps its object
    async with unit_of_work(runtime) as uow:
        conversation = await uow.session.get(Conversation, conversation_id)
        assert conversation is not None
        kept = await service.store_upload(uow, owner, conversation, _received(spool, PDF, "k.pdf"))
    assert await storage.exists(kept.storage_key)


async def test_objects_no_row_claims_are_swept_once_old(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    """A process that died between storing an upload and committing it left objects behind:
    the hourly sweep deletes them (and leaves committed files, and other objects, alone)."""
    _, start = await visitor(server.base_url)
    kept = await _upload(client, start["session_token"], "kept.png", png())
    storage = storage_of(runtime)
    assert isinstance(storage, LocalStorage)
    source = runtime.settings.data_dir / "orphan.bin"
    source.write_bytes(png())
    orphan = str(uuid7())
    mine = [orphan, f"{orphan}.thumb.webp", f"{uuid7()}.part"]
    for key in [*mine, "notes.txt"]:
        await storage.put(key, source, "image/png")
    async with unit_of_work(runtime) as uow:  # too recent: an upload may be committing
        assert await service.sweep_orphans(uow) == 0
    clock.advance((service.ORPHAN_MINUTES + 5) * 60)
    try:
        async with unit_of_work(runtime) as uow:
            # (at least: earlier tests' files lost their rows when the tables were emptied)
            assert await service.sweep_orphans(uow) >= 3
    finally:
        clock.reset()
    assert not any([await storage.exists(k) for k in mine])
    assert await storage.exists("notes.txt")  # not an attachment's: not Baton's to delete
    assert (await client.get(kept["url"])).status_code == 200
    await storage.delete("notes.txt")
