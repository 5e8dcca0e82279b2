"""The outbox for admins: every email with its attempts and last error, and a re-send."""

from __future__ import annotations

import uuid
from datetime import datetime

import msgspec
from litestar import Controller, get, post
from litestar.params import Parameter
from litestar.status_codes import HTTP_201_CREATED
from sqlalchemy import select

from baton.audit.service import record_audit
from baton.auth.edge import requires
from baton.auth.permissions import Permission
from baton.auth.principal import Principal
from baton.kit.errors import NotFound, ValidationFailed
from baton.kit.http import errors
from baton.kit.pagination import check_limit
from baton.kit.uow import UnitOfWork
from baton.mail import outbox
from baton.mail.models import OutboxEmail

STATUSES = ("queued", "sending", "sent", "failed", "skipped")


class EmailOut(msgspec.Struct):
    id: uuid.UUID
    kind: str
    to: str
    subject: str
    status: str
    attempts: int
    last_error: str | None
    provider_id: str | None
    ticket_id: uuid.UUID | None
    headers: dict[str, str]
    created_at: datetime
    next_attempt_at: datetime | None
    sent_at: datetime | None

    @classmethod
    def of(cls, e: OutboxEmail) -> EmailOut:
        return cls(
            id=e.id,
            kind=e.kind,
            to=e.to_address,
            subject=e.subject,
            status=e.status,
            attempts=e.attempts,
            last_error=e.last_error,
            provider_id=e.provider_id,
            ticket_id=e.ticket_id,
            headers={str(k): str(v) for k, v in (e.headers or {}).items()},
            created_at=e.created_at,
            next_attempt_at=e.next_attempt_at if e.status == "queued" else None,
            sent_at=e.sent_at,
        )


class EmailPage(msgspec.Struct):
    items: list[EmailOut]
    next_cursor: str | None


class EmailsController(Controller):
    path = "/api/v1/emails"
    tags = ["emails"]
    guards = [requires(Permission.EMAILS_MANAGE)]

    @get("/", responses=errors(403, 422))
    async def list_emails(
        self,
        uow: UnitOfWork,
        status: str | None = Parameter(
            default=None, description="queued, sending, sent, failed or skipped"
        ),
        ticket_id: uuid.UUID | None = None,
        limit: int = Parameter(default=50, description="1-200"),
        cursor: str | None = Parameter(default=None, max_length=64),
    ) -> EmailPage:
        """Newest first; ``cursor`` is the last item's id."""
        stmt = select(OutboxEmail).order_by(OutboxEmail.id.desc())
        if status is not None:
            if status not in STATUSES:
                raise ValidationFailed(f"status must be one of {', '.join(STATUSES)}")
            stmt = stmt.where(OutboxEmail.status == status)
        if ticket_id is not None:
            stmt = stmt.where(OutboxEmail.ticket_id == ticket_id)
        if cursor:
            try:
                stmt = stmt.where(OutboxEmail.id < uuid.UUID(cursor))
            except ValueError:
                raise ValidationFailed("bad cursor", code="invalid_cursor") from None
        n = check_limit(limit)
        rows = list(await uow.session.scalars(stmt.limit(n + 1)))
        more = len(rows) > n
        rows = rows[:n]
        return EmailPage([EmailOut.of(e) for e in rows], str(rows[-1].id) if more else None)

    @get("/{email_id:uuid}", responses=errors(403, 404))
    async def get_email(self, uow: UnitOfWork, email_id: uuid.UUID) -> EmailOut:
        email = await uow.session.get(OutboxEmail, email_id)
        if email is None:
            raise NotFound("no such email")
        return EmailOut.of(email)

    @post("/{email_id:uuid}/resend", status_code=HTTP_201_CREATED, responses=errors(403, 404))
    async def resend_email(
        self, uow: UnitOfWork, principal: Principal, email_id: uuid.UUID
    ) -> EmailOut:
        """Queue the same email again as a new outbox row (its own idempotency key)."""
        email = await uow.session.get(OutboxEmail, email_id)
        if email is None:
            raise NotFound("no such email")
        again = outbox.resend(uow, email)
        await uow.session.flush()
        record_audit(
            uow, principal, "emails.resent", "email", email.id, {"new_email_id": str(again.id)}
        )
        return EmailOut.of(again)
