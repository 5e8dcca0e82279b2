"""One Resend client per runtime (``runtime.slot(ResendClient)``): its own HTTP connection
pool, the key and base URL from settings, and no process-global state (the SDK keeps its
key in a module global, which two runtimes in one process would trample)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from baton.settings import Settings


class SendFailed(Exception):
    """Resend refused or could not be reached; ``permanent``: retrying will not help."""

    def __init__(self, detail: str, *, permanent: bool = False) -> None:
        super().__init__(detail)
        self.permanent = permanent


@dataclass(frozen=True)
class Outgoing:
    to: str
    subject: str
    text: str
    html: str | None
    headers: dict[str, str]
    reply_to: str | None
    idempotency_key: str


class ResendClient:
    def __init__(self) -> None:
        self._http: httpx.AsyncClient | None = None
        self._for: tuple[str, float] | None = None

    def _client(self, settings: Settings) -> httpx.AsyncClient:
        key = (settings.resend_base_url, settings.mail_send_timeout_seconds)
        if self._http is None or self._for != key:
            self._http = httpx.AsyncClient(
                base_url=settings.resend_base_url,
                timeout=settings.mail_send_timeout_seconds,
            )
            self._for = key
        return self._http

    def _auth(self, settings: Settings) -> dict[str, str]:
        return {"Authorization": f"Bearer {settings.resend_api_key or ''}"}

    async def send(self, settings: Settings, email: Outgoing) -> str:
        """POST /emails; returns Resend's id for the email."""
        body: dict[str, Any] = {
            "from": settings.email_from,
            "to": [email.to],
            "subject": email.subject,
            "text": email.text,
        }
        if email.html:
            body["html"] = email.html
        if email.reply_to:
            body["reply_to"] = email.reply_to
        if email.headers:
            body["headers"] = email.headers
        try:
            r = await self._client(settings).post(
                "/emails",
                json=body,
                headers={**self._auth(settings), "Idempotency-Key": email.idempotency_key},
            )
        except httpx.HTTPError as exc:
            raise SendFailed(f"Resend unreachable: {type(exc).__name__}: {exc}") from exc
        if r.status_code >= 400:
            # 4xx other than rate limits and idempotency races will not pass on a retry
            permanent = r.status_code < 500 and r.status_code not in (409, 429)
            raise SendFailed(
                f"Resend answered {r.status_code}: {r.text[:500]}", permanent=permanent
            )
        try:
            return str(r.json()["id"])
        except (ValueError, KeyError, TypeError) as exc:
            raise SendFailed(f"Resend answered without an id: {r.text[:200]}") from exc

    async def received(self, settings: Settings, email_id: str) -> dict[str, Any]:
        """GET /emails/receiving/{id}: an inbound email's body and headers (the webhook holds
        only its metadata)."""
        try:
            r = await self._client(settings).get(
                f"/emails/receiving/{quote(email_id, safe='')}", headers=self._auth(settings)
            )
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise SendFailed(f"Resend unreachable: {exc}") from exc
        if r.status_code >= 400:
            raise SendFailed(f"Resend answered {r.status_code}", permanent=r.status_code < 500)
        try:
            data = r.json()
        except ValueError as exc:
            raise SendFailed("Resend answered without JSON") from exc
        if not isinstance(data, dict):
            raise SendFailed("Resend answered an unexpected shape")
        return data

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None
