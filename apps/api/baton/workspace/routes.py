from __future__ import annotations

import msgspec
from litestar import Controller, get, patch

from baton.audit.service import diff, record_audit
from baton.auth.edge import requires
from baton.auth.permissions import Permission
from baton.auth.principal import Principal
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
    async def update_settings(
        self, uow: UnitOfWork, principal: Principal, data: WorkspacePatch
    ) -> WorkspaceConfig:
        before = await service.get_config(uow.session)
        after = await service.update_config(uow.session, data)
        changes = diff(msgspec.to_builtins(before), msgspec.to_builtins(after))
        if changes:
            record_audit(uow, principal, "settings.updated", "settings", "workspace", changes)
        return after
