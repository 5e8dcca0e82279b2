"""CSV exports on PostgreSQL through ``COPY (SELECT ...) TO STDOUT``: the server formats
the rows, Python only moves bytes (the generic path builds polars frames instead).

The same columns, the same ISO timestamps and the same formula neutralisation as the
generic CSV writer; the rows go out in keyset slices of ``SLICE`` so progress is recorded
and no statement runs for long.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from baton.db.engine import Database
from baton.exports.sources import Window

SLICE = 100_000
SUPPORTED = ("messages", "conversations")


def _n(expr: str) -> str:
    """A text cell a spreadsheet would run as a formula gets an apostrophe."""
    return f"CASE WHEN {expr} ~ '^[=+\\-@\\t\\r]' THEN '''' || {expr} ELSE {expr} END"


def _t(expr: str) -> str:
    return f"to_json({expr}) #>> '{{}}'"


SQL = {
    "messages": (
        "messages m",
        "m",
        [
            "m.id",
            "m.conversation_id",
            _n("m.sender"),
            "CASE WHEN m.internal THEN 'true' ELSE 'false' END",
            "m.author_id",
            _n("m.author_name"),
            _n("m.text"),
            _t("m.created_at"),
        ],
    ),
    "conversations": (
        "conversations c JOIN visitors v ON v.id = c.visitor_id "
        "LEFT JOIN users u ON u.id = c.assignee_id",
        "c",
        [
            "c.id",
            _n("c.status"),
            "c.visitor_id",
            _n("v.name"),
            _n("v.email"),
            "c.assignee_id",
            _n("u.name"),
            _n("c.handoff_reason"),
            _t("c.created_at"),
            _t("c.updated_at"),
            _t("c.resolved_at"),
            _t("c.last_message_at"),
        ],
    ),
}


def _where(alias: str, w: Window, args: list[Any]) -> list[str]:
    conditions = []
    if w.start is not None:
        args.append(w.start)
        conditions.append(f"{alias}.created_at >= ${len(args)}")
    if w.end is not None:
        args.append(w.end)
        conditions.append(f"{alias}.created_at < ${len(args)}")
    return conditions


async def copy_csv(
    db: Database,
    kind: str,
    w: Window,
    path: Path,
    columns: list[str],
    progress: Callable[[int, int], Awaitable[None]],
) -> int:
    """Write the CSV to ``path``; returns the rows written."""
    source, alias, exprs = SQL[kind]
    select_list = ", ".join(f"{e} AS {c}" for e, c in zip(exprs, columns, strict=True))
    async with db.engine.connect() as conn:
        raw = (await conn.get_raw_connection()).driver_connection
        assert raw is not None
        args: list[Any] = []
        where = _where(alias, w, args)
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        total = await raw.fetchval(f"SELECT count(*) FROM {source} {clause}", *args)
        last = await raw.fetchval(
            f"SELECT {alias}.id FROM {source} {clause} ORDER BY {alias}.id DESC LIMIT 1", *args
        )
        edges = [
            r[0]
            for r in await raw.fetch(
                f"SELECT id FROM (SELECT {alias}.id, row_number() OVER (ORDER BY {alias}.id) AS n "
                f"FROM {source} {clause}) s WHERE n % {SLICE} = 0 ORDER BY id",
                *args,
            )
        ]
        with path.open("wb") as fh:

            async def sink(chunk: bytes) -> None:
                fh.write(chunk)

            if not total:
                fh.write((",".join(columns) + "\n").encode())
                return 0
            bounds = [None, *edges]
            if edges and edges[-1] == last:
                bounds = bounds[:-1]
            done = 0
            for i, lo in enumerate(bounds):
                hi = bounds[i + 1] if i + 1 < len(bounds) else last
                slice_args = list(args)
                conditions = list(where)
                if lo is not None:
                    slice_args.append(lo)
                    conditions.append(f"{alias}.id > ${len(slice_args)}")
                slice_args.append(hi)
                conditions.append(f"{alias}.id <= ${len(slice_args)}")
                query = (
                    f"SELECT {select_list} FROM {source} WHERE {' AND '.join(conditions)} "
                    f"ORDER BY {alias}.id"
                )
                await raw.copy_from_query(
                    query, *slice_args, output=sink, format="csv", header=(i == 0)
                )
                done = min(total, done + SLICE) if i + 1 < len(bounds) else total
                await progress(done, total)
        return int(total)
