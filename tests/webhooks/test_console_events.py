"""The console's events picker offers exactly the events a webhook can subscribe to."""

from __future__ import annotations

import re

from baton.settings import PROJECT_ROOT
from baton.webhooks.payloads import EVENTS


def test_the_console_lists_every_subscribable_event() -> None:
    source = (PROJECT_ROOT / "apps/admin_web/src/features/webhooks/api.ts").read_text()
    block = source.split("export const WEBHOOK_EVENTS = [", 1)[1].split("]", 1)[0]
    assert tuple(re.findall(r'"([a-z_.*]+)"', block)) == EVENTS
    assert "csat.submitted" in EVENTS
