"""The fast tier: services on a unit of work bound to a transaction that is rolled back.

No server, no sockets: a test calls a service with a ``UnitOfWork`` whose session lives in
one outer transaction, then reads what it recorded (``uow.domain_events``, ``uow.jobs``)
and what it wrote; the transaction is rolled back afterwards, so tests share nothing.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator
from typing import Any, TypeVar

import pytest
import socketio
from sqlalchemy.ext.asyncio import AsyncSession

from baton.auth.permissions import permissions_for_role
from baton.auth.principal import Principal
from baton.conversations.models import Conversation, Message
from baton.keys.service import load_keyring
from baton.kit.events import DomainEvent
from baton.kit.uow import UnitOfWork
from baton.realtime.connections import MemoryConnections
from baton.runtime import Runtime, build_runtime
from baton.settings import Settings
from baton.users.models import User
from baton.visitors.models import Visitor
from baton.workspace.service import clear_config_cache

E = TypeVar("E", bound=DomainEvent)


@pytest.fixture(scope="session")
async def service_runtime(settings: Settings) -> AsyncIterator[Runtime]:
    """A runtime that is never served: in-process jobs and presence, nothing emitted."""
    local = dataclasses.replace(settings, redis_url=None)
    runtime = build_runtime(local, sio=socketio.AsyncServer(async_mode="asgi"))
    await load_keyring(runtime.db, local)  # what runtime.start() does first
    yield runtime
    await runtime.db.dispose()


@pytest.fixture
async def tx(service_runtime: Runtime) -> AsyncIterator[UnitOfWork]:
    async with service_runtime.db.engine.connect() as conn:
        outer = await conn.begin()
        session = AsyncSession(
            bind=conn, expire_on_commit=False, join_transaction_mode="create_savepoint"
        )
        clear_config_cache()
        try:
            yield UnitOfWork(session, service_runtime)
        finally:
            await session.close()
            await outer.rollback()
            clear_config_cache()
            connections = service_runtime.connections
            assert isinstance(connections, MemoryConnections)
            connections.counts.clear()


def recorded(uow: UnitOfWork, kind: type[E]) -> list[E]:
    return [e for e in uow.domain_events if isinstance(e, kind)]


def job_names(uow: UnitOfWork) -> list[str]:
    return [job.name for job in uow.jobs]


async def add_user(
    uow: UnitOfWork, *, role: str = "agent", name: str = "Dana", online: bool = False
) -> User:
    """An agent (or admin); ``online`` also counts them as having the inbox open."""
    user = User(
        email=f"{uuid.uuid4().hex[:10]}@example.com",
        name=name,
        password_hash="x",
        role=role,
        presence="online" if online else "offline",
    )
    uow.session.add(user)
    await uow.session.flush()
    if online:
        await uow.runtime.connections.connected(user.id)
    return user


def principal_of(user: User) -> Principal:
    return Principal("user", user.id, user.name, user.role, permissions_for_role(user.role))


async def add_conversation(
    uow: UnitOfWork, *, channel: str = "widget", **fields: Any
) -> Conversation:
    visitor = Visitor(name="Priya")
    uow.session.add(visitor)
    await uow.session.flush()
    conversation = Conversation(visitor_id=visitor.id, channel=channel, **fields)
    uow.session.add(conversation)
    await uow.session.flush()
    uow.keep(visitor, conversation)
    return conversation


async def messages_of(uow: UnitOfWork, conversation: Conversation) -> list[Message]:
    from sqlalchemy import select

    rows = await uow.session.scalars(
        select(Message).where(Message.conversation_id == conversation.id).order_by(Message.id)
    )
    return list(rows)
