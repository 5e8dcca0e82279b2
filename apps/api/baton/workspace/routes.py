from __future__ import annotations

from litestar import Controller, get, patch

from baton.auth.edge import requires
from baton.auth.permissions import Permission
from baton.kit.http import errors
from baton.kit.uow import UnitOfWork
from baton.workspace import service
from baton.workspace.service import WorkspaceConfig, WorkspacePatch


class WorkspaceController(Controller):
    path = "/api/v1/settings"
    tags = ["settings"]
    guards = [requires(Permission.SETTINGS_MANAGE)]

    @get("/", responses=errors(403))
    async def get_settings(self, uow: UnitOfWork) -> WorkspaceConfig:
        return await service.get_config(uow.session)

    @patch("/", responses=errors(403))
    async def update_settings(self, uow: UnitOfWork, data: WorkspacePatch) -> WorkspaceConfig:
        return await service.update_config(uow.session, data)
