"""``baton demo``: seed a demo workspace (idempotent), and print how to sign in.

Each domain that has demo data has a ``seed.py`` with ``async def seed(session)``; the
catalog finds them (users first, so later seeders can refer to the demo people).
"""

from __future__ import annotations

from baton.db.engine import Database
from baton.keys.service import load_keyring
from baton.settings import get_settings
from baton.users.seed import DEMO_USERS

__all__ = ["DEMO_USERS", "seed_demo"]


async def seed_demo(*, print_summary: bool = True) -> int:
    from baton import catalog

    catalog.import_models()
    settings = get_settings()
    db = Database.for_scripts(settings.database_url)
    try:
        await load_keyring(db, settings)  # the demo's messages and visitors are sealed too
        async with db.session() as session:
            for seeder in catalog.seeders():
                await seeder(session)
            await session.commit()
    finally:
        await db.dispose()
    if print_summary:
        print("demo workspace ready:")
        for email, password, role, _ in DEMO_USERS:
            print(f"  {role:<6} {email} / {password}")
    return 0
