from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, delete, get, patch, post
from litestar.status_codes import HTTP_200_OK, HTTP_204_NO_CONTENT

from baton.auth import service
from baton.auth.edge import PUBLIC, requires
from baton.auth.passwords import verify_password_async
from baton.auth.permissions import Permission
from baton.auth.principal import Principal
from baton.auth.schemas import (
    ApiKeyCreated,
    ApiKeyIn,
    ApiKeyList,
    ApiKeyOut,
    LoginIn,
    LoginOut,
    LoginUser,
    MeOut,
)
from baton.kit.errors import Forbidden, Unauthorized, ValidationFailed
from baton.kit.http import errors
from baton.kit.uow import UnitOfWork
from baton.runtime import Runtime
from baton.users import service as users
from baton.users.schemas import MePatch


def client_ip(request: Request[Any, Any, Any]) -> str:
    return request.client.host if request.client else "unknown"


def _me(principal: Principal, email: str | None, presence: str | None) -> MeOut:
    return MeOut(
        kind=principal.kind,
        id=principal.id,
        name=principal.name,
        role=principal.role,
        permissions=sorted(p.value for p in principal.permissions),
        email=email,
        presence=presence,
    )


class AuthController(Controller):
    path = "/api/v1"
    tags = ["auth"]

    @post("/auth/login", opt=PUBLIC, status_code=HTTP_200_OK, responses=errors(429))
    async def login(
        self, request: Request[Any, Any, Any], uow: UnitOfWork, runtime: Runtime, data: LoginIn
    ) -> LoginOut:
        result = await service.login(
            uow.session,
            runtime.settings,
            runtime.limiter,
            email=data.email,
            password=data.password,
            client_ip=client_ip(request),
        )
        user = result.user
        principal = service.principal_for_user(user)
        return LoginOut(
            access_token=result.access_token,
            token_type="bearer",
            expires_at=result.expires_at,
            user=LoginUser(user.id, user.email, user.name, user.role),
            permissions=sorted(p.value for p in principal.permissions),
        )

    @get("/me")
    async def me(self, uow: UnitOfWork, principal: Principal) -> MeOut:
        if principal.user_id is None:
            return _me(principal, None, None)
        user = await users.get_user(uow.session, principal.user_id)
        return _me(principal, user.email, user.presence)

    @patch("/me", responses=errors(403))
    async def update_me(self, uow: UnitOfWork, principal: Principal, data: MePatch) -> MeOut:
        if principal.user_id is None:
            raise Forbidden("API keys have no profile")
        user = await users.get_user(uow.session, principal.user_id)
        if data.password is not None:
            if data.current_password is None:
                raise ValidationFailed("current_password is required to change the password")
            if not await verify_password_async(user.password_hash, data.current_password):
                raise Unauthorized("current password is wrong", code="invalid_credentials")
        await users.update_user(
            uow.session, user, name=data.name, presence=data.presence, password=data.password
        )
        if data.presence is not None:
            uow.publish(
                "agent_presence",
                {"user_id": str(user.id), "presence": user.presence},
                rooms="agents",
                namespace="/agent",
            )
        return _me(service.principal_for_user(user), user.email, user.presence)


class ApiKeysController(Controller):
    path = "/api/v1/api-keys"
    tags = ["api-keys"]
    guards = [requires(Permission.API_KEYS_MANAGE)]

    @post("/", responses=errors(403))
    async def create(self, uow: UnitOfWork, principal: Principal, data: ApiKeyIn) -> ApiKeyCreated:
        if principal.user_id is None:
            raise Forbidden("API keys cannot mint API keys")
        if not data.name.strip():
            raise ValidationFailed("name must not be blank")
        key, raw = await service.create_api_key(
            uow.session, name=data.name, created_by=principal.user_id
        )
        return ApiKeyCreated(key.id, key.name, key.prefix, raw, key.created_at)

    @get("/", responses=errors(403))
    async def list_keys(self, uow: UnitOfWork) -> ApiKeyList:
        return ApiKeyList([ApiKeyOut.of(k) for k in await service.list_api_keys(uow.session)])

    @delete("/{key_id:uuid}", status_code=HTTP_204_NO_CONTENT, responses=errors(403, 404))
    async def revoke(self, uow: UnitOfWork, key_id: uuid.UUID) -> None:
        await service.revoke_api_key(uow.session, key_id)
