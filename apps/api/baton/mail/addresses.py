"""Reply addresses and Message-IDs that carry a ticket's reply token.

Outgoing ticket mail has ``Reply-To: <local>+t<token>@<domain>`` (plus addressing, so one
inbound address serves every ticket) and ``Message-ID: <t<token>.<email id>@<domain>>``; a
customer's reply is threaded by the token in the address it was sent to, or else by the
token in its ``In-Reply-To`` / ``References`` headers.
"""

from __future__ import annotations

import re
from email.utils import getaddresses, parseaddr

from baton.settings import Settings

TOKEN_RE = r"[A-Za-z0-9_-]{16,64}"
_ADDRESS_TOKEN = re.compile(rf"\+t({TOKEN_RE})@", re.IGNORECASE)
_MESSAGE_ID_TOKEN = re.compile(rf"<t({TOKEN_RE})\.[^@>\s]*@[^>\s]+>")


def sender_address(settings: Settings) -> tuple[str, str]:
    """(local part, domain) of BATON_EMAIL_FROM."""
    _, address = parseaddr(settings.email_from)
    local, _, domain = address.partition("@")
    return local or "support", domain or "baton.local"


def reply_address(settings: Settings, token: str) -> str:
    local, domain = sender_address(settings)
    return f"{local.split('+', 1)[0]}+t{token}@{domain}"


def message_id(settings: Settings, token: str, email_id: object) -> str:
    _, domain = sender_address(settings)
    return f"<t{token}.{email_id}@{domain}>"


def token_in_addresses(addresses: list[str]) -> str | None:
    for _, address in getaddresses(addresses):
        found = _ADDRESS_TOKEN.search(address)
        if found:
            return found.group(1)
    return None


def token_in_headers(*values: str | None) -> str | None:
    for value in values:
        if value:
            found = _MESSAGE_ID_TOKEN.search(value)
            if found:
                return found.group(1)
    return None


def plain_address(value: str) -> tuple[str | None, str]:
    """(display name, address) of a From header."""
    name, address = parseaddr(value)
    return (name or None), address
