"""Analytics and exports at volume: rollup time (from scratch and incremental), dashboard
latency from rollups over 30 and 90 days (and that it equals the figures from the raw
facts), export rate and peak memory (this process and the PostgreSQL backends).

    PYTHONPATH=scripts:apps/api .venv/bin/python -m bench_lib.analytics_bench \
        [--conversations 100000] [--messages-per-conversation 10] [--days 90] [--sqlite]

Runs in this process against a fresh database (PostgreSQL by default, dropped afterwards;
``--sqlite`` uses a temporary file), generates a workload whose answers are known (spread
evenly over ``--days``, loaded in chunks with COPY on PostgreSQL), and prints one JSON
object. ``measure()`` is the function a bench scenario calls.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
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
    ratings: list[tuple[Any, ...]] = dataclasses.field(default_factory=list)


CHUNK_CONVERSATIONS = 10_000  # generated and loaded at a time (bounded memory)


def generate(
    conversations: int,
    per_conversation: int,
    agents: list[uuid.UUID],
    *,
    start: int = 0,
    spacing_s: float = 30.0,
) -> Generated:
    """Conversations ``start`` .. ``start + conversations - 1``; conversation i opens at
    BASE + i * spacing_s. i % 10 < 6: the AI settles it after 10 min; 6..8: handed off at
    +5 min, taken at +6 min, first reply after 30..210 s, resolved at +30 min; 9: still with
    the AI. Every other settled one is rated at +40 min, 1..5 in turn (40 % satisfied)."""
    visitors, convs, events, messages, ratings = [], [], [], [], []
    seq = start * 100  # fewer than 100 rows per conversation: ids stay unique across chunks
    for i in range(start, start + conversations):
        created = BASE + timedelta(seconds=spacing_s * i)
        vid, cid = _uuid7(created, seq), _uuid7(created, seq + 1)
        seq += 2
        visitors.append((vid, f"Visitor {i}", created, created))
        kind = i % 10
        status = "resolved" if kind < 9 else "bot"
        convs.append((cid, vid, status, created, created, 0))
        if kind < 9 and i % 2 == 0:
            seq += 1
            rated = created + timedelta(minutes=40)
            agent = agents[i % len(agents)] if kind >= 6 else None
            ratings.append((_uuid7(rated, seq), cid, 1 + (i // 2) % 5, "widget", agent, rated))

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
    first = BASE + timedelta(seconds=spacing_s * start)
    last = BASE + timedelta(seconds=spacing_s * (start + conversations), minutes=41)
    return Generated(visitors, convs, events, messages, agents, first, last, ratings)


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
        "csat_responses": (
            ("id", "conversation_id", "rating", "channel", "agent_id", "created_at"),
            g.ratings,
        ),
    }
    if db.dialect == "postgresql":
        async with db.engine.connect() as conn:
            raw = (await conn.get_raw_connection()).driver_connection
            for table, (columns, rows) in tables.items():
                if rows:
                    await raw.copy_records_to_table(table, records=rows, columns=columns)
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


def _anon_rss(pid: int) -> int:
    """Private resident memory of a process (a PostgreSQL backend's RSS also counts the
    shared buffers it touches, which are not its growth)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("RssAnon:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


class PeakRss:
    """Samples resident memory while a block runs: this process, and the private memory of
    each PostgreSQL backend serving ``database`` (when its /proc entry is readable)."""

    def __init__(self, admin_url: str | None = None, database: str | None = None) -> None:
        self.start = rss_bytes(os.getpid())
        self.peak = self.start
        self.admin_url, self.database = admin_url, database
        self.backend_start: dict[int, int] = {}
        self.backend_peak: dict[int, int] = {}
        self._task: asyncio.Task[None] | None = None

    async def _backends(self) -> list[int]:
        if not self.admin_url or not self.database:
            return []
        import asyncpg

        conn = await asyncpg.connect(self.admin_url)
        try:
            rows = await conn.fetch(
                "SELECT pid FROM pg_stat_activity WHERE datname = $1", self.database
            )
        finally:
            await conn.close()
        return [int(r["pid"]) for r in rows]

    async def _sample(self) -> None:
        tick = 0
        pids: list[int] = []
        while True:
            self.peak = max(self.peak, rss_bytes(os.getpid()))
            if tick % 25 == 0:  # new backends (the export's connections) twice a second
                pids = await self._backends()
            for pid in pids:
                value = _anon_rss(pid)
                self.backend_start.setdefault(pid, value)
                self.backend_peak[pid] = max(self.backend_peak.get(pid, 0), value)
            tick += 1
            await asyncio.sleep(0.02)

    async def __aenter__(self) -> PeakRss:
        for pid in await self._backends():
            self.backend_start[pid] = _anon_rss(pid)
        self._task = asyncio.create_task(self._sample())
        await asyncio.sleep(0)
        return self

    async def __aexit__(self, *_: Any) -> None:
        assert self._task is not None
        self._task.cancel()
        self.peak = max(self.peak, rss_bytes(os.getpid()))

    @property
    def growth_mib(self) -> float:
        return round((self.peak - self.start) / 2**20, 1)

    @property
    def backend_growth_mib(self) -> float | None:
        """The largest growth of any one backend (None: not measurable here)."""
        if not any(self.backend_peak.values()):
            return None
        growth = max(
            self.backend_peak[pid] - self.backend_start.get(pid, 0) for pid in self.backend_peak
        )
        return round(growth / 2**20, 1)


def _shifted(g: Generated, to: datetime) -> Generated:
    """A copy of one generated conversation moved to ``to``, with fresh ids."""
    shift = to - g.first
    vid, cid = uuid.uuid4(), uuid.uuid4()

    def move(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        return [
            tuple(
                (v + shift) if isinstance(v, datetime) else (uuid.uuid4() if j == 0 else v)
                for j, v in enumerate(row)
            )
            for row in rows
        ]

    out = dataclasses.replace(
        g,
        visitors=[(vid, *r[1:]) for r in move(g.visitors)],
        conversations=[(cid, vid, *r[2:]) for r in move(g.conversations)],
        events=[(r[0], cid, *r[2:]) for r in move(g.events)],
        messages=[(r[0], cid, *r[2:]) for r in move(g.messages)],
        ratings=[(r[0], cid, *r[2:]) for r in move(g.ratings)],
        first=g.first + shift,
        last=g.last + shift,
    )
    return out


async def _median_ms(runs: int, fn: Any) -> tuple[list[float], Any]:
    """Every run's time in ms (the median goes in the report) and the last result."""
    timings, result = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = await fn()
        timings.append(round((time.perf_counter() - t0) * 1000, 1))
    return timings, result


async def _plain_copy_rate(db: Any) -> int:
    """The baseline for the CSV export: ``COPY messages TO STDOUT`` as PostgreSQL formats
    it, with no ISO timestamps, formula neutralising, slices or file."""
    async with db.engine.connect() as conn:
        raw = (await conn.get_raw_connection()).driver_connection
        size = 0

        async def sink(chunk: bytes) -> None:
            nonlocal size
            size += len(chunk)

        t0 = time.perf_counter()
        await raw.copy_from_query(
            "SELECT id, conversation_id, sender, internal, author_id, author_name, text, "
            "created_at FROM messages",
            output=sink,
            format="csv",
        )
        seconds = time.perf_counter() - t0
        rows = await raw.fetchval("SELECT count(*) FROM messages")
    return round(rows / seconds)


async def measure(
    database_url: str,
    *,
    conversations: int = 10_000,
    per_conversation: int = 10,
    days: int = 90,
    overview_runs: int = 5,
    export_formats: tuple[str, ...] = ("csv", "ndjson"),
    data_dir: Path | None = None,
    admin_url: str | None = None,
    database: str | None = None,
) -> dict[str, Any]:
    """The figures, on an empty migrated database at ``database_url`` (async URL)."""
    import socketio

    from baton import catalog
    from baton.analytics import facts as F
    from baton.analytics import reports, rollups
    from baton.db.base import utcnow
    from baton.exports import service as exports
    from baton.exports.models import Export
    from baton.kit.uow import unit_of_work
    from baton.runtime import build_runtime
    from baton.settings import load_settings
    from baton.users.models import User

    catalog.import_listeners()  # the CSAT fact source registers itself there
    data_dir = data_dir or Path(tempfile.mkdtemp(prefix="baton-analytics-bench-"))
    os.environ["BATON_DATA_DIR"] = str(data_dir)
    settings = dataclasses.replace(
        load_settings(), data_dir=data_dir, database_url=database_url, redis_url=None
    )
    runtime = build_runtime(settings, sio=socketio.AsyncServer(async_mode="asgi"))
    out: dict[str, Any] = {
        "conversations": conversations,
        "days": days,
        "backend": runtime.db.dialect,
    }
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

        # 1. the workload, generated and loaded a chunk at a time
        spacing = days * 86_400 / conversations
        t0 = time.perf_counter()
        messages = ratings = 0
        generating = 0.0
        last = BASE
        for start in range(0, conversations, CHUNK_CONVERSATIONS):
            t1 = time.perf_counter()
            g = generate(
                min(CHUNK_CONVERSATIONS, conversations - start),
                per_conversation,
                agents,
                start=start,
                spacing_s=spacing,
            )
            generating += time.perf_counter() - t1
            await _load(runtime.db, g)
            messages += len(g.messages)
            ratings += len(g.ratings)
            last = g.last
        if runtime.db.dialect == "postgresql":
            async with runtime.db.engine.connect() as conn:
                raw_conn = (await conn.get_raw_connection()).driver_connection
                await raw_conn.execute("ANALYZE")
        out["messages"] = messages
        out["ratings"] = ratings
        out["generate_and_load_s"] = round(time.perf_counter() - t0, 2)
        out["generate_python_s"] = round(generating, 2)  # the rest is COPY and ANALYZE

        # 2. the rollup from scratch, then an hour with one new conversation
        now = last + timedelta(days=2)
        async with runtime.db.session() as session:
            t0 = time.perf_counter()
            first = await rollups.run_incremental(session, now=now)
            await session.commit()
            out["rollup_from_scratch_s"] = round(time.perf_counter() - t0, 2)
            out["rollup_rows"] = {
                "facts_changed": first.facts_changed,
                "hourly": first.hourly_rows,
                "daily": first.daily_rows,
            }
        # what bounds the rollup: deriving facts in Python, timed alone on a sample
        async with runtime.db.session() as session:
            sample = (await F.touched_conversations(session, None, None))[:5_000]
            t0 = time.perf_counter()
            await F.load_facts(session, sample)
            rate = len(sample) / (time.perf_counter() - t0)
        out["derive_facts_conversations_per_s"] = round(rate)
        out["derive_facts_share_of_rollup"] = round(
            conversations / rate / out["rollup_from_scratch_s"], 2
        )
        extra = _shifted(generate(1, per_conversation, agents, start=6), now)
        await _load(runtime.db, extra)
        async with runtime.db.session() as session:
            t0 = time.perf_counter()
            await rollups.run_incremental(session, now=now + timedelta(minutes=5))
            await session.commit()
            out["rollup_incremental_s"] = round(time.perf_counter() - t0, 3)

        # 3. dashboard reads from the rollups, and the same figures from the raw facts
        utc, ny = reports.parse_tz("UTC"), reports.parse_tz("America/New_York")
        end_day = last.date() + timedelta(days=1)
        windows = {
            "30d": reports.Range(
                reports.local_midnight(end_day - timedelta(days=30), utc),
                reports.local_midnight(end_day, utc),
                utc,
            ),
            "90d": reports.Range(BASE, reports.local_midnight(end_day, utc), utc),
            "90d_new_york": reports.Range(
                reports.local_midnight(BASE.date(), ny),
                reports.local_midnight(end_day, ny),
                ny,
            ),
        }
        reads: dict[str, Any] = {}
        equal: dict[str, bool] = {}
        async with runtime.db.session() as session:
            for name, r in windows.items():
                ms, rolled = await _median_ms(
                    overview_runs, lambda r=r: reports.overview(session, r)
                )
                reads[f"overview_{name}_ms"] = ms
                t0 = time.perf_counter()
                raw = await reports.overview(session, r, raw=True)
                reads[f"overview_{name}_raw_facts_ms"] = [
                    round((time.perf_counter() - t0) * 1000, 1)
                ]
                equal[name] = rolled == raw
                if name == "90d":
                    out["overview_90d"] = rolled
            ninety = windows["90d"]
            reads["trends_day_90d_ms"], _ = await _median_ms(
                overview_runs,
                lambda: reports.trends(session, ninety, "conversations", "day"),
            )
            reads["agents_90d_ms"], board = await _median_ms(
                overview_runs, lambda: reports.agents(session, ninety)
            )
        out["reads"] = reads
        out["overview_equals_raw"] = equal
        out["agents_90d_rows"] = len(board)

        # 4. exports of every message, one job per format
        out["exports"] = {}
        for fmt in export_formats:
            async with runtime.db.session() as session:
                export = Export(
                    owner_kind="user",
                    owner_id=agents[0],
                    kind="messages",
                    format=fmt,
                    created_at=utcnow(),
                )
                session.add(export)
                await session.commit()
            async with PeakRss(admin_url, database) as mem, unit_of_work(runtime) as uow:
                t0 = time.perf_counter()
                status = await exports.run(uow, export.id)
                seconds = time.perf_counter() - t0
            async with runtime.db.session() as session:
                done = await session.get(Export, export.id)
                assert done is not None
            out["exports"][fmt] = {
                "status": status,
                "error": done.error,
                "path": "polars",  # no COPY since encryption at rest
                "rows": done.rows,
                "seconds": round(seconds, 2),
                "rows_per_s": round(done.rows / seconds) if seconds else None,
                "bytes": done.size_bytes,
                "peak_rss_growth_mib": mem.growth_mib,
                "postgres_backend_growth_mib": mem.backend_growth_mib,
            }
            path = exports.file_path(settings, done)
            if path is not None:
                path.unlink(missing_ok=True)  # a 1M-row file is ~100 MB
        out["export"] = out["exports"][export_formats[0]]
        if runtime.db.dialect == "postgresql":
            out["copy_plain_rows_per_s"] = await _plain_copy_rate(runtime.db)
        return out
    finally:
        await runtime.db.dispose()


async def run_fresh(
    *,
    conversations: int = 10_000,
    per_conversation: int = 10,
    days: int = 90,
    export_formats: tuple[str, ...] = ("csv", "ndjson"),
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
            days=days,
            export_formats=export_formats,
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
            days=days,
            export_formats=export_formats,
            admin_url=PG,
            database=name,
        )
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def scenario(ctx: Any) -> Any:
    """A bench scenario (``scenarios.Scenario``) for ``scripts/bench``: see the module doc.
    100,000 conversations / 1,000,000 messages over 90 days (10,000 with ``--quick``);
    ``BATON_BENCH_ANALYTICS_CONVERSATIONS`` overrides the size."""
    from .scenarios import Row, Scenario
    from .stats import summarize

    default = 10_000 if getattr(ctx, "quick", False) else 100_000
    conversations = int(os.environ.get("BATON_BENCH_ANALYTICS_CONVERSATIONS", default))
    sc = Scenario(
        "s7",
        f"analytics rollups, dashboard reads and export jobs, {conversations:,} conversations "
        f"/ {conversations * 10:,} messages over 90 days",
    )
    r = await run_fresh(conversations=conversations)

    def one(value: float | None) -> dict[str, Any]:
        return summarize([value])

    reads = r["reads"]
    sc.rows.append(Row("load (generate + COPY)", "s", one(r["generate_and_load_s"])))
    sc.rows.append(Row("rollup from scratch", "s", one(r["rollup_from_scratch_s"])))
    sc.rows.append(
        Row(
            "deriving facts (alone)",
            "conversations/s",
            one(r["derive_facts_conversations_per_s"]),
            better="higher",
        )
    )
    sc.rows.append(Row("incremental rollup", "s", one(r["rollup_incremental_s"])))
    for key, label in (
        ("overview_30d_ms", "overview 30 days (rollups)"),
        ("overview_90d_ms", "overview 90 days (rollups)"),
        ("overview_90d_new_york_ms", "overview 90 days, New York days"),
        ("trends_day_90d_ms", "daily trend, 90 days"),
        ("agents_90d_ms", "agent leaderboard, 90 days"),
        ("overview_90d_raw_facts_ms", "overview 90 days from raw facts"),
    ):
        sc.rows.append(Row(label, "ms", summarize(reads[key])))
    for fmt, e in r["exports"].items():
        plain = r.get("copy_plain_rows_per_s") if e["path"] == "COPY" else None
        sc.rows.append(
            Row(
                f"export job, {fmt} ({e['path']})",
                "rows/s",
                one(e["rows_per_s"]),
                one(plain) if plain else None,
                "plain COPY messages TO STDOUT" if plain else None,
                better="higher",
            )
        )
        sc.rows.append(
            Row(
                f"export {fmt}: peak memory growth",
                "MiB",
                one(e["peak_rss_growth_mib"]),
            )
        )
        if e["postgres_backend_growth_mib"] is not None:
            sc.rows.append(
                Row(
                    f"export {fmt}: PostgreSQL backend growth",
                    "MiB",
                    one(e["postgres_backend_growth_mib"]),
                )
            )
    failed = [k for k, same in r["overview_equals_raw"].items() if not same]
    if failed:
        sc.status = "failed"
        sc.reason = f"the overview from rollups differs from the raw facts: {failed}"
    bad = [f for f, e in r["exports"].items() if e["status"] != "done"]
    if bad:
        sc.status, sc.reason = "failed", f"export failed: {bad}"
    sc.details.update(r)
    return sc


async def _main(args: argparse.Namespace) -> dict[str, Any]:
    return await run_fresh(
        conversations=args.conversations,
        per_conversation=args.messages_per_conversation,
        days=args.days,
        export_formats=tuple(args.format),
        sqlite=args.sqlite,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=10_000)
    parser.add_argument("--messages-per-conversation", type=int, default=10)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument(
        "--format",
        action="append",
        choices=("csv", "json", "ndjson", "xlsx"),
        help="export formats to measure (repeat; default csv and ndjson)",
    )
    parser.add_argument("--sqlite", action="store_true")
    args = parser.parse_args()
    args.format = args.format or ["csv", "ndjson"]
    print(json.dumps(asyncio.run(_main(args)), indent=2, default=str))


if __name__ == "__main__":
    main()
