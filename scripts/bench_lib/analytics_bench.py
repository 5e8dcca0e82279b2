"""Analytics and exports at volume: rollup time (from scratch and incremental), dashboard
overview latency from rollups (and that it equals the raw figures), export rate and memory.

    PYTHONPATH=scripts:apps/api .venv/bin/python -m bench_lib.analytics_bench \
        [--conversations 100000] [--messages-per-conversation 10] [--sqlite]

Runs in this process against a fresh database (PostgreSQL by default, dropped afterwards;
``--sqlite`` uses a temporary file), generates a workload whose answers are known, and
prints one JSON object. ``measure()`` is the function a bench scenario calls.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from .procs import rss_bytes

PG = os.environ.get("BATON_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
BASE = datetime(2026, 6, 1, tzinfo=UTC)


def _uuid7(ts: datetime, n: int) -> uuid.UUID:
    """Time-ordered ids for generated rows (what uuid7 would have given at ``ts``)."""
    ms = int(ts.timestamp() * 1000)
    value = (ms << 80) | (0x7 << 76) | ((n & 0xFFF) << 64) | (0b10 << 62) | (n & ((1 << 62) - 1))
    return uuid.UUID(int=value)


@dataclasses.dataclass
class Generated:
    visitors: list[tuple[Any, ...]]
    conversations: list[tuple[Any, ...]]
    events: list[tuple[Any, ...]]
    messages: list[tuple[Any, ...]]
    agents: list[uuid.UUID]
    first: datetime
    last: datetime


def generate(conversations: int, per_conversation: int, agents: list[uuid.UUID]) -> Generated:
    """Conversation i opens at BASE + i * 30 s. i % 10 < 6: the AI settles it after 10 min;
    6..8: handed off at +5 min, taken at +6 min, first reply after 30..210 s, resolved at
    +30 min; 9: still with the AI."""
    visitors, convs, events, messages = [], [], [], []
    seq = 0
    for i in range(conversations):
        created = BASE + timedelta(seconds=30 * i)
        vid, cid = _uuid7(created, seq), _uuid7(created, seq + 1)
        seq += 2
        visitors.append((vid, f"Visitor {i}", created, created))
        kind = i % 10
        status = "resolved" if kind < 9 else "bot"
        convs.append((cid, vid, status, created, created, 0))

        def move(
            at: datetime,
            src: str,
            dst: str,
            assignee: uuid.UUID | None = None,
            cid: uuid.UUID = cid,
        ) -> None:
            nonlocal seq
            seq += 1
            events.append((_uuid7(at, seq), cid, src, dst, "system", assignee, None, at))

        def say(
            at: datetime, sender: str, author: uuid.UUID | None = None, cid: uuid.UUID = cid
        ) -> None:
            nonlocal seq
            seq += 1
            messages.append(
                (
                    _uuid7(at, seq),
                    cid,
                    sender,
                    f"generated {sender} message {seq}",
                    False,
                    author,
                    "[]",
                    "{}",
                    at,
                )
            )

        for k in range(per_conversation - (1 if 6 <= kind <= 8 else 0)):
            say(created + timedelta(seconds=10 * k + 1), "visitor" if k % 2 == 0 else "bot")
        if kind < 6:
            move(created + timedelta(minutes=10), "bot", "resolved")
        elif kind < 9:
            agent = agents[i % len(agents)]
            move(created + timedelta(minutes=5), "bot", "waiting")
            move(created + timedelta(minutes=6), "waiting", "agent", agent)
            say(created + timedelta(minutes=5, seconds=30 + 30 * (i % 7)), "agent", agent)
            move(created + timedelta(minutes=30), "agent", "resolved", agent)
    last = BASE + timedelta(seconds=30 * conversations, minutes=31)
    return Generated(visitors, convs, events, messages, agents, BASE, last)


async def _load(db: Any, g: Generated) -> None:
    """COPY on PostgreSQL, batched inserts on SQLite."""
    tables = {
        "visitors": (("id", "name", "created_at", "updated_at"), g.visitors),
        "conversations": (
            ("id", "visitor_id", "status", "created_at", "updated_at", "ai_miss_streak"),
            g.conversations,
        ),
        "conversation_events": (
            (
                "id",
                "conversation_id",
                "from_status",
                "to_status",
                "actor_kind",
                "assignee_id",
                "reason",
                "created_at",
            ),
            g.events,
        ),
        "messages": (
            (
                "id",
                "conversation_id",
                "sender",
                "text",
                "internal",
                "author_id",
                "suggestions",
                "meta",
                "created_at",
            ),
            g.messages,
        ),
    }
    if db.dialect == "postgresql":
        async with db.engine.connect() as conn:
            raw = (await conn.get_raw_connection()).driver_connection
            for table, (columns, rows) in tables.items():
                await raw.copy_records_to_table(table, records=rows, columns=columns)
            await raw.execute("ANALYZE")
        return
    from sqlalchemy import text

    async with db.engine.begin() as conn:
        for table, (columns, rows) in tables.items():
            stmt = text(
                f"INSERT INTO {table} ({', '.join(columns)}) "
                f"VALUES ({', '.join(':' + c for c in columns)})"
            )
            for start in range(0, len(rows), 5000):
                chunk = [
                    {
                        c: (
                            v.hex
                            if isinstance(v, uuid.UUID)
                            else v.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")
                            if isinstance(v, datetime)
                            else v
                        )
                        for c, v in zip(columns, row, strict=True)
                    }
                    for row in rows[start : start + 5000]
                ]
                await conn.execute(stmt, chunk)


class PeakRss:
    """Samples this process's resident memory while a block runs."""

    def __init__(self) -> None:
        self.start = rss_bytes(os.getpid())
        self.peak = self.start
        self._task: asyncio.Task[None] | None = None

    async def _sample(self) -> None:
        while True:
            self.peak = max(self.peak, rss_bytes(os.getpid()))
            await asyncio.sleep(0.02)

    async def __aenter__(self) -> PeakRss:
        self._task = asyncio.create_task(self._sample())
        return self

    async def __aexit__(self, *_: Any) -> None:
        assert self._task is not None
        self._task.cancel()
        self.peak = max(self.peak, rss_bytes(os.getpid()))

    @property
    def growth_mib(self) -> float:
        return round((self.peak - self.start) / 2**20, 1)


