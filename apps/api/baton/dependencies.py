"""Request dependencies the app injects by name: the unit of work, the runtime, the caller.

They live beside app.py, not in kit/, because the caller is an auth type and kit depends on
no domain.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

from litestar import Request
from litestar.datastructures import State

from baton.auth.principal import Principal
from baton.kit.uow import UnitOfWork, unit_of_work
from baton.runtime import Runtime


async def provide_uow(state: State) -> AsyncGenerator[UnitOfWork, None]:
    """One unit of work per request: commits after the handler, before the response is sent."""
    runtime: Runtime = state.runtime
    async with unit_of_work(runtime) as uow:
        yield uow


def provide_runtime(state: State) -> Runtime:
    return state.runtime  # type: ignore[no-any-return]


def provide_principal(request: Request[Principal, Any, Any]) -> Principal:
    return request.user
