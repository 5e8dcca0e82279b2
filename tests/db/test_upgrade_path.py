"""Users upgrade in place: a database made by the previous release's migrations, with data
in it, migrates to head on both backends and the data is read and used as before.

The previous release is revision ``0004`` (the schema before the core pipeline and the
features after it). Its rows are written with the tables as that release defined them
(not today's models), so a migration that drops, renames or fails to backfill a column
breaks this test.
"""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from baton.auth.passwords import hash_password, verify_password
from baton.conversations import lifecycle
from baton.conversations.inbound import receive_visitor_message
from baton.conversations.models import Conversation, Message
from baton.conversations.queries import matches_search
from baton.conversations.state import VISITOR
from baton.db.base import UTCDateTime
from baton.db.engine import Database
from baton.db.migrate import upgrade
from baton.keys.service import encrypt_existing
from baton.kit.crypto import SEALED_PREFIX
from baton.kit.uow import UnitOfWork
from baton.mail.models import OutboxEmail
from baton.runtime import build_runtime
from baton.settings import Settings
from baton.users.models import User
from baton.visitors.models import Visitor, VisitorSession
from tests.support import (
    create_postgres_database,
    drop_postgres_database,
    keyring_of,
    uses_postgres,
)

PREVIOUS_RELEASE = "0004"
WHEN = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)

old = sa.MetaData()
users = sa.Table(
    "users",
    old,
    sa.Column("id", sa.Uuid()),
    sa.Column("email", sa.String()),
    sa.Column("name", sa.String()),
    sa.Column("password_hash", sa.String()),
    sa.Column("role", sa.String()),
    sa.Column("is_active", sa.Boolean()),
    sa.Column("presence", sa.String()),
    sa.Column("token_version", sa.Integer()),
    sa.Column("created_at", UTCDateTime()),
    sa.Column("updated_at", UTCDateTime()),
)
visitors = sa.Table(
    "visitors",
    old,
    sa.Column("id", sa.Uuid()),
    sa.Column("name", sa.String()),
    sa.Column("email", sa.String()),
    sa.Column("page_url", sa.String()),
    sa.Column("created_at", UTCDateTime()),
    sa.Column("updated_at", UTCDateTime()),
)
conversations = sa.Table(
    "conversations",
    old,
    sa.Column("id", sa.Uuid()),
    sa.Column("visitor_id", sa.Uuid()),
    sa.Column("status", sa.String()),
    sa.Column("assignee_id", sa.Uuid()),
    sa.Column("ai_miss_streak", sa.Integer()),
    sa.Column("last_message_text", sa.String()),
    sa.Column("created_at", UTCDateTime()),
    sa.Column("updated_at", UTCDateTime()),
)
messages = sa.Table(
    "messages",
    old,
    sa.Column("id", sa.Uuid()),
    sa.Column("conversation_id", sa.Uuid()),
    sa.Column("sender", sa.String()),
    sa.Column("text", sa.Text()),
    sa.Column("internal", sa.Boolean()),
    sa.Column("client_id", sa.String()),
    sa.Column("suggestions", sa.JSON()),
    sa.Column("meta", sa.JSON()),
    sa.Column("created_at", UTCDateTime()),
)
sessions = sa.Table(
    "visitor_sessions",
    old,
    sa.Column("id", sa.Uuid()),
    sa.Column("token_hash", sa.String()),
    sa.Column("visitor_id", sa.Uuid()),
    sa.Column("conversation_id", sa.Uuid()),
    sa.Column("created_at", UTCDateTime()),
    sa.Column("last_seen_at", UTCDateTime()),
    sa.Column("connected", sa.Integer()),
)

email_messages = sa.Table(  # the welcome emails before the outbox (moved by 0050)
    "email_messages",
    old,
    sa.Column("id", sa.Uuid()),
    sa.Column("to_address", sa.String()),
    sa.Column("subject", sa.String()),
    sa.Column("body_text", sa.Text()),
    sa.Column("kind", sa.String()),
    sa.Column("status", sa.String()),
    sa.Column("provider_id", sa.String()),
    sa.Column("error", sa.Text()),
    sa.Column("created_at", UTCDateTime()),
    sa.Column("sent_at", UTCDateTime()),
)


@pytest.fixture
async def old_database(tmp_path: object) -> AsyncIterator[str]:
    if uses_postgres():
        name = f"baton_upgrade_{uuid.uuid4().hex[:8]}"
        url = await create_postgres_database(name)
        yield url.replace("postgresql://", "postgresql+asyncpg://")
        await drop_postgres_database(name)
    else:
        yield f"sqlite+aiosqlite:///{tmp_path}/previous-release.db"