async def measure(
    database_url: str,
    *,
    conversations: int = 10_000,
    per_conversation: int = 10,
    overview_runs: int = 5,
    export_format: str = "csv",
    data_dir: Path | None = None,
) -> dict[str, Any]:
    """The figures, on an empty migrated database at ``database_url`` (async URL)."""
    import socketio

    from baton.analytics import reports, rollups
    from baton.db.base import utcnow
    from baton.exports import service as exports
    from baton.exports.models import Export
    from baton.kit.uow import unit_of_work
    from baton.runtime import build_runtime
    from baton.settings import load_settings
    from baton.users.models import User

    data_dir = data_dir or Path(tempfile.mkdtemp(prefix="baton-analytics-bench-"))
    os.environ["BATON_DATA_DIR"] = str(data_dir)
    settings = dataclasses.replace(
        load_settings(), data_dir=data_dir, database_url=database_url, redis_url=None
    )
    runtime = build_runtime(settings, sio=socketio.AsyncServer(async_mode="asgi"))
    out: dict[str, Any] = {"conversations": conversations, "backend": runtime.db.dialect}
    try:
        agents = [uuid.uuid4() for _ in range(5)]
        async with runtime.db.session() as session:
            for n, agent in enumerate(agents):
                session.add(
                    User(
                        id=agent,
                        email=f"agent{n}@bench.local",
                        name=f"Agent {n}",
                        password_hash="-",
                        role="agent",
                    )
                )
            await session.commit()
        t0 = time.perf_counter()
        g = generate(conversations, per_conversation, agents)
        await _load(runtime.db, g)
        out["messages"] = len(g.messages)
        out["generate_and_load_s"] = round(time.perf_counter() - t0, 2)

        r = reports.Range(g.first, g.last + timedelta(days=1), reports.parse_tz("UTC"))
        async with runtime.db.session() as session:
            t0 = time.perf_counter()
            raw = await reports.overview(session, r)
            out["overview_raw_s"] = round(time.perf_counter() - t0, 3)

        now = g.last + timedelta(days=2)
        async with runtime.db.session() as session:
            t0 = time.perf_counter()
            first = await rollups.run_incremental(session, now=now)
            await session.commit()
            out["rollup_from_scratch_s"] = round(time.perf_counter() - t0, 2)
            out["rollup_rows"] = {"hourly": first.hourly_rows, "daily": first.daily_rows}
        # an hour of new activity: one more conversation handed off and answered
        extra = generate(1, per_conversation, agents)
        shift = now - extra.first
        for rows in (extra.visitors, extra.conversations, extra.events, extra.messages):
            for k, row in enumerate(rows):
                rows[k] = tuple(
                    (v + shift)
                    if isinstance(v, datetime)
                    else (uuid.uuid4() if j == 0 and isinstance(v, uuid.UUID) else v)
                    for j, v in enumerate(row)
                )
        # keep the foreign keys of the shifted copy consistent
        vid, cid = extra.visitors[0][0], extra.conversations[0][0]
        extra.conversations[0] = (cid, vid, *extra.conversations[0][2:])
        extra.events = [(e[0], cid, *e[2:]) for e in extra.events]
        extra.messages = [(m[0], cid, *m[2:]) for m in extra.messages]
        await _load(runtime.db, extra)
        async with runtime.db.session() as session:
            t0 = time.perf_counter()
            await rollups.run_incremental(session, now=now + timedelta(minutes=5))
            await session.commit()
            out["rollup_incremental_s"] = round(time.perf_counter() - t0, 3)

        timings = []
        async with runtime.db.session() as session:
            for _ in range(overview_runs):
                t0 = time.perf_counter()
                rolled = await reports.overview(session, r)
                timings.append(time.perf_counter() - t0)
        out["overview_from_rollups_ms_median"] = round(statistics.median(timings) * 1000, 1)
        out["overview_equals_raw"] = rolled == raw
        out["overview"] = rolled

        async with runtime.db.session() as session:
            export = Export(
                owner_kind="user",
                owner_id=agents[0],
                kind="messages",
                format=export_format,
                created_at=utcnow(),
            )
            session.add(export)
            await session.commit()
        async with PeakRss() as mem, unit_of_work(runtime) as uow:
            t0 = time.perf_counter()
            status = await exports.run(uow, export.id)
            seconds = time.perf_counter() - t0
        async with runtime.db.session() as session:
            done = await session.get(Export, export.id)
            assert done is not None
        out["export"] = {
            "status": status,
            "format": export_format,
            "rows": done.rows,
            "seconds": round(seconds, 2),
            "rows_per_s": round(done.rows / seconds),
            "bytes": done.size_bytes,
            "peak_rss_growth_mib": mem.growth_mib,
        }
        return out
    finally:
        await runtime.db.dispose()


