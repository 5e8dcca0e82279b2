"""The printed table and the JSON file."""

from __future__ import annotations

import contextlib
import json
import os
import platform
import subprocess
from pathlib import Path
from typing import Any


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    v = float(value)
    if v != v:
        return "nan"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    if abs(v) >= 100:
        return f"{v:.0f}"
    if abs(v) >= 10:
        return f"{v:.1f}"
    return f"{v:.2f}"


def cell(summary: dict[str, Any] | None) -> str:
    if not summary or summary.get("median") is None:
        return "-"
    med, lo, hi = summary["median"], summary["min"], summary["max"]
    n = len([r for r in summary.get("runs", []) if r is not None])
    if n <= 1:
        return f"{_fmt(med)} (1 run)"
    return f"{_fmt(med)} [{_fmt(lo)}-{_fmt(hi)}]"


def table(scenarios: list[dict[str, Any]]) -> str:
    lines = []
    header = ("metric", "Baton median [min-max]", "baseline median [min-max]", "ratio")
    for sc in scenarios:
        lines.append("")
        status = "" if sc["status"] == "ok" else f"  [{sc['status'].upper()}]"
        lines.append(f"{sc['id'].upper()}  {sc['title']}{status}  ({sc['seconds']:.0f} s)")
        if sc.get("reason"):
            lines.append(f"    note: {sc['reason']}")
        rows = [header]
        baselines = []
        for row in sc["rows"]:
            ratio = row["ratio"]
            rows.append(
                (
                    f"{row['metric']} ({row['unit']})",
                    cell(row["baton"]),
                    cell(row["baseline"]),
                    "-" if ratio is None else f"{ratio:.2f}x ({row['better']} is better)",
                )
            )
            if row.get("baseline_name") and row["baseline_name"] not in baselines:
                baselines.append(row["baseline_name"])
        widths = [max(len(r[i]) for r in rows) for i in range(4)]
        for r in rows:
            lines.append("    " + "  ".join(c.ljust(widths[i]) for i, c in enumerate(r)).rstrip())
        for name in baselines:
            lines.append(f"    baseline: {name}")
    return "\n".join(lines)


def machine() -> dict[str, Any]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = 0
    with contextlib.suppress(OSError, ValueError):
        mem = int(Path("/proc/meminfo").read_text().split()[1]) * 1024

    def version(args: list[str]) -> str:
        try:
            done = subprocess.run(args, capture_output=True, text=True, timeout=10)
            return (done.stdout or done.stderr).strip().splitlines()[0]
        except (OSError, IndexError, subprocess.TimeoutExpired):
            return "unknown"

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(mem / 2**30, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "postgres": version(["psql", "--version"]),
        "redis": version(["redis-server", "--version"]),
        "nginx": version(["nginx", "-v"]),
        "load_average_at_start": os.getloadavg(),
    }


def write_json(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, default=str))


def markdown(data: dict[str, Any]) -> str:
    """The results as Markdown tables (docs/performance.md is updated from this)."""
    m = data["machine"]
    out = [
        f"Run `{data['started_at']}`: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB, "
        f"Linux {m['kernel']}, Python {m['python']}, {m['postgres']}, {m['redis']}, "
        f"{m['nginx']}. {data['runs']} runs per figure, total {data['total_seconds']:.0f} s. "
        f"Load average at start: {', '.join(f'{x:.1f}' for x in m['load_average_at_start'])}.",
        "",
    ]
    for sc in data["scenarios"]:
        status = "" if sc["status"] == "ok" else f" — **{sc['status']}**"
        out.append(f"### {sc['id'].upper()}. {sc['title']}{status}")
        out.append("")
        if sc.get("reason"):
            out.append(f"_{sc['reason']}_")
            out.append("")
        d = sc.get("details", {})
        out.append(
            f"Load average before/after: {d.get('load_average_before')} / "
            f"{d.get('load_average_after')}; {sc['seconds']:.0f} s."
        )
        out.append("")
        out.append("| metric | Baton: median [min-max] | baseline: median [min-max] | ratio |")
        out.append("| --- | --- | --- | --- |")
        baselines: list[str] = []
        for row in sc["rows"]:
            ratio = (
                "-" if row["ratio"] is None else f"{row['ratio']:.2f}x ({row['better']} is better)"
            )
            out.append(
                f"| {row['metric']} ({row['unit']}) | {cell(row['baton'])} | "
                f"{cell(row['baseline'])} | {ratio} |"
            )
            if row.get("baseline_name") and row["baseline_name"] not in baselines:
                baselines.append(row["baseline_name"])
        out.append("")
        for name in baselines:
            out.append(f"Baseline: {name}.")
        out.append("")
    return "\n".join(out)
