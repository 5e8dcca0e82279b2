"""The group-commit batch on SQLite, in one hop to the driver's thread.

aiosqlite runs each driver call (cursor, execute, fetch, close) on its own thread and wakes
the event loop for every result: ~200 µs of wall time and ~120 µs of the loop's CPU per hop
on this stack, a dozen hops for a batch's three statements. Here the three run as one
function on that thread, on the session's own connection and so inside its transaction
(the session still commits, and rolls back, everything). The rows come back through the
columns' own result processors, as the ORM would give them.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import QueryableAttribute

INSERT = """
    INSERT INTO messages
        (id, conversation_id, sender, text, internal, client_id, suggestions, meta, created_at)
    SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), 'visitor',
           json_extract(value, '$[2]'), 0, json_extract(value, '$[3]'), '[]',
           json_extract(value, '$[5]'), json_extract(value, '$[4]')
    FROM json_each(:rows) WHERE true
    ON CONFLICT DO NOTHING
    RETURNING id
"""

TOKENS = """
    INSERT INTO message_tokens (token, message_id)
    SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(:rows)
"""

TOUCH = """
    UPDATE conversations
    SET last_message_at = json_extract(v.value, '$[1]'),
        last_message_text = json_extract(v.value, '$[2]'),
        last_message_sender = 'visitor', updated_at = json_extract(v.value, '$[1]')
    FROM json_each(:rows) AS v
    WHERE conversations.id = json_extract(v.value, '$[0]')
    RETURNING {columns}
"""


def sqlite_time(value: datetime) -> str:
    """How the UTC column type stores a datetime in SQLite (naive UTC text)."""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


async def insert_and_touch(
    session: AsyncSession, rows: list[dict[str, Any]], returned: Sequence[QueryableAttribute[Any]]
) -> tuple[set[uuid.UUID], dict[uuid.UUID, dict[str, Any]]]:
    """Insert the messages, their index terms and move each conversation's last message.
    Returns the ids inserted and the touched conversations' ``returned`` columns."""
    payload = json.dumps(
        [
            [
                r["id"].hex,
                r["conversation_id"].hex,
                r["sealed"],
                r["client_id"],
                sqlite_time(r["created_at"]),
                r["meta"],
            ]
            for r in rows
        ]
    )
    by_hex = {r["id"].hex: r for r in rows}
    touch_sql = TOUCH.format(columns=", ".join(c.key for c in returned))

    def write(db: sqlite3.Connection) -> tuple[list[str], list[tuple[Any, ...]]]:
        inserted = [row[0] for row in db.execute(INSERT, {"rows": payload}).fetchall()]
        tokens = [[t, h] for h in inserted for t in by_hex[h]["tokens"]]
        if tokens:
            db.execute(TOKENS, {"rows": json.dumps(tokens)})
        stored = set(inserted)
        last: dict[str, dict[str, Any]] = {}
        for r in rows:  # the batch's order: a conversation's last stored message wins
            if r["id"].hex in stored:
                last[r["conversation_id"].hex] = r
        if not last:
            return inserted, []
        touch = [
            [cid, sqlite_time(r["created_at"]), r["sealed_preview"]] for cid, r in last.items()
        ]
        return inserted, db.execute(touch_sql, {"rows": json.dumps(touch)}).fetchall()

    connection = await session.connection()
    raw = await connection.get_raw_connection()
    # aiosqlite.Connection (pinned in pyproject): ``_execute`` runs a function on its
    # thread with the sqlite3 connection, which is what each of its own calls does
    driver: Any = raw.driver_connection
    inserted_hex, found = await driver._execute(write, driver._conn)
    dialect = connection.dialect
    processors = [c.type.dialect_impl(dialect).result_processor(dialect, None) for c in returned]
    conversations: dict[uuid.UUID, dict[str, Any]] = {}
    for values in found:
        item: dict[str, Any] = {
            c.key: (p(v) if p is not None else v)
            for c, p, v in zip(returned, processors, values, strict=True)
        }
        conversations[item["id"]] = item
    return {by_hex[h]["id"] for h in inserted_hex}, conversations
