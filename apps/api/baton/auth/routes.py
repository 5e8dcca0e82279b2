from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, delete, get, patch, post
from litestar.status_codes import HTTP_200_OK, HTTP_204_NO_CONTENT

from baton.audit.service import diff, record_audit
from baton.auth import roles as role_service
from baton.auth import service
from baton.auth.edge import PUBLIC, requires
from baton.auth.lockout import failure_log
from baton.auth.passwords import verify_password_async
from baton.auth.permissions import API_KEY_PERMISSIONS, Permission
from baton.auth.principal import Principal
from baton.auth.revocation import refresh_role_sockets, revoke_sockets
from baton.auth.schemas import (
    ApiKeyCreated,
    ApiKeyIn,
    ApiKeyList,
    ApiKeyOut,
    LoginIn,
    LoginOut,
    LoginUser,
    MeOut,
    RoleIn,
    RoleList,
    RoleOut,
    RolePatch,
)
from baton.auth.tokens import issue_access_token
from baton.db.base import utcnow
from baton.kit.errors import Forbidden, Unauthorized, ValidationFailed
from baton.kit.http import errors
from baton.kit.uow import UnitOfWork
from baton.runtime import Runtime
from baton.users import service as users
from baton.users.schemas import MePatch


def client_ip(request: Request[Any, Any, Any]) -> str:
    return request.client.host if request.client else "unknown"


def _me(
    principal: Principal,
    email: str | None,
    presence: str | None,
    access_token: str | None = None,
) -> MeOut:
    return MeOut(
        kind=principal.kind,
        id=principal.id,
        name=principal.own_name,
        role=principal.role,
        permissions=sorted(p.value for p in principal.permissions),
        email=email,
        presence=presence,
        access_token=access_token,
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
            failures=failure_log(runtime),
        )
        user = result.user
        return LoginOut(
            access_token=result.access_token,
            token_type="bearer",
            expires_at=result.expires_at,
            user=LoginUser(user.id, user.email, user.name, user.role),
            permissions=sorted(p.value for p in result.permissions),
        )

    @get("/me", responses=errors())
    async def me(self, uow: UnitOfWork, principal: Principal) -> MeOut:
        if principal.user_id is None:
            return _me(principal, None, None)
        user = await users.get_user(uow.session, principal.user_id)
        return _me(principal, user.email, user.presence)

    @patch("/me", responses=errors(403))
    async def update_me(
        self, uow: UnitOfWork, runtime: Runtime, principal: Principal, data: MePatch
    ) -> MeOut:
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
        new_token = None
        if data.password is not None:
            # every other session ends (tokens and live sockets); this one gets a new token
            record_audit(
                uow, principal, "users.password_changed", "user", user.id, {"password": "x"}
            )
            revoke_sockets(uow, [user.id])
            new_token, _ = issue_access_token(
                runtime.settings.secret_key,
                user.id,
                user.token_version,
                runtime.settings.access_token_minutes,
            )
        if data.presence is not None:
            uow.publish(
                "agent_presence",
                {"user_id": str(user.id), "presence": user.presence},
                rooms="agents",
                namespace="/agent",
            )
        return _me(principal, user.email, user.presence, new_token)


