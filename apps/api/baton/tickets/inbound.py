"""Inbound email: Resend's ``email.received`` webhook and a generic parsed-mail endpoint.

Both come down to one ``InboundEmail``. It is threaded to a ticket by the reply token in the
address it was sent to (``support+t<token>@...``) or, failing that, in its ``In-Reply-To`` /
``References``; without either it opens a new ticket. An unknown token, or an address token
and a header token naming different tickets, is refused and changes nothing.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import time
from dataclasses import dataclass, field
from html import unescape
from typing import Any

from baton.kit.errors import (
    BadRequest,
    Conflict,
    NotFound,
    ServiceUnavailable,
    Unauthorized,
    ValidationFailed,
)
from baton.kit.uow import UnitOfWork
from baton.mail import addresses
from baton.mail.client import ResendClient, SendFailed
from baton.tickets import service
from baton.tickets.models import Ticket

SIGNATURE_TOLERANCE_SECONDS = 300
_QUOTE_MARKERS = (
    re.compile(r"^On .{0,200}wrote:\s*$", re.MULTILINE),
    re.compile(r"^-{2,}\s*Original Message\s*-{2,}", re.MULTILINE | re.IGNORECASE),
)


@dataclass(frozen=True)
class InboundEmail:
    sender: str
    to: list[str]
    subject: str
    text: str
    message_id: str | None = None
    in_reply_to: str | None = None
    references: str | None = None
    provider_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def strip_quoted(text: str) -> str:
    """The new part of a reply: drop the quoted history mail clients append."""
    cut = len(text)
    for marker in _QUOTE_MARKERS:
        found = marker.search(text)
        if found:
            cut = min(cut, found.start())
    lines = [ln for ln in text[:cut].splitlines() if not ln.startswith(">")]
    return "\n".join(lines).strip() or text.strip()


def html_to_text(html: str) -> str:
    text = re.sub(r"(?is)<(script|style).*?</\1>", "", html)
    text = re.sub(r"(?i)<br\s*/?>|</p>|</div>", "\n", text)
    return unescape(re.sub(r"<[^>]+>", "", text)).strip()


def header(headers: Any, name: str) -> str | None:
    """A header from a dict or a list of {name, value}, case-insensitively."""
    if isinstance(headers, dict):
        for key, value in headers.items():
            if str(key).lower() == name.lower():
                return str(value)
    elif isinstance(headers, list):
        for item in headers:
            if isinstance(item, dict) and str(item.get("name", "")).lower() == name.lower():
                return str(item.get("value", ""))
    return None


async def find_ticket(uow: UnitOfWork, email: InboundEmail) -> Ticket | None:
    address_token = addresses.token_in_addresses(email.to)
    header_token = addresses.token_in_headers(email.in_reply_to, email.references)
    if address_token and header_token and address_token != header_token:
        by_address = await service.by_token(uow, address_token)
        by_header = await service.by_token(uow, header_token)
        if by_address is not None and by_header is not None and by_address.id != by_header.id:
            raise Conflict(
                "the reply address and the In-Reply-To header name different tickets",
                code="reply_token_mismatch",
            )
    token = address_token or header_token
    if token is None:
        return None
    ticket = await service.by_token(uow, token)
    if ticket is None:
        raise NotFound("no ticket has this reply token", code="unknown_ticket")
    return ticket


async def receive(uow: UnitOfWork, email: InboundEmail) -> tuple[Ticket, bool]:
    """Returns (ticket, created_ticket)."""
    name, address = addresses.plain_address(email.sender)
    requester = service.check_requester(name, address)
    text = strip_quoted(email.text or "")
    if not text:
        raise ValidationFailed("the email has no text", code="empty_message")
    meta = {
        "email": {
            "message_id": email.message_id,
            "in_reply_to": email.in_reply_to,
            "from": requester.email,
            "provider_id": email.provider_id,
        },
        "from": requester.email,
    }
    ticket = await find_ticket(uow, email)
    if ticket is None:
        ticket, _ = await service.create(
            uow,
            requester=requester,
            message=text,
            subject=email.subject or None,
            source="email",
            client_id=(
                "email-" + hashlib.sha256(email.message_id.encode()).hexdigest()[:40]
                if email.message_id
                else None
            ),
            meta=meta,
        )
        return ticket, True
    await service.customer_reply(uow, ticket, text=text, message_id=email.message_id, meta=meta)
    return ticket, False


def verify_svix(secret: str | None, headers: dict[str, str], body: bytes) -> None:
    """Resend signs webhooks the Svix way: base64 HMAC-SHA256 of "id.timestamp.body" with the
    endpoint's ``whsec_`` secret, in ``svix-signature`` as space-separated ``v1,<sig>``.
    A failed check is a 400, as Svix advises (the sender is not a caller with credentials)."""
    if not secret:
        raise NotFound("inbound email through Resend is not configured", code="inbound_disabled")
    msg_id = headers.get("svix-id") or headers.get("webhook-id") or ""
    stamp = headers.get("svix-timestamp") or headers.get("webhook-timestamp") or ""
    signatures = headers.get("svix-signature") or headers.get("webhook-signature") or ""
    if not msg_id or not (stamp.isascii() and stamp.isdigit()) or not signatures:
        raise BadRequest("missing webhook signature", code="bad_signature")
    if abs(time.time() - int(stamp)) > SIGNATURE_TOLERANCE_SECONDS:
        raise BadRequest("webhook timestamp too old", code="bad_signature")
    try:
        key = base64.b64decode(secret.removeprefix("whsec_"), validate=True)
    except binascii.Error:
        raise ServiceUnavailable(
            "BATON_RESEND_WEBHOOK_SECRET is not a whsec_ base64 secret",
            code="inbound_misconfigured",
        ) from None
    expected = base64.b64encode(
        hmac.new(key, f"{msg_id}.{stamp}.".encode() + body, hashlib.sha256).digest()
    ).decode()
    for candidate in signatures.split():
        version, _, sig = candidate.partition(",")
        # bytes: a header may carry any character, and compare_digest takes only ASCII str
        if version == "v1" and hmac.compare_digest(sig.encode(), expected.encode()):
            return
    raise BadRequest("webhook signature does not match", code="bad_signature")


def check_token(expected: str | None, given: str | None) -> None:
    if not expected:
        raise NotFound(
            "the generic inbound email endpoint is not configured", code="inbound_disabled"
        )
    if not given or not hmac.compare_digest(given.encode(), expected.encode()):
        raise Unauthorized("a valid inbound token is required", code="bad_token")


async def from_resend(uow: UnitOfWork, payload: dict[str, Any]) -> InboundEmail | None:
    """Resend's webhook holds the metadata; the body and headers come from its Receiving
    API. None for event types other than ``email.received``."""
    if payload.get("type") != "email.received":
        return None
    data = payload.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("email_id"), str):
        raise ValidationFailed("data.email_id is required", code="invalid_payload")
    try:
        full = await uow.runtime.slot(ResendClient).received(uow.runtime.settings, data["email_id"])
    except SendFailed as exc:
        # Resend retries the webhook; nothing is stored until the body can be read
        raise ServiceUnavailable(str(exc), code="provider_unavailable") from exc
    merged = {**data, **{k: v for k, v in full.items() if v is not None}}
    return parsed(merged, provider_id=data["email_id"])


def parsed(data: dict[str, Any], *, provider_id: str | None = None) -> InboundEmail:
    """The generic shape (also what Resend's Receiving API returns): from, to, subject, text
    or html, message_id, in_reply_to, references, headers."""
    sender = data.get("from")
    if not isinstance(sender, str) or not sender.strip():
        raise ValidationFailed("from is required", code="invalid_email")
    to_raw = data.get("to") or []
    to = [to_raw] if isinstance(to_raw, str) else [str(t) for t in to_raw if isinstance(t, str)]
    headers = data.get("headers")
    text = data.get("text")
    if not isinstance(text, str) or not text.strip():
        html = data.get("html")
        text = html_to_text(html) if isinstance(html, str) else ""

    def pick(key: str, name: str) -> str | None:
        value = data.get(key)
        return str(value) if isinstance(value, str) and value else header(headers, name)

    return InboundEmail(
        sender=sender,
        to=to,
        subject=str(data.get("subject") or "")[:300],
        text=text,
        message_id=pick("message_id", "Message-ID"),
        in_reply_to=pick("in_reply_to", "In-Reply-To"),
        references=pick("references", "References"),
        provider_id=provider_id or (str(data["id"]) if isinstance(data.get("id"), str) else None),
    )
