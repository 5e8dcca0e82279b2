"""Factories as plain functions: create what a test needs, through the services."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx

from baton.analytics.facts import FIRST_RESPONSE
from baton.analytics.models import ReportingEvent
from baton.analytics.reply_time import TypicalReplyCache
from baton.conversations.models import Conversation
from baton.db.base import utcnow
from baton.runtime import Runtime
from baton.users.models import User
from baton.users.service import create_user
from baton.visitors.models import Visitor

DEFAULT_PASSWORD = "correct-horse-1"


async def make_user(
    runtime: Runtime,
    *,
    role: str = "agent",
    email: str | None = None,
    name: str | None = None,
    password: str = DEFAULT_PASSWORD,
    presence: str = "offline",
) -> User:
    async with runtime.db.session() as session:
        user = await create_user(
            session,
            email=email or f"{role}-{uuid.uuid4().hex[:8]}@example.com",
            password=password,
            role=role,
            name=name,
        )
        user.presence = presence
        await session.commit()
        return user


async def login(client: httpx.AsyncClient, email: str, password: str = DEFAULT_PASSWORD) -> str:
    response = await client.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def user_headers(
    client: httpx.AsyncClient, runtime: Runtime, role: str = "agent", **kwargs: Any
) -> tuple[User, dict[str, str]]:
    user = await make_user(runtime, role=role, **kwargs)
    return user, bearer(await login(client, user.email))


async def first_replies(
    runtime: Runtime, seconds: list[float], days_ago: float = 0, *, refresh: bool = True
) -> None:
    """First replies as the analytics listeners record them, ``days_ago`` in the past."""
    async with runtime.db.session() as session:
        visitor = Visitor(name="Replied To")
        session.add(visitor)
        await session.flush()
        for value in seconds:
            conversation = Conversation(visitor_id=visitor.id, status="resolved")
            session.add(conversation)
            await session.flush()
            session.add(
                ReportingEvent(
                    kind=FIRST_RESPONSE,
                    conversation_id=conversation.id,
                    at=utcnow() - timedelta(days=days_ago),
                    value_seconds=value,
                )
            )
        await session.commit()
    if refresh:  # read again on the next request, not the figure cached a moment ago
        runtime.slot(TypicalReplyCache).read_at = float("-inf")
