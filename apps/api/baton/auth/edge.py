"""Where HTTP meets auth: the bearer middleware and permission guards."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult

from baton.auth.permissions import Permission
from baton.auth.principal import Principal
from baton.auth.service import authenticate
from baton.kit.errors import Forbidden, Unauthorized

PUBLIC = {"public": True}  # route opt that skips authentication


def bearer_token(connection: ASGIConnection[Any, Any, Any, Any]) -> str | None:
    header = connection.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


class BearerAuthMiddleware(AbstractAuthenticationMiddleware):
    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        token = bearer_token(connection)
        if token is None:
            raise Unauthorized("missing bearer credentials")
        runtime = connection.app.state.runtime
        async with runtime.db.session() as session:
            principal = await authenticate(session, runtime.settings, token)
            await session.commit()  # records an API key's last use
        if principal is None:
            raise Unauthorized("invalid or expired credentials")
        return AuthenticationResult(user=principal, auth=token)


def requires(
    *permissions: Permission,
) -> Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], None]:
    """A guard: the caller must hold every listed permission."""

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        if connection.scope.get("method") == "OPTIONS":
            return  # Litestar's automatic OPTIONS answer (Allow header) reveals nothing
        principal: Principal | None = connection.scope.get("user")
        if principal is None:
            raise Unauthorized("missing bearer credentials")
        missing = [p.value for p in permissions if not principal.has(p)]
        if missing:
            raise Forbidden(f"missing permission: {', '.join(missing)}")

    guard.__name__ = f"requires_{'_'.join(p.name.lower() for p in permissions)}"
    return guard
