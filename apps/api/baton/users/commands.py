"""CLI entry points for users (run outside a request, in their own unit of work)."""

from __future__ import annotations

import sys

from baton.audit.service import diff, record_audit
from baton.db.engine import Database
from baton.kit.errors import DomainError
from baton.settings import get_settings
from baton.users.service import create_user


async def create_user_command(*, email: str, password: str, role: str, name: str | None) -> int:
    db = Database.for_scripts(get_settings().database_url)
    try:
        async with db.session() as session:
            user = await create_user(session, email=email, password=password, role=role, name=name)
            record_audit(
                session,
                None,
                "users.created",
                "user",
                user.id,
                diff({}, {"email": user.email, "name": user.name, "role": user.role}),
            )
            await session.commit()
            print(f"created {user.role} {user.email} ({user.id})")
            return 0
    except DomainError as exc:
        print(f"error: {exc.code}: {exc.detail}", file=sys.stderr)
        return 1
    finally:
        await db.dispose()
