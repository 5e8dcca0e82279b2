"""Signed, expiring access tokens (JWT, HS256) and integrator API keys."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt

from baton.db.base import utcnow

API_KEY_PREFIX = "bk_"
_ALGORITHM = "HS256"


@dataclass(frozen=True)
class AccessClaims:
    user_id: uuid.UUID
    token_version: int


def issue_access_token(
    secret: str, user_id: uuid.UUID, token_version: int, minutes: int
) -> tuple[str, datetime]:
    now = utcnow()
    expires = now + timedelta(minutes=minutes)
    claims = {"sub": str(user_id), "tv": token_version, "iat": now, "exp": expires, "typ": "access"}
    return jwt.encode(claims, secret, algorithm=_ALGORITHM), expires


def read_access_token(secret: str, token: str) -> AccessClaims | None:
    """Return the claims of a valid, unexpired token, or None."""
    try:
        claims = jwt.decode(
            token, secret, algorithms=[_ALGORITHM], options={"require": ["exp", "sub", "tv"]}
        )
        if claims.get("typ") != "access":
            return None
        return AccessClaims(uuid.UUID(claims["sub"]), int(claims["tv"]))
    except (jwt.PyJWTError, ValueError, TypeError):
        return None


def new_api_key() -> str:
    return API_KEY_PREFIX + secrets.token_urlsafe(32)


def hash_api_key(key: str) -> str:
    # API keys carry 256 bits of randomness: a fast hash is enough and keeps lookups O(1)
    return hashlib.sha256(key.encode()).hexdigest()


def looks_like_api_key(token: str) -> bool:
    return token.startswith(API_KEY_PREFIX)
