from __future__ import annotations

import asyncio
import logging
from typing import Any

import resend

from baton.db.base import utcnow
from baton.notifications.models import EmailMessage
from baton.settings import Settings

log = logging.getLogger(__name__)


def _send_with_resend(settings: Settings, message: EmailMessage) -> str:
    resend.api_key = settings.resend_api_key
    params: Any = {
        "from": settings.email_from,
        "to": [message.to_address],
        "subject": message.subject,
        "text": message.body_text,
    }
    result = resend.Emails.send(params)
    return str(result["id"])


async def deliver(settings: Settings, message: EmailMessage) -> None:
    """Send one queued email; without a Resend key it is recorded as skipped, not faked."""
    if not settings.resend_api_key:
        message.status = "skipped"
        message.error = "BATON_RESEND_API_KEY is not set"
        log.info(
            "email not sent (no provider)", extra={"to": message.to_address, "kind": message.kind}
        )
        return
    try:
        message.provider_id = await asyncio.to_thread(_send_with_resend, settings, message)
        message.status = "sent"
        message.sent_at = utcnow()
    except Exception as exc:  # the SDK raises its own hierarchy and plain transport errors
        message.status = "failed"
        message.error = str(exc)[:2000]
        log.warning("email delivery failed", extra={"to": message.to_address, "error": str(exc)})
