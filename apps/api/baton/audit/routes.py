from __future__ import annotations

import uuid
from typing import Annotated

from litestar import Controller, get
from litestar.params import Parameter

from baton.audit import service
from baton.audit.schemas import AuditEntryOut, AuditPage
from baton.auth.edge import requires
from baton.auth.permissions import Permission
from baton.kit.http import errors
from baton.kit.pagination import MAX_LIMIT, check_limit
from baton.kit.uow import UnitOfWork


class AuditController(Controller):
    path = "/api/v1/audit"
    tags = ["audit"]
    guards = [requires(Permission.AUDIT_READ)]

    @get("/", responses=errors(403))
    async def list_entries(
        self,
        uow: UnitOfWork,
        action: Annotated[
            str | None,
            Parameter(max_length=64, description="e.g. users.updated, or users.* for a domain"),
        ] = None,
        actor_id: uuid.UUID | None = None,
        target_type: Annotated[str | None, Parameter(max_length=40)] = None,
        target_id: Annotated[str | None, Parameter(max_length=64)] = None,
        limit: Annotated[int, Parameter(ge=1, le=MAX_LIMIT)] = 50,
        cursor: Annotated[str | None, Parameter(max_length=200)] = None,
    ) -> AuditPage:
        """Administrative changes, newest first."""
        rows, next_cursor = await service.list_entries(
            uow.session,
            action=action,
            actor_id=actor_id,
            target_type=target_type,
            target_id=target_id,
            limit=check_limit(limit),
            cursor=cursor,
        )
        return AuditPage([AuditEntryOut.of(r) for r in rows], next_cursor)
