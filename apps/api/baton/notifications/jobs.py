from __future__ import annotations

import uuid

from baton.jobs import job
from baton.kit.uow import UnitOfWork
from baton.notifications.models import EmailMessage
from baton.notifications.service import deliver
from baton.users.models import User


@job("notifications.welcome_email")
async def welcome_email(uow: UnitOfWork, *, user_id: str) -> str | None:
    """Tell a new agent or admin where to sign in."""
    user = await uow.session.get(User, uuid.UUID(user_id))
    if user is None or user.deleted_at is not None:
        return None
    settings = uow.runtime.settings
    message = EmailMessage(
        to_address=user.email,
        subject="Your Baton account",
        body_text=(
            f"Hello {user.name},\n\nAn account was created for you on Baton as {user.role}.\n"
            f"Sign in at {settings.public_url}/app/ with this email address.\n"
        ),
        kind="welcome",
    )
    uow.session.add(message)
    await deliver(settings, message)
    await uow.session.flush()
    return message.status
