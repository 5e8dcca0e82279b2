from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, delete, get, patch, post
from litestar.status_codes import HTTP_204_NO_CONTENT

from baton.audit.service import diff, record_audit
from baton.auth.edge import requires
from baton.auth.passwords import verify_password_async
from baton.auth.permissions import Permission
from baton.auth.principal import Principal
from baton.auth.revocation import revoke_sockets
from baton.auth.roles import check_grantable
from baton.kit.errors import Conflict, Unauthorized, ValidationFailed
from baton.kit.http import errors
from baton.kit.uow import UnitOfWork
from baton.mail.welcome import queue_welcome
from baton.users import service
from baton.users.models import User
from baton.users.schemas import UserCreate, UserList, UserOut, UserPatch


def _audited(user: User) -> dict[str, Any]:
    return {"email": user.email, "name": user.name, "role": user.role, "is_active": user.is_active}


class UsersController(Controller):
    path = "/api/v1/users"
    tags = ["users"]
    guards = [requires(Permission.USERS_MANAGE)]

    @get("/", responses=errors(403))
    async def list_users(self, uow: UnitOfWork) -> UserList:
        return UserList([UserOut.of(u) for u in await service.list_users(uow.session)])

    @post("/", responses=errors(403, 409))
    async def create_user(self, uow: UnitOfWork, principal: Principal, data: UserCreate) -> UserOut:
        check_grantable(await service.role_grants(uow.session, data.role), principal.permissions)
        user = await service.create_user(
            uow.session, email=data.email, password=data.password, role=data.role, name=data.name
        )
        record_audit(uow, principal, "users.created", "user", user.id, diff({}, _audited(user)))
        queue_welcome(uow, user)
        return UserOut.of(user)

    @get("/{user_id:uuid}", responses=errors(403, 404))
    async def get_user(self, uow: UnitOfWork, user_id: uuid.UUID) -> UserOut:
        return UserOut.of(await service.get_user(uow.session, user_id))

    @patch("/{user_id:uuid}", responses=errors(403, 404, 409))
    async def update_user(
        self, uow: UnitOfWork, principal: Principal, user_id: uuid.UUID, data: UserPatch
    ) -> UserOut:
        user = await service.get_user(uow.session, user_id)
        if user.id == principal.user_id and (data.is_active is False):
            raise Conflict("you cannot deactivate yourself", code="self_deactivation")
        if user.id == principal.user_id and data.password is not None:
            # a stolen token must not be enough to take the account over
            if data.current_password is None:
                raise ValidationFailed(
                    "current_password is required to change your own password",
                    code="current_password_required",
                )
            if not await verify_password_async(user.password_hash, data.current_password):
                raise Unauthorized("current password is wrong", code="invalid_credentials")
        if data.role is not None and data.role != user.role:
            check_grantable(
                await service.role_grants(uow.session, data.role), principal.permissions
            )
        before = _audited(user)
        version = user.token_version
        await service.update_user(
            uow.session,
            user,
            name=data.name,
            role=data.role,
            is_active=data.is_active,
            password=data.password,
        )
        changes = diff(before, _audited(user))
        if data.password is not None:
            changes["password"] = {"before": "x", "after": "x"}  # recorded as redacted
        if changes:
            record_audit(uow, principal, "users.updated", "user", user.id, changes)
        if user.token_version != version or before["role"] != user.role:
            revoke_sockets(uow, [user.id])
        return UserOut.of(user)

    @delete("/{user_id:uuid}", status_code=HTTP_204_NO_CONTENT, responses=errors(403, 404, 409))
    async def delete_user(self, uow: UnitOfWork, principal: Principal, user_id: uuid.UUID) -> None:
        if user_id == principal.user_id:
            raise Conflict("you cannot delete yourself", code="self_deletion")
        user = await service.get_user(uow.session, user_id)
        before = _audited(user)
        await service.delete_user(uow.session, user)
        record_audit(uow, principal, "users.deleted", "user", user.id, diff(before, {}))
        revoke_sockets(uow, [user.id])
