"""Webhooks for admins: subscribe, edit, delete, read the delivery log, redeliver."""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime
from typing import Any

import msgspec
from litestar import Controller, delete, get, patch, post
from litestar.params import Parameter
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT
from sqlalchemy import select

from baton.audit.service import record_audit
from baton.auth.edge import requires
from baton.auth.permissions import Permission
from baton.auth.principal import Principal
from baton.kit.errors import NotFound, ValidationFailed
from baton.kit.http import errors
from baton.kit.ids import uuid7
from baton.kit.outbound import check_outbound_url
from baton.kit.pagination import check_limit
from baton.kit.uow import UnitOfWork
from baton.webhooks.delivery import secret_context
from baton.webhooks.models import Webhook, WebhookDelivery
from baton.webhooks.outbox import ActiveWebhooks, kick
from baton.webhooks.payloads import EVENTS, valid_pattern

URL_MAX = 2048


class WebhookIn(msgspec.Struct, forbid_unknown_fields=True):
    url: str
    events: list[str]
    active: bool = True
    description: str | None = None


class WebhookPatch(msgspec.Struct, forbid_unknown_fields=True):
    url: str | msgspec.UnsetType = msgspec.UNSET
    events: list[str] | msgspec.UnsetType = msgspec.UNSET
    active: bool | msgspec.UnsetType = msgspec.UNSET
    description: str | msgspec.UnsetType | None = msgspec.UNSET


class WebhookOut(msgspec.Struct):
    id: uuid.UUID
    url: str
    events: list[str]
    active: bool
    description: str | None
    consecutive_failures: int
    disabled_reason: str | None
    created_at: datetime
    updated_at: datetime
    secret: str | None = None  # only in the answer to POST: shown once

    @classmethod
    def of(cls, w: Webhook, secret: str | None = None) -> WebhookOut:
        return cls(
            w.id,
            w.url,
            list(w.events or []),
            w.active,
            w.description,
            w.consecutive_failures,
            w.disabled_reason,
            w.created_at,
            w.updated_at,
            secret,
        )


class WebhookPage(msgspec.Struct):
    items: list[WebhookOut]
    next_cursor: str | None = None


class DeliveryOut(msgspec.Struct):
    id: uuid.UUID
    webhook_id: uuid.UUID
    event: str
    status: str
    attempts: int
    payload: dict[str, Any]
    last_status_code: int | None
    last_error: str | None
    last_response: str | None
    last_duration_ms: int | None
    created_at: datetime
    next_attempt_at: datetime | None
    delivered_at: datetime | None

    @classmethod
    def of(cls, d: WebhookDelivery) -> DeliveryOut:
        return cls(
            d.id,
            d.webhook_id,
            d.event,
            d.status,
            d.attempts,
            d.payload,
            d.last_status_code,
            d.last_error,
            d.last_response,
            d.last_duration_ms,
            d.created_at,
            d.next_attempt_at if d.status == "queued" else None,
            d.delivered_at,
        )


class DeliveryPage(msgspec.Struct):
    items: list[DeliveryOut]
    next_cursor: str | None


def _check_events(events: list[str]) -> list[str]:
    cleaned = sorted({e.strip() for e in events if isinstance(e, str) and e.strip()})
    if not cleaned:
        raise ValidationFailed("events: subscribe to at least one event")
    unknown = [e for e in cleaned if not valid_pattern(e)]
    if unknown:
        raise ValidationFailed(
            f"events: unknown {', '.join(unknown)}; known: {', '.join(EVENTS)} "
            "(or a prefix such as ticket.*, or *)",
            code="unknown_event",
        )
    return cleaned


async def _check_url(uow: UnitOfWork, url: str) -> str:
    url = url.strip()
    if not url or len(url) > URL_MAX:
        raise ValidationFailed(f"url: 1-{URL_MAX} characters")
    s = uow.runtime.settings
    return await check_outbound_url(
        url, allow=s.outbound_allow, allow_private=s.allow_private_outbound
    )


def _check_description(text: str | None) -> str | None:
    if text is None:
        return None
    text = text.strip()
    if len(text) > 200:
        raise ValidationFailed("description: at most 200 characters")
    return text or None


async def _webhook(uow: UnitOfWork, webhook_id: uuid.UUID) -> Webhook:
    found = await uow.session.get(Webhook, webhook_id)
    if found is None:
        raise NotFound("no such webhook")
    return found


