from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import msgspec

from baton.auth.models import ApiKey
from baton.auth.permissions import API_KEY_PERMISSIONS

if TYPE_CHECKING:
    from baton.auth.roles import RoleView


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
    # set only after a password change: the caller's new token (every other one ended)
    access_token: str | None = None


PermissionName = Annotated[str, msgspec.Meta(max_length=64)]


class ApiKeyIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=120)]
    scopes: Annotated[list[PermissionName], msgspec.Meta(max_length=64)] | None = None
    expires_at: datetime | None = None


class ApiKeyOut(msgspec.Struct):
    id: uuid.UUID
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    scopes: list[str]
    expires_at: datetime | None

    @classmethod
    def of(cls, key: ApiKey) -> ApiKeyOut:
        scopes = sorted(p.value for p in API_KEY_PERMISSIONS) if key.scopes is None else key.scopes
        return cls(
            key.id,
            key.name,
            key.prefix,
            key.created_at,
            key.last_used_at,
            key.revoked_at,
            list(scopes),
            key.expires_at,
        )


class ApiKeyCreated(msgspec.Struct):
    id: uuid.UUID
    name: str
    prefix: str
    key: str
    created_at: datetime
    scopes: list[str]
    expires_at: datetime | None


class ApiKeyList(msgspec.Struct):
    items: list[ApiKeyOut]


RoleName = Annotated[str, msgspec.Meta(min_length=1, max_length=32)]
Description = Annotated[str, msgspec.Meta(max_length=200)]


class RoleIn(msgspec.Struct, forbid_unknown_fields=True):
    name: RoleName
    permissions: Annotated[list[PermissionName], msgspec.Meta(max_length=64)]
    description: Description | None = None


class RolePatch(msgspec.Struct, forbid_unknown_fields=True):
    name: RoleName | None = None
    permissions: Annotated[list[PermissionName], msgspec.Meta(max_length=64)] | None = None
    description: Description | None = None


class RoleOut(msgspec.Struct):
    name: str
    permissions: list[str]
    builtin: bool
    description: str
    users: int

    @classmethod
    def of(cls, view: RoleView) -> RoleOut:
        return cls(
            view.name,
            sorted(p.value for p in view.permissions),
            view.builtin,
            view.description,
            view.users,
        )


class RoleList(msgspec.Struct):
    items: list[RoleOut]
    next_cursor: str | None = None
