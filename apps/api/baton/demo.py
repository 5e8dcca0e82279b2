"""``baton demo``: seed a demo workspace (idempotent), and print how to sign in."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from baton.db.engine import Database
from baton.settings import get_settings
from baton.users.models import User
from baton.users.service import create_user

DEMO_USERS = (
    ("admin@baton.local", "baton-admin", "admin", "Ada Admin"),
    ("agent@baton.local", "baton-agent", "agent", "Dana Agent"),
)

# Other domains append their seeders here (knowledge base, canned replies...).
SEEDERS: list[Callable[[AsyncSession], Awaitable[None]]] = []


async def seed_users(session: AsyncSession) -> None:
    for email, password, role, name in DEMO_USERS:
        if await session.scalar(select(User).where(User.email == email)) is None:
            await create_user(session, email=email, password=password, role=role, name=name)


async def seed_demo(*, print_summary: bool = True) -> int:
    from baton import catalog

    catalog.import_models()
    settings = get_settings()
    db = Database.for_scripts(settings.database_url)
    try:
        async with db.session() as session:
            await seed_users(session)
            for seeder in SEEDERS:
                await seeder(session)
            await session.commit()
    finally:
        await db.dispose()
    if print_summary:
        print("demo workspace ready:")
        for email, password, role, _ in DEMO_USERS:
            print(f"  {role:<6} {email} / {password}")
    return 0
