"""Which handles a note mentions (no database)."""

from __future__ import annotations

from baton.notifications.audience import _MENTION


def test_handles_but_not_email_addresses() -> None:
    text = "@dana can you look? cc @Eli.S, the visitor is ada@example.com (@ops-team)"
    assert _MENTION.findall(text) == ["dana", "Eli.S", "ops-team"]
