"""``baton analytics rebuild|rollup``: recompute reporting events and rollups from the CLI."""

from __future__ import annotations

import json
import sys
from datetime import date

from baton.analytics import rollups
from baton.db.engine import Database
from baton.settings import get_settings


async def rebuild_command(*, start: str, end: str) -> int:
    try:
        lo, hi = date.fromisoformat(start), date.fromisoformat(end)
    except ValueError:
        print("error: --from and --to are ISO dates (2026-11-30)", file=sys.stderr)
        return 2
    if hi < lo:
        print("error: --to is before --from", file=sys.stderr)
        return 2
    db = Database.for_scripts(get_settings().database_url)
    try:
        async with db.session() as session:
            result = await rollups.rebuild(session, lo, hi)
            await session.commit()
        print(json.dumps({"rebuilt": f"{lo}..{hi}", **result.as_dict()}))
        return 0
    finally:
        await db.dispose()


async def rollup_command() -> int:
    db = Database.for_scripts(get_settings().database_url)
    try:
        async with db.session() as session:
            result = await rollups.run_incremental(session)
            await session.commit()
        print(json.dumps(result.as_dict()))
        return 0
    finally:
        await db.dispose()
