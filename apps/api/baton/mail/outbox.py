"""The outbox: queue an email with what caused it; send it at most once per row.

``queue`` adds the row to the caller's unit of work and, once that commits, asks the job
queue to send it. If the queue is unreachable then (Redis down) nothing is lost: the row
waits, and ``sweep`` (a cron, and at worker start) hands every due row to the queue again.

``send`` claims the row in its own short transaction (compare-and-set: queued and due, or a
lease that expired because the process sending it died), calls Resend with the row's
Idempotency-Key, and records the outcome in another. A worker killed between Resend's
answer and the second commit leaves a ``sending`` row; once its lease expires the sweep sends
it again with the same key, and Resend answers with the first email's id, delivering nothing
twice.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import or_, select, update

from baton.db.base import utcnow
from baton.kit.uow import UnitOfWork, unit_of_work
from baton.mail.client import Outgoing, ResendClient, SendFailed
from baton.mail.models import OutboxEmail
from baton.mail.templates import Rendered

if TYPE_CHECKING:
    from baton.runtime import Runtime

log = logging.getLogger(__name__)

SEND_JOB = "mail.send"


def queue(
    uow: UnitOfWork,
    *,
    kind: str,
    to: str,
    rendered: Rendered,
    headers: dict[str, str] | None = None,
    reply_to: str | None = None,
    ticket_id: uuid.UUID | None = None,
    email_id: uuid.UUID | None = None,
) -> OutboxEmail:
    email = OutboxEmail(
        kind=kind,
        to_address=to,
        subject=rendered.subject,
        body_text=rendered.text,
        body_html=rendered.html,
        headers=dict(headers or {}),
        reply_to=reply_to,
        ticket_id=ticket_id,
        status="queued",
        attempts=0,
        next_attempt_at=utcnow(),
    )
    if email_id is not None:
        email.id = email_id
    else:
        from baton.kit.ids import uuid7

        email.id = uuid7()
    uow.session.add(email)
    runtime = uow.runtime

    async def hand_over() -> None:
        await kick(runtime, email.id)

    uow.after_commit(hand_over)
    return email


async def kick(runtime: Runtime, email_id: uuid.UUID, *, delay: float | None = None) -> bool:
    """Ask the job queue to send; False when it cannot be reached (the sweep will)."""
    try:
        await runtime.jobs.enqueue(SEND_JOB, {"email_id": str(email_id)}, defer_seconds=delay)
    except Exception:
        log.warning("email left for the sweep: job queue unreachable", exc_info=True)
        return False
    return True


def backoff(runtime: Runtime, attempts: int) -> float:
    s = runtime.settings
    return float(
        min(s.mail_retry_max_seconds, s.mail_retry_base_seconds * 2 ** max(0, attempts - 1))
    )


async def _claim(runtime: Runtime, email_id: uuid.UUID) -> OutboxEmail | None:
    now = utcnow()
    lease = now + timedelta(seconds=runtime.settings.mail_lease_seconds)
    async with unit_of_work(runtime) as uow:
        result = await uow.session.execute(
            update(OutboxEmail)
            .where(
                OutboxEmail.id == email_id,
                or_(
                    (OutboxEmail.status == "queued") & (OutboxEmail.next_attempt_at <= now),
                    (OutboxEmail.status == "sending") & (OutboxEmail.lease_until < now),
                ),
            )
            .values(status="sending", attempts=OutboxEmail.attempts + 1, lease_until=lease)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            return None  # sent already, not due yet, or another process holds it
        email = await uow.session.get(OutboxEmail, email_id, populate_existing=True)
        assert email is not None
        uow.session.expunge(email)
        return email


async def send(runtime: Runtime, email_id: uuid.UUID) -> str:
    """One attempt; returns the row's status afterwards (or "skipped_claim")."""
    settings = runtime.settings
    email = await _claim(runtime, email_id)
    if email is None:
        return "not_due"
    provider_id: str | None = None
    error: SendFailed | None = None
    if not settings.resend_api_key:
        error = SendFailed("BATON_RESEND_API_KEY is not set", permanent=True)
    else:
        try:
            provider_id = await runtime.slot(ResendClient).send(
                settings,
                Outgoing(
                    to=email.to_address,
                    subject=email.subject,
                    text=email.body_text,
                    html=email.body_html,
                    headers={str(k): str(v) for k, v in (email.headers or {}).items()},
                    reply_to=email.reply_to,
                    idempotency_key=email.idempotency_key,
                ),
            )
        except SendFailed as exc:
            error = exc
    now = utcnow()
    values: dict[str, object] = {"lease_until": None}
    retry_in: float | None = None
    if provider_id is not None:
        values.update(status="sent", provider_id=provider_id, sent_at=now, last_error=None)
    else:
        assert error is not None
        values["last_error"] = str(error)[:2000]
        if not settings.resend_api_key:
            values["status"] = "skipped"
        elif error.permanent or email.attempts >= settings.mail_max_attempts:
            values["status"] = "failed"
        else:
            retry_in = backoff(runtime, email.attempts)
            values.update(status="queued", next_attempt_at=now + timedelta(seconds=retry_in))
        log.warning(
            "email attempt failed",
            extra={"email_id": str(email.id), "attempt": email.attempts, "error": str(error)},
        )
    async with unit_of_work(runtime) as uow:
        await uow.session.execute(
            update(OutboxEmail)
            .where(OutboxEmail.id == email.id, OutboxEmail.status == "sending")
            .values(**values)
            .execution_options(synchronize_session=False)
        )
    if retry_in is not None:
        await kick(runtime, email.id, delay=retry_in)
    return str(values["status"])


async def sweep(runtime: Runtime, *, limit: int = 500) -> int:
    """Hand every due row (queued and due, or a sending row whose lease expired) to the
    queue again; returns how many."""
    now = utcnow()
    async with runtime.db.session() as session:
        ids = list(
            await session.scalars(
                select(OutboxEmail.id)
                .where(
                    or_(
                        (OutboxEmail.status == "queued") & (OutboxEmail.next_attempt_at <= now),
                        (OutboxEmail.status == "sending") & (OutboxEmail.lease_until < now),
                    )
                )
                .order_by(OutboxEmail.next_attempt_at)
                .limit(limit)
            )
        )
    handed = 0
    for email_id in ids:
        if not await kick(runtime, email_id):
            break  # the queue is down: the next sweep tries again
        handed += 1
    return handed


def resend(uow: UnitOfWork, email: OutboxEmail) -> OutboxEmail:
    """An admin's re-send: a new row (a new idempotency key) with the same content."""
    from baton.mail.templates import Rendered as R

    return queue(
        uow,
        kind=email.kind,
        to=email.to_address,
        rendered=R(email.subject, email.body_text, email.body_html),
        headers=dict(email.headers or {}),
        reply_to=email.reply_to,
        ticket_id=email.ticket_id,
    )
