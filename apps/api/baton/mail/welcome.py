"""The welcome email to a new agent or admin, queued with the account that caused it."""

from __future__ import annotations

from baton.kit.uow import UnitOfWork
from baton.mail import outbox, templates
from baton.mail.models import OutboxEmail
from baton.users.models import User


def queue_welcome(uow: UnitOfWork, user: User) -> OutboxEmail:
    settings = uow.runtime.settings
    return outbox.queue(
        uow,
        kind="welcome",
        to=user.email,
        rendered=templates.welcome(user.name, user.role, f"{settings.public_url}/app/"),
    )
