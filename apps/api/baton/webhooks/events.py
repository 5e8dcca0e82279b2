"""What the webhooks domain tells the others."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import ClassVar

from baton.kit.events import DomainEvent


@dataclass(frozen=True)
class WebhookDisabled(DomainEvent):
    """A subscription was switched off after deliveries failed in a row (admins are told)."""

    name: ClassVar[str] = "webhooks.disabled"
    webhook_id: uuid.UUID
    url: str
    reason: str
