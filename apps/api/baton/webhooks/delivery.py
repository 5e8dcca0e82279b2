"""Sending one delivery: claim it, sign it, POST it, record what happened.

Like the mail outbox: the claim is a compare-and-set in its own short transaction (queued
and due, or ``sending`` with an expired lease after a dead worker), the outcome another.
Every attempt carries the same ``X-Baton-Delivery`` (the row's id), so a receiver can drop a
repeat; the signature is ``sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>``.
Retries back off from ``BATON_WEBHOOK_RETRY_BASE_SECONDS`` (x3 each time) up to
``BATON_WEBHOOK_RETRY_MAX_SECONDS``; after ``BATON_WEBHOOK_DISABLE_AFTER`` deliveries in a row
end failed the webhook is switched off (audited) until an admin turns it on again.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
import uuid
from datetime import timedelta
from typing import TYPE_CHECKING

import httpx
from sqlalchemy import or_, select, update

from baton.audit.service import record_audit
from baton.db.base import utcnow
from baton.kit.outbound import OutboundRefused, check_outbound_url
from baton.kit.uow import unit_of_work
from baton.webhooks.events import WebhookDisabled
from baton.webhooks.models import Webhook, WebhookDelivery
from baton.webhooks.outbox import ActiveWebhooks, kick

if TYPE_CHECKING:
    from baton.runtime import Runtime

log = logging.getLogger(__name__)
USER_AGENT = "Baton-Webhooks/1"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"sha256={digest.hexdigest()}"


def secret_context(webhook_id: uuid.UUID) -> str:
    return f"webhook:{webhook_id}"


class WebhookHttp:
    """This process's HTTP client for deliveries (connection reuse across attempts)."""

    def __init__(self) -> None:
        self.client: httpx.AsyncClient | None = None

    def get(self, timeout: float) -> httpx.AsyncClient:
        if self.client is None:
            self.client = httpx.AsyncClient(
                timeout=timeout, follow_redirects=False, headers={"User-Agent": USER_AGENT}
            )
        return self.client

    async def aclose(self) -> None:
        if self.client is not None:
            await self.client.aclose()
            self.client = None


def backoff(runtime: Runtime, attempts: int) -> float:
    s = runtime.settings
    return float(
        min(s.webhook_retry_max_seconds, s.webhook_retry_base_seconds * 3 ** max(0, attempts - 1))
    )


