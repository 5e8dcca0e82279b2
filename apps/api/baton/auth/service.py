"""Authentication rules: login, resolving bearer credentials, API key lifecycle."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from baton.auth.models import ApiKey
from baton.auth.passwords import verify_password_async
from baton.auth.permissions import API_KEY_PERMISSIONS, permissions_for_role
from baton.auth.principal import Principal
from baton.auth.tokens import (
    hash_api_key,
    issue_access_token,
    looks_like_api_key,
    new_api_key,
    read_access_token,
)
from baton.db.base import utcnow
from baton.kit.errors import NotFound, RateLimited, Unauthorized
from baton.kit.ratelimit import RateLimiter
from baton.settings import Settings
from baton.users.models import User


@dataclass(frozen=True)
class LoginResult:
    access_token: str
    expires_at: datetime
    user: User


def principal_for_user(user: User) -> Principal:
    return Principal("user", user.id, user.name, user.role, permissions_for_role(user.role))


async def login(
    session: AsyncSession,
    settings: Settings,
    limiter: RateLimiter,
    *,
    email: str,
    password: str,
    client_ip: str,
) -> LoginResult:
    email = email.strip().lower()
    window = settings.login_window_seconds
    ip_ok, ip_retry = await limiter.hit(
        f"login:ip:{client_ip}", settings.login_limit_per_ip, window
    )
    acct_ok, acct_retry = await limiter.hit(
        f"login:acct:{email}", settings.login_limit_per_account, window
    )
    if not (ip_ok and acct_ok):
        retry = max(ip_retry if not ip_ok else 0, acct_retry if not acct_ok else 0)
        raise RateLimited("too many login attempts; try again later", retry_after=retry)
    user = await session.scalar(select(User).where(User.email == email, User.deleted_at.is_(None)))
    valid = await verify_password_async(user.password_hash if user else None, password)
    if user is None or not valid or not user.is_active:
        raise Unauthorized("invalid email or password", code="invalid_credentials")
    await limiter.reset(f"login:acct:{email}")
    token, expires = issue_access_token(
        settings.secret_key, user.id, user.token_version, settings.access_token_minutes
    )
    user.last_seen_at = utcnow()
    return LoginResult(token, expires, user)


async def authenticate(session: AsyncSession, settings: Settings, token: str) -> Principal | None:
    """Resolve a bearer credential (access token or API key) to a principal, or None."""
    if looks_like_api_key(token):
        key = await session.scalar(
            select(ApiKey).where(
                ApiKey.key_hash == hash_api_key(token), ApiKey.revoked_at.is_(None)
            )
        )
        if key is None:
            return None
        await session.execute(
            update(ApiKey).where(ApiKey.id == key.id).values(last_used_at=utcnow())
        )
        return Principal("api_key", key.id, key.name, "integrator", API_KEY_PERMISSIONS)
    claims = read_access_token(settings.secret_key, token)
    if claims is None:
        return None
    user = await session.get(User, claims.user_id)
    if (
        user is None
        or not user.is_active
        or user.deleted_at is not None
        or user.token_version != claims.token_version
    ):
        return None
    return principal_for_user(user)


async def create_api_key(
    session: AsyncSession, *, name: str, created_by: uuid.UUID
) -> tuple[ApiKey, str]:
    raw = new_api_key()
    key = ApiKey(
        name=name.strip(),
        prefix=raw[:10],
        key_hash=hash_api_key(raw),
        created_by_id=created_by,
        created_at=utcnow(),
    )
    session.add(key)
    await session.flush()
    return key, raw


async def list_api_keys(session: AsyncSession) -> list[ApiKey]:
    return list(await session.scalars(select(ApiKey).order_by(ApiKey.id.desc())))


async def revoke_api_key(session: AsyncSession, key_id: uuid.UUID) -> ApiKey:
    key = await session.get(ApiKey, key_id)
    if key is None:
        raise NotFound("no such API key")
    if key.revoked_at is None:
        key.revoked_at = utcnow()
    return key


def require_principal(principal: Principal | None) -> Principal:
    if principal is None:
        raise Unauthorized("missing or invalid credentials")
    return principal
