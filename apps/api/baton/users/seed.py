"""The demo admin and agent that ``baton demo`` creates (idempotent: by email)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from baton.users.models import User
from baton.users.service import create_user

DEMO_USERS = (
    ("admin@baton.local", "baton-admin", "admin", "Ada Admin"),
    ("agent@baton.local", "baton-agent", "agent", "Dana Agent"),
)


async def seed(session: AsyncSession) -> None:
    for email, password, role, name in DEMO_USERS:
        if await session.scalar(select(User).where(User.email == email)) is None:
            await create_user(session, email=email, password=password, role=role, name=name)
