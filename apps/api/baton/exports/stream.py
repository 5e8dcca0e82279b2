"""``GET /api/v1/exports/messages.csv``: every message as CSV, streamed straight to the
caller in short keyset batches (the synchronous export, kept for integrators)."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import datetime

from baton.db.engine import Database
from baton.exports import sources
from baton.exports.formats import neutralise

EXPORT_BATCH = 5_000
EXPORT_COLUMNS = ("id", "conversation_id", "sender", "internal", "text", "created_at")


async def export_messages_csv(
    db: Database, *, since: datetime | None, until: datetime | None, batch: int = EXPORT_BATCH
) -> AsyncIterator[bytes]:
    """CSV of every message (oldest first), one short read per batch of rows."""
    header = True
    async for frame in sources.batches(db, "messages", sources.Window(since, until), batch=batch):
        out = io.BytesIO()
        neutralise(frame.select(EXPORT_COLUMNS)).write_csv(out, include_header=header)
        header = False
        yield out.getvalue()
    if header:  # an empty export is still a valid CSV with its header
        yield (",".join(EXPORT_COLUMNS) + "\n").encode()