class WebhooksController(Controller):
    path = "/api/v1/webhooks"
    tags = ["webhooks"]
    guards = [requires(Permission.WEBHOOKS_MANAGE)]

    @get("/", responses=errors(403))
    async def list_webhooks(self, uow: UnitOfWork) -> WebhookPage:
        rows = await uow.session.scalars(select(Webhook).order_by(Webhook.id))
        return WebhookPage([WebhookOut.of(w) for w in rows])

    @post("/", status_code=HTTP_201_CREATED, responses=errors(403, 422))
    async def create_webhook(
        self, uow: UnitOfWork, principal: Principal, data: WebhookIn
    ) -> WebhookOut:
        """The answer carries the signing secret: it is shown this once."""
        url = await _check_url(uow, data.url)
        events = _check_events(data.events)
        webhook_id = uuid7()
        secret = f"whsec_{secrets.token_urlsafe(32)}"
        webhook = Webhook(
            id=webhook_id,
            url=url,
            events=events,
            active=data.active,
            description=_check_description(data.description),
            secret_sealed=uow.runtime.envelope.encrypt(secret, context=secret_context(webhook_id)),
            consecutive_failures=0,
            created_by_id=principal.user_id,
        )
        uow.session.add(webhook)
        await uow.session.flush()
        record_audit(
            uow,
            principal,
            "webhooks.created",
            "webhook",
            webhook.id,
            {"url": url, "events": events, "active": data.active},
        )
        uow.runtime.slot(ActiveWebhooks).clear()
        return WebhookOut.of(webhook, secret)

    @get("/{webhook_id:uuid}", responses=errors(403, 404))
    async def get_webhook(self, uow: UnitOfWork, webhook_id: uuid.UUID) -> WebhookOut:
        return WebhookOut.of(await _webhook(uow, webhook_id))

    @patch("/{webhook_id:uuid}", responses=errors(403, 404, 422))
    async def update_webhook(
        self, uow: UnitOfWork, principal: Principal, webhook_id: uuid.UUID, data: WebhookPatch
    ) -> WebhookOut:
        webhook = await _webhook(uow, webhook_id)
        changes: dict[str, Any] = {}
        if data.url is not msgspec.UNSET:
            changes["url"] = await _check_url(uow, data.url)
        if data.events is not msgspec.UNSET:
            changes["events"] = _check_events(data.events)
        if data.description is not msgspec.UNSET:
            changes["description"] = _check_description(data.description)
        if data.active is not msgspec.UNSET:
            changes["active"] = data.active
            if data.active:  # switched on again: a fresh start
                changes.update(consecutive_failures=0, disabled_reason=None)
        for key, value in changes.items():
            setattr(webhook, key, value)
        await uow.session.flush()
        record_audit(uow, principal, "webhooks.updated", "webhook", webhook.id, changes)
        uow.runtime.slot(ActiveWebhooks).clear()
        return WebhookOut.of(webhook)

    @delete("/{webhook_id:uuid}", status_code=HTTP_204_NO_CONTENT, responses=errors(403, 404))
    async def delete_webhook(
        self, uow: UnitOfWork, principal: Principal, webhook_id: uuid.UUID
    ) -> None:
        webhook = await _webhook(uow, webhook_id)
        await uow.session.delete(webhook)
        record_audit(
            uow, principal, "webhooks.deleted", "webhook", webhook_id, {"url": webhook.url}
        )
        uow.runtime.slot(ActiveWebhooks).clear()

    @get("/{webhook_id:uuid}/deliveries", responses=errors(403, 404, 422))
    async def list_deliveries(
        self,
        uow: UnitOfWork,
        webhook_id: uuid.UUID,
        status: str | None = Parameter(
            default=None, description="queued, sending, delivered or failed"
        ),
        limit: int = Parameter(default=50, description="1-200"),
        cursor: str | None = Parameter(default=None, max_length=64),
    ) -> DeliveryPage:
        """Newest first; ``cursor`` is the last item's id."""
        await _webhook(uow, webhook_id)
        stmt = select(WebhookDelivery).where(WebhookDelivery.webhook_id == webhook_id)
        if status is not None:
            if status not in ("queued", "sending", "delivered", "failed"):
                raise ValidationFailed("status must be queued, sending, delivered or failed")
            stmt = stmt.where(WebhookDelivery.status == status)
        if cursor:
            try:
                stmt = stmt.where(WebhookDelivery.id < uuid.UUID(cursor))
            except ValueError:
                raise ValidationFailed("bad cursor", code="invalid_cursor") from None
        n = check_limit(limit)
        rows = list(
            await uow.session.scalars(stmt.order_by(WebhookDelivery.id.desc()).limit(n + 1))
        )
        more = len(rows) > n
        rows = rows[:n]
        return DeliveryPage([DeliveryOut.of(d) for d in rows], str(rows[-1].id) if more else None)


class DeliveriesController(Controller):
    path = "/api/v1/webhooks/deliveries"
    tags = ["webhooks"]
    guards = [requires(Permission.WEBHOOKS_MANAGE)]

    @post("/{delivery_id:uuid}/redeliver", status_code=HTTP_201_CREATED, responses=errors(403, 404))
    async def redeliver(
        self, uow: UnitOfWork, principal: Principal, delivery_id: uuid.UUID
    ) -> DeliveryOut:
        """The same event again as a new delivery (its own id), whatever the first one did."""
        original = await uow.session.get(WebhookDelivery, delivery_id)
        if original is None:
            raise NotFound("no such delivery")
        again_id = uuid7()
        payload = dict(original.payload)
        payload["id"] = str(again_id)
        again = WebhookDelivery(
            id=again_id,
            webhook_id=original.webhook_id,
            event=original.event,
            payload=payload,
            status="queued",
            attempts=0,
        )
        uow.session.add(again)
        await uow.session.flush()
        record_audit(
            uow,
            principal,
            "webhooks.redelivered",
            "webhook",
            original.webhook_id,
            {"delivery_id": str(original.id), "new_delivery_id": str(again_id)},
        )
        runtime = uow.runtime

        async def hand_over() -> None:
            await kick(runtime, again_id)

        uow.after_commit(hand_over)
        return DeliveryOut.of(again)
