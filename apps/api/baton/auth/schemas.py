from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

import msgspec

from baton.auth.models import ApiKey


class LoginIn(msgspec.Struct, forbid_unknown_fields=True):
    email: Annotated[str, msgspec.Meta(max_length=320)]
    password: Annotated[str, msgspec.Meta(max_length=1024)]


class LoginUser(msgspec.Struct):
    id: uuid.UUID
    email: str
    name: str
    role: str


class LoginOut(msgspec.Struct):
    access_token: str
    token_type: str
    expires_at: datetime
    user: LoginUser
    permissions: list[str]


class MeOut(msgspec.Struct):
    kind: str
    id: uuid.UUID
    name: str
    role: str
    permissions: list[str]
    email: str | None = None
    presence: str | None = None


class ApiKeyIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=120)]


class ApiKeyOut(msgspec.Struct):
    id: uuid.UUID
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @classmethod
    def of(cls, key: ApiKey) -> ApiKeyOut:
        return cls(key.id, key.name, key.prefix, key.created_at, key.last_used_at, key.revoked_at)


class ApiKeyCreated(msgspec.Struct):
    id: uuid.UUID
    name: str
    prefix: str
    key: str
    created_at: datetime


class ApiKeyList(msgspec.Struct):
    items: list[ApiKeyOut]
