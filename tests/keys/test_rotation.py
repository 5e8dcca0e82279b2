"""``baton keys rotate`` with the servers running, then a restart with only the new key;
the wrong or a missing master key stops ``baton serve`` with a clear message.

Each step is a real ``baton`` process on a database of its own (the suite's keeps its key).
"""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import secrets
import subprocess
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from baton.ai.fleet import key_context
from baton.ai.models import AIProvider
from baton.conversations.models import Conversation, Message
from baton.db.engine import Database
from baton.db.migrate import upgrade
from baton.kit.crypto import Envelope, fingerprint
from baton.settings import Settings
from baton.users.service import create_user
from baton.visitors.identity import CONTEXT as IDENTITY_CONTEXT
from baton.visitors.models import IdentitySecret, Visitor
from tests.support import (
    VENV_BIN,
    Subprocess,
    create_postgres_database,
    drop_postgres_database,
    free_port,
    keyring_of,
    settings_env,
    uses_postgres,
    wait_http,
)

PASSWORD = "rotate-me-please"
TEXTS = ("The invoice for order 1182 is wrong", "internal: refund approved by Sam")


def _key() -> bytes:
    return secrets.token_bytes(32)


def _b64(key: bytes) -> str:
    return base64.b64encode(key).decode()


@pytest.fixture
async def own_database(tmp_path: Path) -> AsyncIterator[str]:
    if uses_postgres():
        name = f"baton_rot_{uuid.uuid4().hex[:8]}"
        url = await create_postgres_database(name)
        yield url.replace("postgresql://", "postgresql+asyncpg://")
        await drop_postgres_database(name)
    else:
        yield f"sqlite+aiosqlite:///{tmp_path / 'rotation.db'}"


async def _seed(settings: Settings) -> dict[str, uuid.UUID]:
    """What a server under master key A would have written: sealed texts, a visitor, a
    provider key and the identity secret (both envelopes under A)."""
    envelope = Envelope(settings.master_key)
    db = Database.for_scripts(settings.database_url)
    try:
        async with db.session() as session:
            await create_user(
                session, email="admin@rotate.test", password=PASSWORD, role="admin", name="Ro"
            )
            person = Visitor(name="Ada Lovelace", email="ada@rotate.test")
            session.add(person)
            await session.flush()
            conversation = Conversation(visitor_id=person.id, status="agent")
            session.add(conversation)
            await session.flush()
            for i, body in enumerate(TEXTS):
                session.add(
                    Message(
                        conversation_id=conversation.id,
                        sender="visitor" if i == 0 else "agent",
                        text=body,
                        internal=i == 1,
                    )
                )
            conversation.last_message_text = TEXTS[0]
            provider = AIProvider(kind="openai", name="p", model="m", priority=1)
            session.add(provider)
            await session.flush()
            provider.api_key_sealed = envelope.encrypt(
                "sk-live-123", context=key_context(provider.id)
            )
            session.add(
                IdentitySecret(sealed=envelope.encrypt("idsecret", context=IDENTITY_CONTEXT))
            )
            await session.commit()
            return {"conversation": conversation.id, "provider": provider.id}
    finally:
        await db.dispose()


def _env(
    settings: Settings, data_dir: Path, master: bytes | None, previous: list[bytes]
) -> dict[str, str]:
    env = settings_env(settings)
    env.pop("BATON_REDIS_URL", None)  # one embedded process: in-process rooms and jobs
    env.update(BATON_DATA_DIR=str(data_dir), BATON_DATABASE_URL=settings.database_url)
    env.pop("BATON_MASTER_KEY", None)
    env.pop("BATON_PREVIOUS_MASTER_KEYS", None)
    if master is not None:
        env["BATON_MASTER_KEY"] = _b64(master)
    if previous:
        env["BATON_PREVIOUS_MASTER_KEYS"] = ",".join(_b64(k) for k in previous)
    return env


def _baton(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(VENV_BIN / "baton"), *args], env=env, capture_output=True, text=True, timeout=120
    )


async def _read_back(base_url: str, conversation_id: uuid.UUID) -> tuple[list[str], list[str]]:
    async with httpx.AsyncClient(base_url=base_url, timeout=20) as http:
        login = await http.post(
            "/api/v1/auth/login", json={"email": "admin@rotate.test", "password": PASSWORD}
        )
        assert login.status_code == 201 or login.status_code == 200, login.text
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        got = await http.get(f"/api/v1/conversations/{conversation_id}/messages", headers=headers)
        assert got.status_code == 200, got.text
        found = await http.get(
            "/api/v1/conversations",
            params={"q": "invoice ORD", "include_empty": "true"},
            headers=headers,
        )
        assert found.status_code == 200, found.text
        return [m["text"] for m in got.json()["items"]], [c["id"] for c in found.json()["items"]]


