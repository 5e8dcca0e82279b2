"""REST for the caller's own notifications and notification preferences."""

from __future__ import annotations

import uuid

import msgspec
from litestar import Controller, get, post, put
from litestar.params import Parameter
from litestar.status_codes import HTTP_200_OK

from baton.auth.principal import Principal
from baton.kit.errors import Forbidden
from baton.kit.http import errors
from baton.kit.pagination import check_limit
from baton.kit.uow import UnitOfWork
from baton.notifications import center
from baton.notifications.schemas import (
    NotificationOut,
    NotificationPage,
    PreferencesIn,
    PreferencesOut,
    ReadResult,
    UnreadCount,
)


def _user(principal: Principal) -> uuid.UUID:
    if principal.user_id is None:
        raise Forbidden("notifications belong to people; an API key has none")
    return principal.user_id


class NotificationsController(Controller):
    path = "/api/v1/notifications"
    tags = ["notifications"]

    @get("/", responses=errors(403))
    async def list_notifications(
        self,
        uow: UnitOfWork,
        principal: Principal,
        unread: bool = False,
        limit: int = Parameter(default=50, description="1-200"),
        cursor: str | None = None,
    ) -> NotificationPage:
        """The caller's notifications, newest first; ``unread=true`` for unread ones only."""
        items, next_cursor = await center.list_page(
            uow, _user(principal), unread=unread, limit=check_limit(limit), cursor=cursor
        )
        return NotificationPage([NotificationOut.of(n) for n in items], next_cursor)

    @get("/unread-count", responses=errors(403))
    async def count_unread(self, uow: UnitOfWork, principal: Principal) -> UnreadCount:
        return UnreadCount(await center.unread_count(uow, _user(principal)))

    @post("/{notification_id:uuid}/read", status_code=HTTP_200_OK, responses=errors(403, 404))
    async def read_one(
        self, uow: UnitOfWork, principal: Principal, notification_id: uuid.UUID
    ) -> ReadResult:
        """Mark one read; every tab of the caller hears ``notifications_read``."""
        user_id = _user(principal)
        changed = await center.mark_read(uow, user_id, notification_id)
        return ReadResult(changed, await center.unread_count(uow, user_id))

    @post("/read-all", status_code=HTTP_200_OK, responses=errors(403))
    async def read_all(self, uow: UnitOfWork, principal: Principal) -> ReadResult:
        """Mark every notification read; every tab of the caller hears ``notifications_read``
        with ``unread_count`` 0 and clears its badge."""
        user_id = _user(principal)
        changed = await center.mark_all_read(uow, user_id)
        return ReadResult(changed, await center.unread_count(uow, user_id))

    @get("/preferences", responses=errors(403))
    async def get_preferences(self, uow: UnitOfWork, principal: Principal) -> PreferencesOut:
        return await center.preferences(uow, _user(principal))

    @put("/preferences", responses=errors(403))
    async def put_preferences(
        self, uow: UnitOfWork, principal: Principal, data: PreferencesIn
    ) -> PreferencesOut:
        """Sound, browser notifications, and which kinds to keep (the others are not stored)."""
        user_id = _user(principal)
        current = await center.preferences(uow, user_id)
        return await center.save_preferences(
            uow,
            user_id,
            sound=current.sound if data.sound is msgspec.UNSET else data.sound,
            browser=current.browser if data.browser is msgspec.UNSET else data.browser,
            kinds=current.kinds if data.kinds is msgspec.UNSET else list(data.kinds),
        )
