"""scripts/bench: bring up a bench cluster, run the scenarios, print a table, write JSON."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import sys
import time
import traceback
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from . import report
from .env import ROOT, BenchEnv
from .procs import raise_fd_limit
from .scenarios import SCENARIOS, Context, Scenario


async def run_scenarios(ctx: Context, chosen: list[str]) -> list[dict[str, Any]]:
    out = []
    for key in chosen:
        started = time.monotonic()
        load_before = os.getloadavg()[0]
        print(
            f"==> {key}: {SCENARIOS[key].__name__} ({ctx.time_left():.0f} s of budget left)",
            flush=True,
        )
        try:
            sc = await SCENARIOS[key](ctx)
        except Exception as exc:
            traceback.print_exc()
            sc = Scenario(
                key,
                SCENARIOS[key].__name__,
                status="failed",
                reason=f"{type(exc).__name__}: {exc}"[:500],
            )
        sc.seconds = time.monotonic() - started
        sc.details["load_average_before"] = round(load_before, 2)
        sc.details["load_average_after"] = round(os.getloadavg()[0], 2)
        out.append(sc.as_dict())
        print(report.table([sc.as_dict()]), flush=True)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/bench", description=__doc__)
    parser.add_argument("--only", help="comma-separated scenarios (s1..s7); default all")
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (median + spread)")
    parser.add_argument(
        "--budget",
        type=float,
        default=760,
        help="seconds for the scenarios; later runs are cut to fit",
    )
    parser.add_argument("--quick", action="store_true", help="small loads, for a smoke run")
    parser.add_argument("--json", type=Path, default=ROOT / "artifacts" / "bench" / "results.json")
    parser.add_argument(
        "--postgres",
        default=os.environ.get(
            "BATON_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument(
        "--redis", default=os.environ.get("BATON_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
    )
    parser.add_argument(
        "--render",
        type=Path,
        metavar="JSON",
        help="print an earlier results file as Markdown and exit",
    )
    args = parser.parse_args(argv)
    if args.render:
        import json

        print(report.markdown(json.loads(args.render.read_text())))
        return 0
    for url in (args.postgres, args.redis):
        if urlsplit(url).hostname not in ("127.0.0.1", "localhost", "::1"):
            parser.error(f"the bench only targets loopback: {url}")
    chosen = args.only.split(",") if args.only else list(SCENARIOS)
    unknown = [c for c in chosen if c not in SCENARIOS]
    if unknown:
        parser.error(f"unknown scenarios: {unknown}")

    t_start = time.monotonic()
    fds = raise_fd_limit()
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    env = BenchEnv(args.postgres, args.redis, ROOT / "data" / "bench" / stamp)
    machine = report.machine()
    print(f"==> bench database {env.name}, workdir {env.workdir}, fd limit {fds}", flush=True)
    results: list[dict[str, Any]] = []
    setup: dict[str, float] = {}
    try:
        env.setup()
        t0 = time.monotonic()
        state = env.start_cluster()
        setup["cluster_up_s"] = round(time.monotonic() - t0, 1)
        print(f"==> cluster up at {state.proxy_url} ({setup['cluster_up_s']} s)", flush=True)
        t0 = time.monotonic()
        asyncio.run(env.create_users(25))
        setup["users_s"] = round(time.monotonic() - t0, 1)
        ctx = Context(
            env, runs=args.runs, deadline=time.monotonic() + args.budget, quick=args.quick
        )
        results = asyncio.run(run_scenarios(ctx, chosen))
    finally:
        print("==> tearing down (cluster, bench database, Redis keys)", flush=True)
        env.teardown()
    total = time.monotonic() - t_start
    data = {
        "started_at": stamp,
        "total_seconds": round(total, 1),
        "runs": args.runs,
        "quick": args.quick,
        "machine": machine,
        "setup": setup,
        "scenarios": results,
        "notes": "Load generators and servers share the same cores; other work on the machine "
        "distorts figures (see load_average_before/after per scenario).",
    }
    report.write_json(args.json, data)
    print("\n" + "=" * 100)
    print(
        f"Baton bench {stamp}: {machine['cpu']}, {machine['cores']} cores, "
        f"{machine['memory_gib']} GiB; total {total:.0f} s"
    )
    print(report.table(results))
    print(f"\nJSON: {args.json}")
    return 0 if all(s["status"] != "failed" for s in results) else 1


if __name__ == "__main__":
    sys.exit(main())