async def run_fresh(
    *,
    conversations: int = 10_000,
    per_conversation: int = 10,
    export_format: str = "csv",
    sqlite: bool = False,
) -> dict[str, Any]:
    """``measure`` on a database of its own: a temporary SQLite file, or a PostgreSQL
    database created on ``BATON_BENCH_POSTGRES_URL`` and dropped afterwards."""
    from baton.db.migrate import upgrade

    if sqlite:
        folder = Path(tempfile.mkdtemp(prefix="baton-analytics-bench-"))
        url = f"sqlite+aiosqlite:///{folder / 'bench.db'}"
        await asyncio.to_thread(upgrade, url)
        return await measure(
            url,
            conversations=conversations,
            per_conversation=per_conversation,
            export_format=export_format,
            data_dir=folder,
        )
    import asyncpg

    name = f"baton_bench_analytics_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(PG)
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = PG.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://") + f"/{name}"
    try:
        await asyncio.to_thread(upgrade, url)
        return await measure(
            url,
            conversations=conversations,
            per_conversation=per_conversation,
            export_format=export_format,
        )
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def scenario(ctx: Any) -> Any:
    """A bench scenario (``scenarios.Scenario``) for ``scripts/bench``: see the module doc."""
    from .scenarios import Row, Scenario

    conversations = 10_000 if getattr(ctx, "quick", False) else 100_000
    sc = Scenario(
        "s7", f"analytics rollups, overview and an export job, {conversations:,} conversations"
    )
    r = await run_fresh(conversations=conversations)
    one = {"median": None, "runs": 1}
    sc.rows.append(Row("rollup from scratch", "s", one | {"median": r["rollup_from_scratch_s"]}))
    sc.rows.append(Row("incremental rollup", "s", one | {"median": r["rollup_incremental_s"]}))
    sc.rows.append(
        Row("overview from rollups", "ms", one | {"median": r["overview_from_rollups_ms_median"]})
    )
    sc.rows.append(
        Row(
            "export job (CSV)",
            "rows/s",
            one | {"median": r["export"]["rows_per_s"]},
            better="higher",
        )
    )
    sc.rows.append(
        Row("export peak memory", "MiB", one | {"median": r["export"]["peak_rss_growth_mib"]})
    )
    if not r["overview_equals_raw"]:
        sc.status, sc.reason = "failed", "the overview from rollups differs from the raw figures"
    sc.details.update(r)
    return sc


async def _main(args: argparse.Namespace) -> dict[str, Any]:
    return await run_fresh(
        conversations=args.conversations,
        per_conversation=args.messages_per_conversation,
        export_format=args.format,
        sqlite=args.sqlite,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=10_000)
    parser.add_argument("--messages-per-conversation", type=int, default=10)
    parser.add_argument("--format", default="csv", choices=("csv", "json", "ndjson", "xlsx"))
    parser.add_argument("--sqlite", action="store_true")
    print(json.dumps(asyncio.run(_main(parser.parse_args())), indent=2, default=str))


if __name__ == "__main__":
    main()
