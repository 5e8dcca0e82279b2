"""Canned-response import at volume: a 50,000-row xlsx and csv through the importer (dry run,
then the real import), the export back, with time and peak memory.

    PYTHONPATH=scripts:apps/api .venv/bin/python -m bench_lib.canned_bench [--rows 50000] [--sqlite]

Runs in this process against a fresh database (PostgreSQL by default, dropped afterwards;
``--sqlite`` uses a temporary file) and prints one JSON object. The file holds a few bad rows
on purpose (known row numbers), so the figures also check the row-level report.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import io
import json
import os
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from .analytics_bench import PG, PeakRss

BAD_ROWS = (7, 25_001, 49_999)  # 0-based data rows made invalid (sheet rows +2)


def workbook(rows: int, fmt: str) -> bytes:
    import polars as pl

    frame = pl.DataFrame(
        {
            "Shortcut": [f"answer-{i}" for i in range(rows)],
            "Title": [f"Answer number {i}" for i in range(rows)],
            "Body": [
                f"Hi {{{{visitor.name}}}}, here is answer {i}: " + "lorem ipsum " * 12
                for i in range(rows)
            ],
            "Category": ["billing" if i % 2 else "shipping" for i in range(rows)],
        }
    )
    bad = [b for b in BAD_ROWS if b < rows]
    frame = (
        frame.with_row_index()
        .with_columns(
            pl.when(pl.col("index").is_in(bad))
            .then(pl.lit(""))
            .otherwise(pl.col("Body"))
            .alias("Body")
        )
        .drop("index")
    )
    buffer = io.BytesIO()
    if fmt == "xlsx":
        frame.write_excel(buffer)
    else:
        frame.write_csv(buffer)
    return buffer.getvalue()


async def measure(database_url: str, *, rows: int, data_dir: Path) -> dict[str, Any]:
    import socketio

    from baton.auth.permissions import ALL_PERMISSIONS
    from baton.auth.principal import Principal
    from baton.canned import importer
    from baton.canned.models import CannedResponse
    from baton.kit.uow import unit_of_work
    from baton.runtime import build_runtime
    from baton.settings import load_settings
    from baton.users.models import User

    os.environ["BATON_DATA_DIR"] = str(data_dir)
    settings = dataclasses.replace(
        load_settings(), data_dir=data_dir, database_url=database_url, redis_url=None
    )
    runtime = build_runtime(settings, sio=socketio.AsyncServer(async_mode="asgi"))
    out: dict[str, Any] = {"rows": rows, "backend": runtime.db.dialect}
    admin_id = uuid.uuid4()
    principal = Principal("user", admin_id, "Bench", "admin", ALL_PERMISSIONS)
    try:
        async with runtime.db.session() as session:
            session.add(
                User(
                    id=admin_id,
                    email="bench@bench.local",
                    name="Bench",
                    password_hash="-",
                    role="admin",
                )
            )
            await session.commit()
        for fmt in ("xlsx", "csv"):
            t0 = time.perf_counter()
            data = workbook(rows, fmt)
            figures: dict[str, Any] = {
                "file_mib": round(len(data) / 2**20, 2),
                "build_s": round(time.perf_counter() - t0, 2),
            }
            for dry_run in (True, False):
                async with PeakRss() as mem, unit_of_work(runtime) as uow:
                    t0 = time.perf_counter()
                    result = await importer.run(
                        uow,
                        principal,
                        data=data,
                        filename=f"bench.{fmt}",
                        mapping=None,
                        visibility="global",
                        upsert=fmt == "csv",  # the second file updates what the first created
                        dry_run=dry_run,
                        create_categories=True,
                    )
                seconds = time.perf_counter() - t0  # includes the commit
                figures["dry_run" if dry_run else "import"] = {
                    "seconds": round(seconds, 2),
                    "rows_per_s": round(rows / seconds),
                    "created": result.created,
                    "updated": result.updated,
                    "error_rows": sorted({e.row for e in result.errors}),
                    "peak_rss_growth_mib": mem.growth_mib,
                }
            out[fmt] = figures
        async with runtime.db.session() as session:
            from sqlalchemy import func, select

            out["stored"] = int(
                await session.scalar(select(func.count()).select_from(CannedResponse)) or 0
            )
        out["expected_error_rows"] = [b + 2 for b in BAD_ROWS if b < rows]
        return out
    finally:
        await runtime.db.dispose()


async def run_fresh(*, rows: int = 50_000, sqlite: bool = False) -> dict[str, Any]:
    from baton.db.migrate import upgrade

    folder = Path(tempfile.mkdtemp(prefix="baton-canned-bench-"))
    if sqlite:
        url = f"sqlite+aiosqlite:///{folder / 'bench.db'}"
        await asyncio.to_thread(upgrade, url)
        return await measure(url, rows=rows, data_dir=folder)
    import asyncpg

    name = f"baton_bench_canned_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(PG)
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = PG.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://") + f"/{name}"
    try:
        await asyncio.to_thread(upgrade, url)
        return await measure(url, rows=rows, data_dir=folder)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def scenario(ctx: Any) -> Any:
    """A bench scenario (``scenarios.Scenario``) for ``scripts/bench``: see the module doc."""
    from .scenarios import Row, Scenario

    rows = 5_000 if getattr(ctx, "quick", False) else 50_000
    sc = Scenario("s8", f"canned-response import, {rows:,} rows (xlsx and csv)")
    r = await run_fresh(rows=rows)
    one = {"runs": 1}
    for fmt in ("xlsx", "csv"):
        for step in ("dry_run", "import"):
            sc.rows.append(
                Row(
                    f"{fmt} {step.replace('_', ' ')}",
                    "s",
                    one | {"median": r[fmt][step]["seconds"]},
                )
            )
        sc.rows.append(
            Row(
                f"{fmt} import peak memory",
                "MiB",
                one | {"median": r[fmt]["import"]["peak_rss_growth_mib"]},
            )
        )
    expected = r["expected_error_rows"]
    if (
        r["xlsx"]["import"]["error_rows"] != expected
        or r["csv"]["import"]["error_rows"] != expected
    ):
        sc.status, sc.reason = "failed", "the bad rows were not reported by their row numbers"
    sc.details.update(r)
    return sc


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--sqlite", action="store_true")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run_fresh(rows=args.rows, sqlite=args.sqlite)), indent=2))


if __name__ == "__main__":
    main()
