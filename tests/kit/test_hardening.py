"""Small hardening items from the security review (L2, L5, L6, L8, "an agent sees an
integrator key's name"), each on both backends."""

from __future__ import annotations

import asyncio
import os
import socket
import stat
import subprocess
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select, text

from baton import serving
from baton.db.engine import Database
from baton.runtime import Runtime
from baton.settings import _persistent_secret
from baton.users.models import User
from tests.conversations.helpers import cid, visitor
from tests.factories import DEFAULT_PASSWORD, bearer, login, user_headers
from tests.support import VENV_BIN, LiveServer, free_port


async def _users(runtime: Runtime) -> int:
    async with runtime.db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(User)) or 0)


async def test_nul_and_lone_surrogates_are_refused_over_rest(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    _, admin = await user_headers(client, runtime, "admin")
    before = await _users(runtime)
    raw_bodies = [
        b'{"email": "nul\\u0000@example.com", "password": "longenough1"}',
        b'{"email": "ok@example.com", "password": "longenough1", "name": "A\\u0000B"}',
        b'{"email": "ok@example.com", "password": "longenough1", "name": "A\\ud800"}',
        b'{"email": "ok@example.com", "password": "longenough1", "name": "\\udc00B"}',
    ]
    for body in raw_bodies:
        response = await client.post(
            "/api/v1/users",
            content=body,
            headers={**admin, "content-type": "application/json"},
        )
        assert 400 <= response.status_code < 500, (body, response.text)
        assert response.json()["error"] in ("invalid_text", "invalid_json"), body
    login_nul = await client.post(
        "/api/v1/auth/login",
        content=b'{"email": "a\\u0000@example.com", "password": "x"}',
        headers={"content-type": "application/json"},
    )
    assert login_nul.status_code == 400 and login_nul.json()["error"] == "invalid_text"
    in_query = await client.get("/api/v1/conversations?q=a%00b", headers=admin)
    assert in_query.status_code == 400 and in_query.json()["error"] == "invalid_text"
    # an escaped backslash before "u0000" is ordinary text
    fine = await client.post(
        "/api/v1/users",
        content=b'{"email": "ok2@example.com", "password": "longenough1", "name": "a\\\\u0000"}',
        headers={**admin, "content-type": "application/json"},
    )
    assert fine.status_code == 201, fine.text
    assert fine.json()["name"] == "a\\u0000"
    assert await _users(runtime) == before + 1


async def test_deeply_nested_json_is_a_clear_400(client: httpx.AsyncClient) -> None:
    body = b"[" * 200_000 + b"]" * 200_000  # 400 KB
    for path in ("/api/v1/auth/login", "/api/v1/users"):
        response = await client.post(
            path, content=body, headers={"content-type": "application/json"}
        )
        assert 400 <= response.status_code < 500, (path, response.status_code)
    response = await client.post(
        "/api/v1/auth/login", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 400 and response.json()["error"] == "invalid_json"


async def test_nul_in_socket_payloads_is_refused(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    v, start = await visitor(server.base_url)
    try:
        ack = await v.call("user_message", {"client_id": cid(), "text": "a\x00b"})
        assert ack["error"] == "invalid_text", ack
        surrogate = await v.call("user_message", {"client_id": cid(), "text": "a\ud800"})
        assert surrogate["error"] == "invalid_text", surrogate
        ok = await v.call("user_message", {"client_id": cid(), "text": "fine"})
        assert "error" not in ok
    finally:
        await v.disconnect()
    _, admin = await user_headers(client, runtime, "admin")
    messages = await client.get(
        f"/api/v1/conversations/{start['conversation_id']}/messages", headers=admin
    )
    assert [m["text"] for m in messages.json()["items"] if m["sender"] == "visitor"] == ["fine"]


async def test_admin_changing_own_password_needs_the_current_one(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    """Review L2: a stolen admin token is not enough to take the account over."""
    me, admin = await user_headers(client, runtime, "admin")
    url = f"/api/v1/users/{me.id}"
    missing = await client.patch(url, json={"password": "taken-over-1"}, headers=admin)
    assert missing.status_code == 422
    wrong = await client.patch(
        url, json={"password": "taken-over-1", "current_password": "guess-1234"}, headers=admin
    )
    assert wrong.status_code == 401
    assert await login(client, me.email)  # still the old password
    right = await client.patch(
        url,
        json={"password": "changed-pass-1", "current_password": DEFAULT_PASSWORD},
        headers=admin,
    )
    assert right.status_code == 200
    assert await login(client, me.email, "changed-pass-1")


async def test_password_change_on_me_returns_a_fresh_token(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    """Review L10: the caller stays signed in; every other session ends."""
    me, headers = await user_headers(client, runtime)
    other = bearer(await login(client, me.email))
    changed = await client.patch(
        "/api/v1/me",
        json={"password": "brand-new-pass", "current_password": DEFAULT_PASSWORD},
        headers=headers,
    )
    assert changed.status_code == 200
    fresh = changed.json()["access_token"]
    assert (await client.get("/api/v1/me", headers=bearer(fresh))).status_code == 200
    assert (await client.get("/api/v1/me", headers=other)).status_code == 401


async def test_agents_do_not_see_an_integrator_keys_name(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    _, admin = await user_headers(client, runtime, "admin")
    key = (
        await client.post(
            "/api/v1/api-keys", json={"name": "Acme internal CRM prod"}, headers=admin
        )
    ).json()
    v, start = await visitor(server.base_url)
    conversation_id = start["conversation_id"]
    try:
        await v.call("user_message", {"client_id": cid(), "text": "hello"})
        reply = await client.post(
            f"/api/v1/conversations/{conversation_id}/messages",
            json={"text": "Your refund is on its way", "client_id": cid()},
            headers=bearer(key["key"]),
        )
        assert reply.status_code == 201, reply.text
        seen = await v.wait_for("agent_message")
        assert "Acme" not in str(seen)
    finally:
        await v.disconnect()
    _, agent = await user_headers(client, runtime)
    for path in ("messages", "events"):
        got = await client.get(f"/api/v1/conversations/{conversation_id}/{path}", headers=agent)
        assert got.status_code == 200
        assert "Acme internal CRM prod" not in got.text, path
    # admins still see which key it was, in the key list and the audit log
    keys = (await client.get("/api/v1/api-keys", headers=admin)).json()["items"]
    assert [k["name"] for k in keys] == ["Acme internal CRM prod"]


def test_database_and_key_files_are_private(tmp_path: Path) -> None:
    """Review L8: the SQLite file, its -wal/-shm and the generated keys are 0600."""
    old = os.umask(0o022)
    try:
        db_path = tmp_path / "data" / "baton.db"

        def modes() -> dict[str, int]:
            return {
                suffix: stat.S_IMODE(Path(f"{db_path}{suffix}").stat().st_mode)
                for suffix in ("", "-wal", "-shm")
            }

        async def use() -> dict[str, int]:
            db = Database(f"sqlite+aiosqlite:///{db_path}")
            async with db.engine.begin() as conn:
                await conn.execute(text("CREATE TABLE t (x INTEGER)"))
                await conn.execute(text("INSERT INTO t VALUES (1)"))
                seen = await asyncio.to_thread(modes)  # while -wal and -shm exist
            await db.dispose()
            return seen

        assert asyncio.run(use()) == {"": 0o600, "-wal": 0o600, "-shm": 0o600}
        assert stat.S_IMODE(db_path.stat().st_mode) == 0o600
        _persistent_secret(tmp_path / "data", "secret.key", "urlsafe")
        assert stat.S_IMODE((tmp_path / "data" / "secret.key").stat().st_mode) == 0o600
        # an existing, readable file from an older install is tightened
        loose = tmp_path / "loose.db"
        loose.write_bytes(b"")
        loose.chmod(0o644)
        asyncio.run(Database(f"sqlite+aiosqlite:///{loose}").dispose())
        assert stat.S_IMODE(loose.stat().st_mode) == 0o600
    finally:
        os.umask(old)


def test_a_second_server_cannot_take_a_used_port() -> None:
    """Review L6: granian binds with SO_REUSEPORT, so a second ``baton serve`` on the same
    port used to start and take half the connections; now it refuses to start."""
    port = free_port()
    with socket.socket() as holder:
        holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)  # as granian binds
        holder.bind(("127.0.0.1", port))
        holder.listen()
        with pytest.raises(SystemExit, match="already in use"):
            serving.ensure_port_free("127.0.0.1", port)
        second = subprocess.run(
            [str(VENV_BIN / "baton"), "serve", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert second.returncode != 0
        assert "already in use" in second.stderr
    serving.ensure_port_free("127.0.0.1", port)  # free again
