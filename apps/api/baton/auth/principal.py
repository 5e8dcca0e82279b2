from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Literal

from baton.auth.permissions import Permission


@dataclass(frozen=True)
class Principal:
    """Who is calling: a signed-in user or an integrator's API key."""

    kind: Literal["user", "api_key"]
    id: uuid.UUID
    name: str
    role: str
    permissions: frozenset[Permission]

    @property
    def user_id(self) -> uuid.UUID | None:
        return self.id if self.kind == "user" else None

    def has(self, permission: Permission) -> bool:
        return permission in self.permissions
