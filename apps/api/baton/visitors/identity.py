"""Identity verification (as Intercom and Chatwoot do it): a site that knows who its user is
sends ``visitor.external_id`` and ``identity_hash`` = hex HMAC-SHA256(secret, external_id),
computed on its server with the workspace's secret. A verified visitor is the same visitor
on every device and sees their past conversations; a wrong hash is refused."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy import select

from baton.kit.errors import Unauthorized
from baton.kit.uow import UnitOfWork
from baton.visitors.models import IdentitySecret, Visitor

CONTEXT = "identity_secret"


async def secret(uow: UnitOfWork, *, create: bool = True) -> str | None:
    row = await uow.session.scalar(select(IdentitySecret).order_by(IdentitySecret.id.desc()))
    if row is None:
        if not create:
            return None
        return await rotate(uow)
    return uow.runtime.envelope.decrypt(row.sealed, context=CONTEXT)


async def rotate(uow: UnitOfWork) -> str:
    """A new secret; hashes made with the old one stop verifying at once."""
    value = secrets.token_urlsafe(32)
    for old in await uow.session.scalars(select(IdentitySecret)):
        await uow.session.delete(old)
    uow.session.add(IdentitySecret(sealed=uow.runtime.envelope.encrypt(value, context=CONTEXT)))
    await uow.session.flush()
    return value


def expected_hash(key: str, external_id: str) -> str:
    return hmac.new(key.encode(), external_id.encode(), hashlib.sha256).hexdigest()


async def verify(uow: UnitOfWork, external_id: str, identity_hash: str | None) -> None:
    key = await secret(uow, create=False)
    if (
        key is None
        or not identity_hash
        # as bytes: compare_digest refuses str with non-ASCII characters
        or not hmac.compare_digest(
            expected_hash(key, external_id).encode(), identity_hash.strip().lower().encode()
        )
    ):
        raise Unauthorized(
            "identity_hash does not match visitor.external_id", code="identity_invalid"
        )


async def verified_visitor(uow: UnitOfWork, external_id: str) -> Visitor:
    """The visitor behind ``external_id`` (created on their first verified visit)."""
    found = await uow.session.scalar(select(Visitor).where(Visitor.external_id == external_id))
    if found is not None:
        return found
    visitor = Visitor(external_id=external_id)
    uow.session.add(visitor)
    await uow.session.flush()
    return visitor