class Served:
    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self.proc = Subprocess(["serve", "--port", str(self.port)], env, log)
        self.url = f"http://127.0.0.1:{self.port}"

    async def __aenter__(self) -> Served:
        try:
            await wait_http(f"{self.url}/health", timeout=60)
        except AssertionError:
            self.proc.stop()
            raise AssertionError(self.proc.output()) from None
        return self

    async def __aexit__(self, *_: object) -> None:
        self.proc.stop()


async def test_rotate_online_then_restart_with_only_the_new_key(
    own_database: str, settings: Settings, tmp_path: Path
) -> None:
    old, new = _key(), _key()
    await asyncio.to_thread(upgrade, own_database)
    under_old = dataclasses.replace(
        settings,
        database_url=own_database,
        redis_url=None,
        master_key=old,
        previous_master_keys=(),
    )
    async with keyring_of(under_old, settings):
        ids = await _seed(under_old)
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    rolling = _env(under_old, data_dir, new, [old])  # the new key, the old one to read with

    async with Served(rolling, tmp_path / "serve-1.log") as served:
        texts, found = await _read_back(served.url, ids["conversation"])
        assert sorted(texts) == sorted(TEXTS) and found == [str(ids["conversation"])]

        rotated = await asyncio.to_thread(_baton, rolling, "keys", "rotate")  # online
        assert rotated.returncode == 0, rotated.stderr + rotated.stdout
        assert f"-> {fingerprint(new)}" in rotated.stdout  # progress, per data key
        assert "ai_providers.api_key_sealed: 1 re-wrapped" in rotated.stdout
        assert "identity_secrets.sealed: 1 re-wrapped" in rotated.stdout
        again = await asyncio.to_thread(_baton, rolling, "keys", "rotate")  # resumable: a no-op
        assert again.returncode == 0 and "2 of 2 already under" in again.stdout, again.stdout
        assert "ai_providers.api_key_sealed: 1 already current" in again.stdout

        texts, _ = await _read_back(served.url, ids["conversation"])  # still serving
        assert sorted(texts) == sorted(TEXTS)

    only_new = _env(under_old, data_dir, new, [])
    async with Served(only_new, tmp_path / "serve-2.log") as served:
        texts, found = await _read_back(served.url, ids["conversation"])
        assert sorted(texts) == sorted(TEXTS) and found == [str(ids["conversation"])]

    # the envelopes open with the new key alone
    db = Database.for_scripts(own_database)
    try:
        async with db.session() as session:
            provider = await session.get(AIProvider, ids["provider"])
            identity = await session.scalar(select(IdentitySecret))
    finally:
        await db.dispose()
    assert provider is not None and identity is not None and provider.api_key_sealed
    alone = Envelope(new)
    assert alone.decrypt(provider.api_key_sealed, context=key_context(provider.id)) == "sk-live-123"
    assert alone.decrypt(identity.sealed, context=IDENTITY_CONTEXT) == "idsecret"

    # the old key alone, now: a clear refusal, from `keys check` and from `serve`
    stale = _env(under_old, data_dir, old, [])
    check = await asyncio.to_thread(_baton, stale, "keys", "check")
    assert check.returncode == 2
    assert (
        f"fingerprint {fingerprint(new)}, but BATON_MASTER_KEY has fingerprint {fingerprint(old)}"
        in check.stderr
    )
    port = free_port()
    serve = await asyncio.to_thread(_baton, stale, "serve", "--port", str(port))
    assert serve.returncode == 2 and "BATON_PREVIOUS_MASTER_KEYS" in serve.stderr, serve.stderr

    # no key at all on the embedded default: a new one is generated in the data folder, and
    # it does not open these data keys either
    fresh = tmp_path / "fresh-data"
    missing = _env(under_old, fresh, None, [])
    check = await asyncio.to_thread(_baton, missing, "keys", "check")
    assert check.returncode == 2 and "BATON_MASTER_KEY" in check.stderr, check.stderr
    assert (fresh / "master.key").stat().st_mode & 0o777 == 0o600
