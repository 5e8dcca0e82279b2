"""Message texts, notes and visitor details are sealed at rest; search reads the blind index.

The proof is the storage itself: a unique word, a visitor's email and a note are absent from
the SQLite file (and its WAL) or from ``pg_dump`` of the test database, while a value that
is not encrypted (the message's ``client_id``) is found there by the same grep.
"""

from __future__ import annotations

import asyncio
import subprocess
import uuid
from pathlib import Path

import httpx
from sqlalchemy import text

from baton.kit.crypto import SEALED_PREFIX
from baton.runtime import Runtime
from baton.settings import Settings
from tests.conversations.helpers import visitor
from tests.factories import user_headers
from tests.support import LiveServer, uses_postgres


async def _stored_bytes(runtime: Runtime, settings: Settings) -> bytes:
    """Everything the database holds, as an attacker with its files would read it."""
    if uses_postgres():
        url = settings.database_url.replace("postgresql+asyncpg://", "postgresql://")
        dump = await asyncio.to_thread(
            subprocess.run, ["pg_dump", "--data-only", url], capture_output=True, check=True
        )
        return dump.stdout
    path = Path(settings.database_url.split(":///", 1)[1])
    files = [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]
    # read by another process: SQLite's locks are POSIX locks, which a process loses on
    # every file it closes, so opening the live files here would silently drop the locks of
    # this process's own connections, and another process opening the database then resets
    # the shared WAL index under them (acked writes lost, then "disk image is malformed")
    dump = await asyncio.to_thread(
        subprocess.run, ["cat", *(str(f) for f in files if f.exists())], capture_output=True
    )
    return dump.stdout


async def _search(client: httpx.AsyncClient, headers: dict[str, str], q: str) -> list[str]:
    found = await client.get("/api/v1/conversations", params={"q": q}, headers=headers)
    assert found.status_code == 200, found.text
    return [c["id"] for c in found.json()["items"]]


async def test_texts_notes_and_visitor_details_are_sealed_and_searchable(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime, settings: Settings
) -> None:
    _, admin = await user_headers(client, runtime, "admin")
    tag = uuid.uuid4().hex[:10]
    word, note_word, client_id = f"quokka{tag}", f"wombat{tag}", f"cid-{tag}"
    email = f"jane.{tag}@example.org"
    v, start = await visitor(
        server.base_url, visitor={"name": f"Jane Zweistein{tag}", "email": email}
    )
    try:
        ack = await v.call(
            "user_message",
            {"client_id": client_id, "text": f"My parcel {word} never came. Crème Brûlée!"},
        )
        assert "error" not in ack, ack
        await v.wait_for("bot_message")  # the AI reply (and its log) is stored too
        conversation_id = start["conversation_id"]
        note = await client.post(
            f"/api/v1/conversations/{conversation_id}/messages",
            json={
                "text": f"internal: {note_word} checked",
                "client_id": f"n-{tag}",
                "internal": True,
            },
            headers=admin,
        )
        assert note.status_code == 201, note.text

        # the API reads plain text back
        messages = await client.get(
            f"/api/v1/conversations/{conversation_id}/messages", headers=admin
        )
        texts = [m["text"] for m in messages.json()["items"]]
        assert f"My parcel {word} never came. Crème Brûlée!" in texts
        assert f"internal: {note_word} checked" in texts
        view = (await client.get(f"/api/v1/conversations/{conversation_id}", headers=admin)).json()
        assert view["visitor"]["email"] == email

        # the database holds ciphertext only
        async with runtime.db.engine.connect() as conn:
            raw = list(await conn.scalars(text("SELECT text FROM messages")))
            assert raw and all(t.startswith(SEALED_PREFIX) for t in raw)
            raw_email = await conn.scalar(text("SELECT email FROM visitors"))
            assert raw_email.startswith(SEALED_PREFIX)
        stored = await _stored_bytes(runtime, settings)
        assert client_id.encode() in stored  # the grep sees what is not encrypted
        for secret in (word, note_word, email, f"Zweistein{tag}", "Brûlée", "Crème"):
            assert secret.encode() not in stored, f"{secret!r} is stored in plain text"

        # search: a word, a prefix, accents folded, every word must match, a visitor's email
        assert await _search(client, admin, word) == [conversation_id]
        assert await _search(client, admin, word[:9].upper()) == [conversation_id]
        assert await _search(client, admin, "creme brulee parcel") == [conversation_id]
        assert await _search(client, admin, note_word) == [conversation_id]
        assert await _search(client, admin, email) == [conversation_id]
        assert await _search(client, admin, f"zweistein{tag}") == [conversation_id]
        assert await _search(client, admin, f"{word} absentword") == []
        assert await _search(client, admin, "eistein") == []  # prefixes, not any substring
    finally:
        await v.disconnect()
