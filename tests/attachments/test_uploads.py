"""Uploads over REST, attachments on messages, downloads through signed links."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from collections.abc import AsyncIterator

import httpx
from sqlalchemy import delete, select

from baton.attachments import service
from baton.attachments.models import Attachment
from baton.attachments.storage import StorageSlot, storage_for, storage_of
from baton.conversations.models import Conversation
from baton.kit.clock import clock
from baton.kit.uow import unit_of_work
from baton.runtime import Runtime
from tests.attachments.files import PROGRAM, png
from tests.attachments.s3 import BUCKET, S3_SETTINGS, moto_server
from tests.conversations.helpers import agent, cid, visitor
from tests.factories import user_headers
from tests.support import LiveServer, free_port, start_live_server


def _session(token: str) -> dict[str, str]:
    return {"X-Baton-Session": token}


async def _upload(
    client: httpx.AsyncClient,
    data: bytes,
    filename: str,
    headers: dict[str, str],
    content_type: str = "application/octet-stream",
    params: dict[str, str] | None = None,
) -> httpx.Response:
    return await client.post(
        "/api/v1/attachments",
        files={"file": (filename, data, content_type)},
        headers=headers,
        params=params,
    )


async def test_visitor_upload_reaches_the_agent_and_downloads_with_its_sniffed_type(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    v, start = await visitor(server.base_url)
    a, _, token = await agent(server.base_url, client, runtime)
    try:
        image = png(800, 600)
        # the browser calls it a text file: the bytes say otherwise
        r = await _upload(client, image, "shot.txt", _session(start["session_token"]), "text/plain")
        assert r.status_code == 201, r.text
        up = r.json()
        assert (up["content_type"], up["size"], up["width"], up["height"]) == (
            "image/png",
            len(image),
            800,
            600,
        )
        assert up["url"].startswith(f"/api/v1/attachments/{up['id']}/content?")
        conversation_id = start["conversation_id"]
        await a.call("join_session", {"conversation_id": conversation_id})
        ack = await v.call(
            "user_message", {"client_id": "m1", "text": "", "attachment_ids": [up["id"]]}
        )
        assert "error" not in ack, ack
        created = await a.wait_for("message_created", lambda m: m["message"]["id"] == ack["id"])
        message = created["message"]
        assert message["text"] == "shot.txt"  # a message of files only reads as their names
        [att] = message["attachments"]
        assert att["id"] == up["id"] and att["content_type"] == "image/png"
        assert "attachments" not in message["meta"]
        # the inbox's REST view carries them too
        listed = await client.get(
            f"/api/v1/conversations/{conversation_id}/messages",
            headers={"Authorization": f"Bearer {token}"},
        )
        assert listed.json()["items"][-1]["attachments"][0]["id"] == up["id"]

        got = await client.get(att["url"])
        assert got.status_code == 200 and got.content == image
        assert got.headers["content-type"] == "image/png"
        assert got.headers["x-content-type-options"] == "nosniff"
        assert got.headers["content-disposition"].startswith('inline; filename="shot.txt"')
        thumb = await client.get(att["thumbnail_url"])
        assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/webp"
        # a resend of the same client_id stores and attaches nothing new
        again = await v.call(
            "user_message", {"client_id": "m1", "text": "", "attachment_ids": [up["id"]]}
        )
        assert again["duplicate"] is True and again["id"] == ack["id"]
        # links are short-lived and cannot be forged
        forged = att["url"].replace("v=file", "v=thumb")
        assert (await client.get(forged)).status_code == 404
        try:
            clock.advance(3 * runtime.settings.attachment_url_ttl_seconds)
            assert (await client.get(att["url"])).status_code == 410
        finally:
            clock.reset()
    finally:
        await v.disconnect()
        await a.disconnect()


async def test_a_program_renamed_png_is_refused_and_text_is_never_html(
    server: LiveServer, client: httpx.AsyncClient
) -> None:
    v, start = await visitor(server.base_url)
    try:
        headers = _session(start["session_token"])
        r = await _upload(client, PROGRAM, "cat.png", headers, "image/png")
        assert r.status_code == 415 and r.json()["error"] == "unsupported_type"
        # a "PNG" Pillow cannot read is refused too
        r = await _upload(client, png()[:60], "broken.png", headers, "image/png")
        assert r.status_code == 415 and r.json()["error"] == "unreadable_image"
        html = b"<html><script>alert(1)</script></html>"
        r = await _upload(client, html, "page.html", headers, "text/html")
        assert r.status_code == 201 and r.json()["content_type"] == "text/plain"
        got = await client.get(r.json()["url"])
        assert got.headers["content-type"].startswith("text/plain")
        assert got.headers["x-content-type-options"] == "nosniff"
        assert "sandbox" in got.headers["content-security-policy"]
        # not multipart, or no file, is a clear 400
        bad = await client.post("/api/v1/attachments", content=b"x", headers=headers)
        assert bad.status_code == 400 and bad.json()["error"] == "multipart_expected"
        none = await client.post(
            "/api/v1/attachments", data={"other": "1"}, files={"x": ("a", b"a")}, headers=headers
        )
        assert none.status_code == 400 and none.json()["error"] == "file_missing"
        anonymous = await _upload(client, png(), "a.png", {})
        assert anonymous.status_code == 401
        expired = await _upload(client, png(), "a.png", _session("not-a-session"))
        assert expired.status_code == 401
    finally:
        await v.disconnect()


async def test_only_your_own_unattached_uploads_in_this_conversation(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    alice, a_start = await visitor(server.base_url)
    bob, b_start = await visitor(server.base_url)
    _, headers = await user_headers(client, runtime, "agent")
    try:
        mine = (await _upload(client, png(), "a.png", _session(a_start["session_token"]))).json()
        # Bob cannot attach Alice's upload: it is not confirmed to exist
        ack = await bob.call(
            "user_message", {"client_id": cid(), "text": "hi", "attachment_ids": [mine["id"]]}
        )
        assert ack["error"] == "unknown_attachment", ack
        assert (
            await bob.call(
                "user_message", {"client_id": cid(), "text": "x", "attachment_ids": ["nope"]}
            )
        )["error"] == "invalid_attachments"
        # an agent cannot send a visitor's upload as their own
        a_conv = a_start["conversation_id"]
        r = await client.post(
            f"/api/v1/conversations/{a_conv}/messages",
            json={"client_id": cid(), "text": "see", "attachment_ids": [mine["id"]]},
            headers=headers,
        )
        assert r.status_code == 404 and r.json()["error"] == "unknown_attachment"
        ok = await alice.call(
            "user_message", {"client_id": "a1", "text": "look", "attachment_ids": [mine["id"]]}
        )
        assert "error" not in ok
        used = await alice.call(
            "user_message", {"client_id": "a2", "text": "again", "attachment_ids": [mine["id"]]}
        )
        assert used["error"] == "attachment_used"

        # the agent's own upload, made for Bob's conversation, cannot go to Alice's
        b_conv = b_start["conversation_id"]
        theirs = await _upload(
            client, b"notes\n", "notes.txt", headers, params={"conversation_id": b_conv}
        )
        assert theirs.status_code == 201, theirs.text
        r = await client.post(
            f"/api/v1/conversations/{a_conv}/messages",
            json={"client_id": cid(), "text": "x", "attachment_ids": [theirs.json()["id"]]},
            headers=headers,
        )
        assert r.status_code == 404
        # in Bob's conversation it goes, and Bob's widget receives it
        r = await client.post(
            f"/api/v1/conversations/{b_conv}/messages",
            json={"client_id": cid(), "attachment_ids": [theirs.json()["id"]]},
            headers=headers,
        )
        assert r.status_code == 201, r.text
        assert r.json()["attachments"][0]["content_type"] == "text/plain"
        got = await bob.wait_for("agent_message")
        assert got["attachments"][0]["id"] == theirs.json()["id"]
        assert (await client.get(got["attachments"][0]["url"])).content == b"notes\n"
        # agents need a conversation they may read
        r = await _upload(client, b"x\n", "x.txt", headers)
        assert r.status_code == 400 and r.json()["error"] == "conversation_required"
        r = await _upload(
            client, b"x\n", "x.txt", headers, params={"conversation_id": str(uuid.uuid4())}
        )
        assert r.status_code == 404
        # nothing half-stored: every refused message left the uploads as they were
        async with runtime.db.session() as session:
            rows = list(await session.scalars(select(Attachment)))
        assert sorted((r.filename, r.message_id is not None) for r in rows) == [
            ("a.png", True),
            ("notes.txt", True),
        ]
    finally:
        await alice.disconnect()
        await bob.disconnect()


async def _raw_request(base_url: str, head: bytes) -> bytes:
    host, port = base_url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    try:
        writer.write(head)
        await writer.drain()
        return await asyncio.wait_for(reader.read(4096), 10)
    finally:
        writer.close()


async def test_51_mb_is_a_413_and_the_server_stays_healthy(
    server: LiveServer, client: httpx.AsyncClient
) -> None:
    v, start = await visitor(server.base_url)
    try:
        size = 51 * 1024 * 1024
        # declared: refused before a byte of the body is read
        answer = await _raw_request(
            server.base_url,
            b"POST /api/v1/attachments HTTP/1.1\r\nHost: x\r\n"
            b"Content-Type: multipart/form-data; boundary=b\r\n"
            + f"X-Baton-Session: {start['session_token']}\r\nContent-Length: {size}\r\n\r\n".encode(),
        )
        assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
        assert b"file_too_large" in answer

        # undeclared (chunked): refused while streaming, once past the limit
        async def body() -> AsyncIterator[bytes]:
            yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n\r\n'
            chunk = b"\x00" * (1024 * 1024)
            for _ in range(51):
                yield chunk
            yield b"\r\n--b--\r\n"

        try:
            r = await client.post(
                "/api/v1/attachments",
                content=body(),
                headers={
                    "Content-Type": "multipart/form-data; boundary=b",
                    **_session(start["session_token"]),
                },
            )
            assert r.status_code == 413 and r.json()["error"] == "file_too_large"
        except httpx.HTTPError:
            pass  # the server may close while the client still sends: refused either way
        assert (await client.get("/health")).status_code == 200
        ok = await _upload(client, png(), "fine.png", _session(start["session_token"]))
        assert ok.status_code == 201
        spooled = list((server.settings.data_dir / "uploads").glob("upload-*"))
        assert spooled == []  # nothing left behind by the refused uploads
    finally:
        await v.disconnect()


async def test_deleted_with_their_conversation_and_unsent_uploads_expire(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    v, start = await visitor(server.base_url)
    try:
        token = start["session_token"]
        sent = (await _upload(client, png(), "sent.png", _session(token))).json()
        await v.call("user_message", {"client_id": "s", "text": "", "attachment_ids": [sent["id"]]})
        unsent = (await _upload(client, b"draft\n", "draft.txt", _session(token))).json()
        storage = storage_of(runtime)
        async with runtime.db.session() as session:
            rows = {a.filename: a for a in await session.scalars(select(Attachment))}
        keys = [rows["sent.png"].storage_key, rows["sent.png"].thumbnail_key]
        assert all([await storage.exists(k) for k in keys if k])

        async with unit_of_work(runtime) as uow:  # nothing is due yet
            assert await service.sweep(uow) == 0
        try:
            clock.advance(runtime.settings.attachment_unattached_hours * 3600 + 60)
            async with unit_of_work(runtime) as uow:
                assert await service.sweep(uow) == 1  # the upload never sent
        finally:
            clock.reset()
        assert (await client.get(unsent["url"])).status_code == 404

        async with unit_of_work(runtime) as uow:
            await uow.session.execute(
                delete(Conversation).where(Conversation.id == uuid.UUID(start["conversation_id"]))
            )
        async with unit_of_work(runtime) as uow:
            assert await service.sweep(uow) == 1
        for key in keys:
            assert key is not None and not await storage.exists(key)
        async with runtime.db.session() as session:
            assert list(await session.scalars(select(Attachment))) == []
    finally:
        await v.disconnect()


async def test_uploads_and_downloads_through_an_s3_compatible_store(
    server: LiveServer, client: httpx.AsyncClient
) -> None:
    """A second api process of the same install whose storage is the local S3 server."""
    with moto_server() as s3_url:
        settings = dataclasses.replace(
            server.settings,
            storage_url=f"s3://{BUCKET}/baton",
            s3_endpoint_url=s3_url,
            **S3_SETTINGS,  # type: ignore[arg-type]
        )
        live = await start_live_server(settings)
        try:
            v, start = await visitor(live.base_url)
            try:
                image = png(300, 200)
                async with httpx.AsyncClient(base_url=live.base_url, timeout=20) as c:
                    r = await _upload(c, image, "s3.png", _session(start["session_token"]))
                    assert r.status_code == 201, r.text
                    up = r.json()
                    ack = await v.call(
                        "user_message",
                        {"client_id": "s3", "text": "", "attachment_ids": [up["id"]]},
                    )
                    assert "error" not in ack
                    got = await c.get(up["url"])
                    assert got.content == image and got.headers["content-type"] == "image/png"
                    assert (await c.get(up["thumbnail_url"])).status_code == 200
                    listed = (await c.get(f"{s3_url}/{BUCKET}?list-type=2&prefix=baton/")).text
                    assert f"baton/{up['id']}" in listed
                    assert f"baton/{up['id']}.thumb.webp" in listed
                    # the store unreachable: a clear 503, never a 500, and the server carries on
                    # one attempt: the retries' backoff would only lengthen the wait for it
                    dead = dataclasses.replace(
                        settings,
                        s3_endpoint_url=f"http://127.0.0.1:{free_port()}",
                        s3_max_attempts=1,
                    )
                    live.runtime.slot(StorageSlot).storage = storage_for(dead)
                    r = await _upload(c, image, "later.png", _session(start["session_token"]))
                    assert r.status_code == 503 and r.json()["error"] == "storage_unavailable"
                    r = await c.get(up["url"])
                    assert r.status_code == 503 and r.json()["error"] == "storage_unavailable"
                    assert (await c.get("/health")).status_code == 200
                # the default server keeps its files on disk: it does not find this one
                missing = await client.get(up["url"])
                assert missing.status_code == 404 and missing.json()["error"] == "file_gone"
            finally:
                await v.disconnect()
        finally:
            await live.stop()
