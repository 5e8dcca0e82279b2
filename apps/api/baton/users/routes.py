from __future__ import annotations

import uuid

from litestar import Controller, delete, get, patch, post
from litestar.status_codes import HTTP_204_NO_CONTENT

from baton.auth.edge import requires
from baton.auth.permissions import Permission
from baton.auth.principal import Principal
from baton.kit.errors import Conflict
from baton.kit.http import errors
from baton.kit.uow import UnitOfWork
from baton.users import service
from baton.users.schemas import UserCreate, UserList, UserOut, UserPatch


class UsersController(Controller):
    path = "/api/v1/users"
    tags = ["users"]
    guards = [requires(Permission.USERS_MANAGE)]

    @get("/", responses=errors(403))
    async def list_users(self, uow: UnitOfWork) -> UserList:
        return UserList([UserOut.of(u) for u in await service.list_users(uow.session)])

    @post("/", responses=errors(403, 409))
    async def create_user(self, uow: UnitOfWork, data: UserCreate) -> UserOut:
        user = await service.create_user(
            uow.session, email=data.email, password=data.password, role=data.role, name=data.name
        )
        uow.enqueue("notifications.welcome_email", user_id=str(user.id))
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
        await service.update_user(
            uow.session,
            user,
            name=data.name,
            role=data.role,
            is_active=data.is_active,
            password=data.password,
        )
        return UserOut.of(user)

    @delete("/{user_id:uuid}", status_code=HTTP_204_NO_CONTENT, responses=errors(403, 404, 409))
    async def delete_user(self, uow: UnitOfWork, principal: Principal, user_id: uuid.UUID) -> None:
        if user_id == principal.user_id:
            raise Conflict("you cannot delete yourself", code="self_deletion")
        await service.delete_user(uow.session, await service.get_user(uow.session, user_id))