async def _claim(
    runtime: Runtime, delivery_id: uuid.UUID
) -> tuple[WebhookDelivery, Webhook] | None:
    now = utcnow()
    lease = now + timedelta(seconds=runtime.settings.webhook_timeout_seconds * 3 + 30)
    async with unit_of_work(runtime) as uow:
        claimed = await uow.session.execute(
            update(WebhookDelivery)
            .where(
                WebhookDelivery.id == delivery_id,
                or_(
                    (WebhookDelivery.status == "queued") & (WebhookDelivery.next_attempt_at <= now),
                    (WebhookDelivery.status == "sending") & (WebhookDelivery.lease_until < now),
                ),
            )
            .values(status="sending", attempts=WebhookDelivery.attempts + 1, lease_until=lease)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            return None  # done already, not due, or another worker holds it
        delivery = await uow.session.get(WebhookDelivery, delivery_id, populate_existing=True)
        assert delivery is not None
        webhook = await uow.session.get(Webhook, delivery.webhook_id)
        assert webhook is not None  # deliveries go with their webhook (cascade)
        uow.session.expunge_all()
        return delivery, webhook


async def _post(
    runtime: Runtime, delivery: WebhookDelivery, webhook: Webhook
) -> tuple[int | None, str | None, str | None, int]:
    """(status code, error, response body, duration ms) of one attempt."""
    settings = runtime.settings
    body = json.dumps(delivery.payload, separators=(",", ":"), ensure_ascii=False).encode()
    timestamp = str(int(time.time()))
    secret = runtime.envelope.decrypt(webhook.secret_sealed, context=secret_context(webhook.id))
    headers = {
        "Content-Type": "application/json",
        "X-Baton-Event": delivery.event,
        "X-Baton-Delivery": str(delivery.id),
        "X-Baton-Timestamp": timestamp,
        "X-Baton-Signature": sign(secret, timestamp, body),
    }
    started = time.perf_counter()
    try:
        await check_outbound_url(
            webhook.url,
            allow=settings.outbound_allow,
            allow_private=settings.allow_private_outbound,
        )
        response = (
            await runtime.slot(WebhookHttp)
            .get(settings.webhook_timeout_seconds)
            .post(
                webhook.url, content=body, headers=headers, timeout=settings.webhook_timeout_seconds
            )
        )
    except OutboundRefused as exc:
        return None, f"refused: {exc.detail}", None, 0
    except httpx.HTTPError as exc:
        ms = int((time.perf_counter() - started) * 1000)
        return None, f"{type(exc).__name__}: {exc}"[:500], None, ms
    ms = int((time.perf_counter() - started) * 1000)
    text = response.text[:2048]
    if 200 <= response.status_code < 300:
        return response.status_code, None, text, ms
    return response.status_code, f"HTTP {response.status_code}", text, ms


async def deliver(runtime: Runtime, delivery_id: uuid.UUID) -> str:
    """One attempt; returns the delivery's status afterwards (or "not_due")."""
    claimed = await _claim(runtime, delivery_id)
    if claimed is None:
        return "not_due"
    delivery, webhook = claimed
    code, error, response, ms = await _post(runtime, delivery, webhook)
    now = utcnow()
    values: dict[str, object] = {
        "lease_until": None,
        "last_status_code": code,
        "last_error": error,
        "last_response": response,
        "last_duration_ms": ms,
    }
    retry_in: float | None = None
    if error is None:
        values.update(status="delivered", delivered_at=now)
    elif delivery.attempts >= runtime.settings.webhook_max_attempts or not webhook.active:
        values["status"] = "failed"
    else:
        retry_in = backoff(runtime, delivery.attempts)
        values.update(status="queued", next_attempt_at=now + timedelta(seconds=retry_in))
    async with unit_of_work(runtime) as uow:
        await uow.session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id == delivery.id, WebhookDelivery.status == "sending")
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if values["status"] in ("delivered", "failed"):
            await _count_outcome(runtime, uow, webhook.id, failed=values["status"] == "failed")
    if retry_in is not None:
        await kick(runtime, delivery.id, delay=retry_in)
    return str(values["status"])


async def _count_outcome(
    runtime: Runtime, uow: object, webhook_id: uuid.UUID, *, failed: bool
) -> None:
    session = uow.session  # type: ignore[attr-defined]
    if not failed:
        await session.execute(
            update(Webhook)
            .where(Webhook.id == webhook_id)
            .values(consecutive_failures=0)
            .execution_options(synchronize_session=False)
        )
        return
    streak = await session.scalar(
        update(Webhook)
        .where(Webhook.id == webhook_id)
        .values(consecutive_failures=Webhook.consecutive_failures + 1)
        .returning(Webhook.consecutive_failures)
        .execution_options(synchronize_session=False)
    )
    limit = runtime.settings.webhook_disable_after
    if streak is not None and streak >= limit:
        reason = f"{limit} deliveries in a row failed"
        switched = await session.scalar(
            update(Webhook)
            .where(Webhook.id == webhook_id, Webhook.active.is_(True))
            .values(active=False, disabled_reason=reason)
            .returning(Webhook.url)
            .execution_options(synchronize_session=False)
        )
        if switched is not None:
            record_audit(uow, None, "webhooks.disabled", "webhook", webhook_id, {"reason": reason})
            uow.record(WebhookDisabled(webhook_id, switched, reason))  # type: ignore[attr-defined]
            runtime.slot(ActiveWebhooks).clear()
            log.warning(
                "webhook switched off after repeated failures",
                extra={"webhook_id": str(webhook_id)},
            )


async def sweep(runtime: Runtime, *, limit: int = 500) -> int:
    """Hand every due delivery (or one whose sender died) to the queue again."""
    now = utcnow()
    async with runtime.db.session() as session:
        ids = list(
            await session.scalars(
                select(WebhookDelivery.id)
                .where(
                    or_(
                        (WebhookDelivery.status == "queued")
                        & (WebhookDelivery.next_attempt_at <= now),
                        (WebhookDelivery.status == "sending") & (WebhookDelivery.lease_until < now),
                    )
                )
                .order_by(WebhookDelivery.next_attempt_at)
                .limit(limit)
            )
        )
    handed = 0
    for delivery_id in ids:
        if not await kick(runtime, delivery_id):
            break
        handed += 1
    return handed
