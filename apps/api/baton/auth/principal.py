from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Literal

from baton.auth.permissions import Permission


@dataclass(frozen=True)
class Principal:
    """Who is calling: a signed-in user or an integrator's API key.

    ``name`` is what other people see (agents in the inbox, visitors in the widget): for an
    API key it is a neutral label, never the key's own name, which only admins see (``label``,
    used by /me and the audit log)."""

    kind: Literal["user", "api_key"]
    id: uuid.UUID
    name: str
    role: str
    permissions: frozenset[Permission]
    label: str | None = field(default=None, compare=False)

    @property
    def user_id(self) -> uuid.UUID | None:
        return self.id if self.kind == "user" else None

    @property
    def own_name(self) -> str:
        return self.label or self.name

    def has(self, permission: Permission) -> bool:
        return permission in self.permissions
