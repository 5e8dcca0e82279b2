"""Webhooks react to domain events by writing deliveries inside the unit of work (not after
it): importing the outbox registers that writer (see webhooks/outbox.py)."""

from __future__ import annotations

from baton.webhooks import outbox

__all__ = ["outbox"]