class ApiKeysController(Controller):
    path = "/api/v1/api-keys"
    tags = ["api-keys"]
    guards = [requires(Permission.API_KEYS_MANAGE)]

    @post("/", responses=errors(403))
    async def create(self, uow: UnitOfWork, principal: Principal, data: ApiKeyIn) -> ApiKeyCreated:
        """``scopes`` default to the integrator set; only permissions the caller holds."""
        if principal.user_id is None:
            raise Forbidden("API keys cannot mint API keys")
        if not data.name.strip():
            raise ValidationFailed("name must not be blank")
        scopes = None
        if data.scopes is not None:
            granted = role_service.check_permission_names(data.scopes)
            role_service.check_grantable(granted, principal.permissions)
            scopes = sorted(p.value for p in granted)
        else:
            role_service.check_grantable(API_KEY_PERMISSIONS, principal.permissions)
        if data.expires_at is not None:
            if data.expires_at.tzinfo is None:
                raise ValidationFailed("expires_at needs a time zone (e.g. Z)")
            if data.expires_at <= utcnow():
                raise ValidationFailed("expires_at must be in the future", code="invalid_expiry")
        key, raw = await service.create_api_key(
            uow.session,
            name=data.name,
            created_by=principal.user_id,
            scopes=scopes,
            expires_at=data.expires_at,
        )
        record_audit(
            uow,
            principal,
            "api_keys.created",
            "api_key",
            key.id,
            diff({}, {"name": key.name, "scopes": key.scopes, "expires_at": key.expires_at}),
        )
        return ApiKeyCreated(
            key.id,
            key.name,
            key.prefix,
            raw,
            key.created_at,
            list(key.scopes or []),
            key.expires_at,
        )

    @get("/", responses=errors(403))
    async def list_keys(self, uow: UnitOfWork) -> ApiKeyList:
        return ApiKeyList([ApiKeyOut.of(k) for k in await service.list_api_keys(uow.session)])

    @delete("/{key_id:uuid}", status_code=HTTP_204_NO_CONTENT, responses=errors(403, 404))
    async def revoke(self, uow: UnitOfWork, principal: Principal, key_id: uuid.UUID) -> None:
        key = await service.get_api_key(uow.session, key_id)
        if key.revoked_at is None:
            await service.revoke_api_key(uow.session, key_id)
            record_audit(uow, principal, "api_keys.revoked", "api_key", key.id, {"name": key.name})
        revoke_sockets(uow, [key.id])


class RolesController(Controller):
    path = "/api/v1/roles"
    tags = ["roles"]
    guards = [requires(Permission.ROLES_MANAGE)]

    @get("/", responses=errors(403))
    async def list_roles(self, uow: UnitOfWork) -> RoleList:
        return RoleList([RoleOut.of(v) for v in await role_service.list_roles(uow.session)], None)

    @post("/", responses=errors(403, 409))
    async def create_role(self, uow: UnitOfWork, principal: Principal, data: RoleIn) -> RoleOut:
        view = await role_service.create_role(
            uow.session,
            name=data.name,
            permissions=data.permissions,
            description=data.description,
            granted_by=principal.permissions,
        )
        record_audit(
            uow,
            principal,
            "roles.created",
            "role",
            view.name,
            diff({}, {"permissions": sorted(view.permissions), "description": view.description}),
        )
        refresh_role_sockets(uow, [view.name])
        return RoleOut.of(view)

    @get("/{name:str}", responses=errors(403, 404))
    async def get_role(self, uow: UnitOfWork, name: str) -> RoleOut:
        return RoleOut.of(await role_service.get_role(uow.session, name))

    @patch("/{name:str}", responses=errors(403, 404, 409))
    async def update_role(
        self, uow: UnitOfWork, principal: Principal, name: str, data: RolePatch
    ) -> RoleOut:
        before, after = await role_service.update_role(
            uow.session,
            name,
            new_name=data.name,
            permissions=data.permissions,
            description=data.description,
            granted_by=principal.permissions,
        )

        def audited(v: role_service.RoleView) -> dict[str, Any]:
            return {
                "name": v.name,
                "permissions": sorted(v.permissions),
                "description": v.description,
            }

        changes = diff(audited(before), audited(after))
        if changes:
            record_audit(uow, principal, "roles.updated", "role", name, changes)
        refresh_role_sockets(uow, sorted({before.name, after.name}))
        return RoleOut.of(after)

    @delete("/{name:str}", status_code=HTTP_204_NO_CONTENT, responses=errors(403, 404, 409))
    async def delete_role(self, uow: UnitOfWork, principal: Principal, name: str) -> None:
        view = await role_service.delete_role(uow.session, name)
        record_audit(
            uow,
            principal,
            "roles.deleted",
            "role",
            view.name,
            diff({"permissions": sorted(view.permissions), "description": view.description}, {}),
        )
        refresh_role_sockets(uow, [view.name])
