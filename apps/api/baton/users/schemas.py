from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

import msgspec

from baton.users.models import User

Str120 = Annotated[str, msgspec.Meta(max_length=120)]
Email = Annotated[str, msgspec.Meta(max_length=320)]
Password = Annotated[str, msgspec.Meta(max_length=1024)]
RoleName = Annotated[str, msgspec.Meta(max_length=32)]


class UserOut(msgspec.Struct):
    id: uuid.UUID
    email: str
    name: str
    role: str
    is_active: bool
    presence: str
    created_at: datetime

    @classmethod
    def of(cls, user: User) -> UserOut:
        return cls(
            id=user.id,
            email=user.email,
            name=user.name,
            role=user.role,
            is_active=user.is_active,
            presence=user.presence,
            created_at=user.created_at,
        )


class UserCreate(msgspec.Struct, forbid_unknown_fields=True):
    email: Email
    password: Password
    role: RoleName = "agent"
    name: Str120 | None = None


class UserPatch(msgspec.Struct, forbid_unknown_fields=True):
    name: Str120 | None = None
    role: RoleName | None = None
    is_active: bool | None = None
    password: Password | None = None
    # required when an admin changes their own password (as on PATCH /me)
    current_password: Password | None = None


class MePatch(msgspec.Struct, forbid_unknown_fields=True):
    name: Str120 | None = None
    presence: str | None = None
    password: Password | None = None
    current_password: Password | None = None


class UserList(msgspec.Struct):
    items: list[UserOut]