async def _write_previous_release_data(url: str) -> dict[str, uuid.UUID]:
    ids = {k: uuid.uuid4() for k in ("agent", "visitor", "open", "owned", "message", "email")}
    db = Database.for_scripts(url)
    try:
        async with db.engine.begin() as conn:
            await conn.execute(
                users.insert(),
                [
                    dict(
                        id=ids["agent"],
                        email="dana@example.com",
                        name="Dana",
                        password_hash=hash_password("correct horse"),
                        role="agent",
                        is_active=True,
                        presence="online",
                        token_version=1,
                        created_at=WHEN,
                        updated_at=WHEN,
                    )
                ],
            )
            await conn.execute(
                visitors.insert(),
                [
                    dict(
                        id=ids["visitor"],
                        name="Priya",
                        email="priya@example.com",
                        page_url="https://shop.example/cart",
                        created_at=WHEN,
                        updated_at=WHEN,
                    )
                ],
            )
            await conn.execute(
                conversations.insert(),
                [
                    dict(
                        id=ids["open"],
                        visitor_id=ids["visitor"],
                        status="bot",
                        assignee_id=None,
                        ai_miss_streak=1,
                        last_message_text="Where is my order?",
                        created_at=WHEN,
                        updated_at=WHEN,
                    ),
                    dict(
                        id=ids["owned"],
                        visitor_id=ids["visitor"],
                        status="agent",
                        assignee_id=ids["agent"],
                        ai_miss_streak=0,
                        last_message_text="Thanks",
                        created_at=WHEN,
                        updated_at=WHEN,
                    ),
                ],
            )
            await conn.execute(
                messages.insert(),
                [
                    dict(
                        id=ids["message"],
                        conversation_id=ids["open"],
                        sender="visitor",
                        text="Where is my order? ünïcode ✓",
                        internal=False,
                        client_id="old-1",
                        suggestions=[],
                        meta={},
                        created_at=WHEN,
                    )
                ],
            )
            await conn.execute(
                email_messages.insert(),
                [
                    dict(
                        id=ids["email"],
                        to_address="dana@example.com",
                        subject="Your Baton account",
                        body_text="Hello Dana",
                        kind="welcome",
                        status="sent",
                        provider_id="re_123",
                        error=None,
                        created_at=WHEN,
                        sent_at=WHEN,
                    )
                ],
            )
            await conn.execute(
                sessions.insert(),
                [
                    dict(
                        id=uuid.uuid4(),
                        token_hash="a" * 64,
                        visitor_id=ids["visitor"],
                        conversation_id=ids["open"],
                        created_at=WHEN,
                        last_seen_at=WHEN,
                        connected=0,
                    )
                ],
            )
    finally:
        await db.dispose()
    return ids


async def test_previous_release_upgrades_in_place(old_database: str, settings: Settings) -> None:
    url = old_database
    await asyncio.to_thread(upgrade, url, PREVIOUS_RELEASE)
    ids = await _write_previous_release_data(url)

    await asyncio.to_thread(upgrade, url)  # to head, as `baton db upgrade` does

    upgraded = dataclasses.replace(settings, database_url=url, redis_url=None)
    async with keyring_of(upgraded, settings):
        await _upgraded_data_reads_back(upgraded, ids)


async def _upgraded_data_reads_back(upgraded: Settings, ids: dict[str, uuid.UUID]) -> None:
    runtime = build_runtime(upgraded, sio=__import__("socketio").AsyncServer(async_mode="asgi"))
    # rows from before encryption at rest read as they are, then `baton keys encrypt-existing`
    # seals and indexes them (scripts/run runs it after `baton db upgrade`)
    async with runtime.db.session() as session:
        message = await session.scalar(
            select(Message).where(Message.conversation_id == ids["open"])
        )
        assert message is not None and message.text == "Where is my order? ünïcode ✓"
    assert await encrypt_existing(runtime.db, lambda _: None) > 0
    async with runtime.db.engine.connect() as conn:
        raw = await conn.scalar(sa.text("SELECT text FROM messages"))
        assert raw.startswith(SEALED_PREFIX) and "order" not in raw
        raw_email = await conn.scalar(sa.text("SELECT email FROM visitors WHERE email IS NOT NULL"))
        assert raw_email is None or raw_email.startswith(SEALED_PREFIX)
    assert await encrypt_existing(runtime.db, lambda _: None) == 0  # resumable: nothing left
    async with runtime.db.session() as session:
        found = await session.scalar(select(Conversation.id).where(matches_search("ORDER unicode")))
        assert found == ids["open"]
    try:
        async with runtime.db.session() as session:
            agent = await session.get(User, ids["agent"])
            assert agent is not None and agent.deleted_at is None and agent.is_active
            assert verify_password(agent.password_hash, "correct horse")
            visitor = await session.get(Visitor, ids["visitor"])
            assert visitor is not None and visitor.external_id is None
            assert visitor.page_url == "https://shop.example/cart"
            open_one = await session.get(Conversation, ids["open"])
            owned = await session.get(Conversation, ids["owned"])
            assert open_one is not None and owned is not None
            # conversations from before channels existed came through the widget
            assert (open_one.channel, owned.channel) == ("widget", "widget")
            assert (owned.status, owned.assignee_id) == ("agent", ids["agent"])
            [message] = await session.scalars(
                select(Message).where(Message.conversation_id == ids["open"])
            )
            assert message.text == "Where is my order? ünïcode ✓"
            welcome = await session.get(OutboxEmail, ids["email"])
            assert welcome is not None and welcome.headers == {}
            assert (welcome.status, welcome.provider_id, welcome.attempts) == ("sent", "re_123", 1)
            assert welcome.sent_at == WHEN and welcome.to_address == "dana@example.com"
            [kept] = await session.scalars(select(VisitorSession))
            assert kept.conversation_id == ids["open"]

            # and the upgraded rows go through today's pipeline
            uow = UnitOfWork(session, runtime)
            _, created = await receive_visitor_message(
                uow, open_one, text="Can I speak to a person?", client_id="new-1", channel="widget"
            )
            assert created and open_one.status == "waiting"
            await lifecycle.resolve(uow, owned, VISITOR)
            await session.commit()
            stored = await session.scalar(
                select(sa.func.count())
                .select_from(Message)
                .where(Message.conversation_id == ids["open"])
            )
            assert (stored or 0) >= 2
    finally:
        await runtime.db.dispose()
