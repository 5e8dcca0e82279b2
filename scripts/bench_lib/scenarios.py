"""The six scenarios. Each returns a ``Scenario`` with rows (Baton vs its baseline)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from . import procs
from .env import ROOT, Agent, BenchEnv
from .load import ConversationLoad, RateResult
from .procs import free_port, tree_rss
from .sio import SioConn, gather_limited, new_session
from .stats import percentile, summarize


@dataclass
class Row:
    metric: str
    unit: str
    baton: dict[str, Any]
    baseline: dict[str, Any] | None = None
    baseline_name: str | None = None
    better: str = "lower"  # which direction is better, for reading the ratio

    @property
    def ratio(self) -> float | None:
        if not self.baseline:
            return None
        a, b = self.baton.get("median"), self.baseline.get("median")
        if a is None or b in (None, 0):
            return None
        return float(a) / float(b)

    def as_dict(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "unit": self.unit,
            "baton": self.baton,
            "baseline": self.baseline,
            "baseline_name": self.baseline_name,
            "ratio": None if self.ratio is None else round(self.ratio, 3),
            "better": self.better,
        }


@dataclass
class Scenario:
    id: str
    title: str
    status: str = "ok"  # ok | pending | failed
    reason: str | None = None
    rows: list[Row] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "status": self.status,
            "reason": self.reason,
            "seconds": round(self.seconds, 1),
            "rows": [r.as_dict() for r in self.rows],
            "details": self.details,
        }


@dataclass
class Context:
    env: BenchEnv
    runs: int
    deadline: float  # time.monotonic() after which scenarios cut their remaining runs
    quick: bool = False

    def time_left(self) -> float:
        return self.deadline - time.monotonic()

    def runs_that_fit(self, per_run: float, reserve: float = 0) -> int:
        """At least one run; more only while the overall budget allows."""
        fit = int((self.time_left() - reserve) // max(per_run, 1))
        return max(1, min(self.runs, fit))


SETUP_COPY_SECONDS = 2.0  # baton.ai.setup_cache.CACHE_SECONDS


def _vals(results: list[dict[str, Any]], key: str) -> list[Any]:
    return [r.get(key) for r in results]


async def settle(pids: list[int], seconds: float = 10) -> None:
    """Wait until the given processes stop burning CPU (their backlog drained), bounded."""
    end = time.monotonic() + seconds
    last = sum(procs.cpu_seconds(p) for p in pids)
    while time.monotonic() < end:
        await asyncio.sleep(0.5)
        now = sum(procs.cpu_seconds(p) for p in pids)
        if now - last < 0.05:
            return
        last = now


# -- scenario 1 ---------------------------------------------------------------------------
DURABLE_RELAY_1 = "the relay + group commit to PostgreSQL before the ack, 1 process"
DURABLE_RELAY_2 = (
    "the relay + group commit to PostgreSQL before the ack, 2 processes + Redis behind nginx"
)


async def _latency_runs(
    load: ConversationLoad, ctx: Context, rate: float, duration: float, drain: float
) -> list[dict[str, Any]]:
    await load.run_at(rate, 1.0, drain=2.0)  # warm-up, not counted
    results = []
    for _ in range(ctx.runs_that_fit(duration + drain, reserve=60)):
        cpu0, wall0 = time.process_time(), time.perf_counter()
        res = await load.run_at(rate, duration, drain=drain)
        summary = res.summary()
        summary["generator_cpu_share"] = round(
            (time.process_time() - cpu0) / (time.perf_counter() - wall0), 2
        )
        results.append(summary)
    return results


async def _latency_layout(
    ctx: Context,
    sc: Scenario,
    label: str,
    n: int,
    rate: float,
    duration: float,
    drain: float,
    layout: dict[str, Any],
    relay_layout: dict[str, Any],
    *,
    durable_floor: bool = False,
) -> None:
    env = ctx.env
    assert env.state is not None
    load = ConversationLoad(env.state.proxy_url, n, **layout)
    try:
        t0 = time.perf_counter()
        await load.open()
        sc.details[f"{label}_setup_seconds"] = round(time.perf_counter() - t0, 1)
        baton = await _latency_runs(load, ctx, rate, duration, drain)
    finally:
        await load.close()
    await settle([env.api_pid("api1"), env.api_pid("api2")])

    async def relay_runs(durable: bool) -> list[dict[str, Any]]:
        url, relay = await asyncio.to_thread(env.start_relay, 2, durable=durable)
        rload = ConversationLoad(url, n, agents=None, **relay_layout)
        try:
            await rload.open()
            return await _latency_runs(rload, ctx, rate, duration, drain)
        finally:
            await rload.close()
            await asyncio.to_thread(env.stop_procs, relay)

    def latency_rows(
        base: list[dict[str, Any]], name: str, keys: tuple[str, ...], against: str = ""
    ) -> None:
        for key in keys:
            sc.rows.append(
                Row(
                    f"latency {key.removesuffix('_ms')} ({label}){against}",
                    "ms",
                    summarize(_vals(baton, key)),
                    summarize(_vals(base, key)),
                    name,
                )
            )

    base = await relay_runs(False)
    if durable_floor:
        # the floor of persist-before-ack on this stack: what Baton pays beyond it is its own
        floor = await relay_runs(True)
        latency_rows(floor, DURABLE_RELAY_2, ("p50_ms", "p99_ms"), ", against the durable relay")
        sc.details[f"{label}_durable_relay_runs"] = floor

    name = "bare python-socketio relay, 2 processes + Redis behind nginx, no database"
    latency_rows(base, name, ("p50_ms", "p99_ms", "max_ms"))
    sc.rows.append(
        Row(
            f"not delivered within 5 s ({label})",
            "msgs",
            summarize(_vals(baton, "lost")),
            summarize(_vals(base, "lost")),
            name,
        )
    )
    sc.rows.append(
        Row(
            f"achieved send rate ({label})",
            "msg/s",
            summarize(_vals(baton, "achieved_rate")),
            summarize(_vals(base, "achieved_rate")),
            name,
            better="higher",
        )
    )
    sc.details[f"{label}_baton_runs"] = baton
    sc.details[f"{label}_baseline_runs"] = base


async def scenario_latency(ctx: Context) -> Scenario:
    sc = Scenario("s1", "visitor -> agent latency at 100 msg/s, 500 conversations")
    env = ctx.env
    assert env.state is not None
    n, rate = (100, 50.0) if ctx.quick else (500, 100.0)
    duration, drain = (3.0, 3.0) if ctx.quick else (8.0, 5.0)
    agents = min(25, len(env.agents))
    admin = Agent("admin", "admin@bench.local", env.admin_token)
    sc.details.update(
        conversations=n,
        rate=rate,
        run_seconds=duration,
        target="2 api processes behind nginx",
        realistic=f"{agents} agents with 2 tabs each (each owns {n // agents} conversations), "
        "one admin watching every conversation",
        stress="one agent socket per conversation over 10 accounts (50 sockets per account)",
    )
    await _latency_layout(
        ctx,
        sc,
        "realistic",
        n,
        rate,
        duration,
        drain,
        {"agents": env.agents[:agents], "agent_sockets": agents, "tabs": 2, "watchers": [admin]},
        {"agent_sockets": agents, "tabs": 2},
        durable_floor=True,
    )
    await _latency_layout(
        ctx, sc, "stress", n, rate, duration, drain, {"agents": env.agents[:10]}, {}
    )
    return sc


# -- scenario 2 ---------------------------------------------------------------------------
MAX_P99_MS = 1000.0  # "sustained": delivered while still feeling live, not from a backlog


def _passes(res: RateResult) -> bool:
    p99 = res.summary()["p99_ms"]
    return (
        res.errors == 0
        and res.lost == 0
        and res.sent > 0
        and res.achieved_rate >= 0.95 * res.target_rate
        and p99 is not None
        and p99 <= MAX_P99_MS
    )


async def find_max_rate(
    load: ConversationLoad,
    *,
    start: float,
    first: bool,
    cap: float,
    step_s: float,
    drain: float,
    end_by: float,
    pids: list[int],
) -> tuple[float, list[Any]]:
    """Highest rate that passes (all stored and delivered to both sides, rate kept up)."""
    history: list[Any] = []
    ok, bad = 0.0, None
    rate = start

    async def attempt(r: float) -> bool:
        res = await load.run_at(r, step_s, drain=drain, max_in_flight=int(r * 3) + 50)
        passed = _passes(res)
        history.append(
            {
                "rate": round(r, 1),
                "pass": passed,
                **{
                    k: v
                    for k, v in res.summary().items()
                    if k in ("achieved_rate", "lost", "p99_ms")
                },
            }
        )
        await settle(pids, 8 if not passed else 2)  # no backlog carried into the next step
        return passed

    growth = 2.0 if first else 1.25
    steps_up = 0
    while rate <= cap and time.monotonic() < end_by and (first or steps_up < 4):
        steps_up += 1
        if await attempt(rate):
            ok = rate
            rate *= growth
        else:
            bad = rate
            break
    if bad is None and rate > cap:
        history.append({"capped": True, "cap": cap})  # a lower bound: the ramp hit the cap
    if not first and ok == 0.0:  # a later run starts below its first failure, stepping down
        rate = start
        for _ in range(3):
            rate *= 0.7
            if rate < 1 or time.monotonic() >= end_by:
                break
            if await attempt(rate):
                ok = rate
                break
    if bad is not None and first:
        for _ in range(2):  # bisect the bracket
            if time.monotonic() >= end_by or bad - ok < max(2.0, ok * 0.1):
                break
            mid = (ok + bad) / 2
            if await attempt(mid):
                ok = mid
            else:
                bad = mid
    return ok, history


async def _max_rate_runs(
    load: ConversationLoad, ctx: Context, per_config_s: float, pids: list[int]
) -> tuple[list[float], list[Any]]:
    end_by = time.monotonic() + per_config_s
    step_s, drain = 2.0, 3.0
    cap = 3000.0
    rates: list[float] = []
    histories = []
    best, history = await find_max_rate(
        load, start=20, first=True, cap=cap, step_s=step_s, drain=drain, end_by=end_by, pids=pids
    )
    rates.append(best)
    histories.append(history)
    for _ in range(ctx.runs - 1):
        if time.monotonic() >= end_by:
            break
        best_i, history = await find_max_rate(
            load,
            start=max(5.0, rates[0] * 0.8),
            first=False,
            cap=cap,
            step_s=step_s,
            drain=drain,
            end_by=end_by,
            pids=pids,
        )
        rates.append(best_i)
        histories.append(history)
    return rates, histories


async def scenario_throughput(ctx: Context) -> Scenario:
    sc = Scenario("s2", "highest sustained rate, stored + delivered to both sides, none lost")
    env = ctx.env
    assert env.state is not None
    n, m = (50, 5) if ctx.quick else (100, 10)
    # bounded: a ramp per configuration gets this long (later runs are cut when it is spent)
    per_config = 25.0 if ctx.quick else 50.0
    sc.details.update(
        conversations=n,
        visitor_sockets=n,
        agent_sockets=m,
        seconds_per_configuration=round(per_config),
        pass_criterion="every message acked (stored), delivered to the agent and "
        f"the visitor room, no errors, >=95% of the offered rate, p99 <= "
        f"{MAX_P99_MS:.0f} ms; 2 s per rate; ramp x2 from 20 msg/s then two "
        "bisections; later runs ramp x1.25 (<= 4 steps) from 80% of the first "
        "result, or step down x0.7 when that fails",
    )

    async def measure(url: str, agents: Any, pids: list[int]) -> tuple[list[float], list[Any]]:
        load = ConversationLoad(url, n, agents=agents, agent_sockets=m)
        try:
            await load.open()
            return await _max_rate_runs(load, ctx, per_config, pids)
        finally:
            await load.close()
            await settle(pids)

    api = [env.api_pid("api1"), env.api_pid("api2")]
    one, one_h = await measure(env.state.api_urls[0], env.agents, api)
    two, two_h = await measure(env.state.proxy_url, env.agents, api)

    # the embedded default: one process, SQLite, in-process realtime and jobs
    emb_url, emb_proc, emb_agents = await env.start_embedded(m)
    try:
        emb, emb_h = await measure(emb_url, emb_agents, [emb_proc.pid])
    finally:
        await asyncio.to_thread(env.stop_procs, [emb_proc])

    url1, relay1 = await asyncio.to_thread(env.start_relay, 1)
    try:
        r_one, r_one_h = await measure(url1, None, [p.pid for p in relay1])
    finally:
        await asyncio.to_thread(env.stop_procs, relay1)
    url2, relay2 = await asyncio.to_thread(env.start_relay, 2)
    try:
        r_two, r_two_h = await measure(url2, None, [p.pid for p in relay2])
    finally:
        await asyncio.to_thread(env.stop_procs, relay2)
    url_d, relay_d = await asyncio.to_thread(env.start_relay, 1, durable=True)
    try:
        r_dur, r_dur_h = await measure(url_d, None, [p.pid for p in relay_d])
    finally:
        await asyncio.to_thread(env.stop_procs, relay_d)

    sc.rows.append(
        Row(
            "max rate, 1 api process",
            "msg/s",
            summarize(one),
            summarize(r_one),
            "bare python-socketio relay, 1 process, no database",
            better="higher",
        )
    )
    sc.rows.append(
        Row(
            "max rate, 1 api process, embedded default (SQLite)",
            "msg/s",
            summarize(emb),
            summarize(r_one),
            "bare python-socketio relay, 1 process, no database",
            better="higher",
        )
    )
    sc.rows.append(
        Row(
            "max rate, 1 api process, against the durable relay",
            "msg/s",
            summarize(one),
            summarize(r_dur),
            DURABLE_RELAY_1,
            better="higher",
        )
    )
    sc.rows.append(
        Row(
            "max rate, 2 api processes (nginx)",
            "msg/s",
            summarize(two),
            summarize(r_two),
            "bare relay, 2 processes + Redis behind nginx, no database",
            better="higher",
        )
    )
    sc.details["steps"] = {
        "baton_1": one_h,
        "baton_embedded": emb_h,
        "baton_2": two_h,
        "relay_1": r_one_h,
        "relay_2": r_two_h,
        "durable_relay_1": r_dur_h,
    }
    capped = [
        name
        for name, hist in sc.details["steps"].items()
        if any(step.get("capped") for run in hist for step in run)
    ]
    if capped:
        sc.reason = (
            f"{', '.join(capped)}: the ramp reached the generator's cap "
            "(3,000 msg/s) without failing, so that figure is a lower bound"
        )
    return sc


# -- scenario 3 ---------------------------------------------------------------------------
async def hold_idle(url: str, pid: int, n: int, idle_s: float) -> dict[str, Any]:
    session = new_session()
    before = tree_rss(pid)
    conns: list[SioConn] = []
    try:

        async def one(_: int) -> SioConn:
            conn = SioConn(session, "/widget")
            await conn.connect(url)
            conns.append(conn)
            return conn

        t0 = time.perf_counter()
        opened = await gather_limited(n, 100, one)
        connect_s = time.perf_counter() - t0
        failed = sum(1 for o in opened if isinstance(o, BaseException))
        await asyncio.sleep(idle_s)
        held = sum(1 for c in conns if c.connected)
        after = tree_rss(pid)
        return {
            "offered": n,
            "connected": n - failed,
            "held": held,
            "connect_seconds": round(connect_s, 2),
            "rss_before_mib": round(before / 2**20, 1),
            "rss_after_mib": round(after / 2**20, 1),
            "kib_per_connection": round((after - before) / 1024 / max(held, 1), 2),
        }
    finally:
        await gather_limited(len(conns), 200, lambda i: conns[i].close())
        await session.close()


async def scenario_idle(ctx: Context) -> Scenario:
    sc = Scenario("s3", "idle Socket.IO connections held by one process, memory per connection")
    env = ctx.env
    n = 300 if ctx.quick else 2000
    idle_s = 3.0 if ctx.quick else 6.0
    sc.details.update(
        connections=n,
        idle_seconds=idle_s,
        namespace="/widget",
        server="granian, a fresh process per run",
    )
    baton, base = [], []
    for _ in range(ctx.runs_that_fit(45, reserve=200)):
        url, proc = await asyncio.to_thread(env.start_baton, "granian")
        try:
            baton.append(await hold_idle(url, proc.pid, n, idle_s))
        finally:
            await asyncio.to_thread(env.stop_procs, [proc])
        url, relay = await asyncio.to_thread(env.start_relay, 1)
        try:
            base.append(await hold_idle(url, relay[0].pid, n, idle_s))
        finally:
            await asyncio.to_thread(env.stop_procs, relay)
    name = "bare python-socketio relay, 1 process"
    sc.rows.append(
        Row(
            "connections held",
            "sockets",
            summarize(_vals(baton, "held")),
            summarize(_vals(base, "held")),
            name,
            better="higher",
        )
    )
    sc.rows.append(
        Row(
            "memory per connection",
            "KiB",
            summarize(_vals(baton, "kib_per_connection")),
            summarize(_vals(base, "kib_per_connection")),
            name,
        )
    )
    sc.rows.append(
        Row(
            f"time to open {n}",
            "s",
            summarize(_vals(baton, "connect_seconds")),
            summarize(_vals(base, "connect_seconds")),
            name,
        )
    )
    sc.details["baton_runs"] = baton
    sc.details["baseline_runs"] = base
    return sc


# -- scenario 4 ---------------------------------------------------------------------------
def _start_fake_llm(env: BenchEnv) -> tuple[int, subprocess.Popen[bytes]]:
    port = free_port()
    pyenv = dict(os.environ, PYTHONPATH=str(ROOT / "scripts"))
    log = (env.workdir / "fakellm.log").open("ab")
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench_lib.fakellm", "--port", str(port)],
        env=pyenv,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    env.extra_procs.append(proc)
    procs.wait_port(port, 20, proc)
    return port, proc


async def direct_ttft(base_url: str, concurrency: int) -> list[float]:
    """Time to first token through the official OpenAI SDK, straight at the fake server."""
    import openai

    client = openai.AsyncOpenAI(base_url=base_url, api_key="bench", max_retries=0, timeout=30)

    async def one() -> float:
        t0 = time.perf_counter()
        stream = await client.chat.completions.create(
            model="bench-fake",
            stream=True,
            messages=[{"role": "user", "content": "How do I reset my password?"}],
        )
        first = None
        async for chunk in stream:
            if first is None and chunk.choices and chunk.choices[0].delta.content:
                first = time.perf_counter() - t0
        return (first if first is not None else float("nan")) * 1000

    try:
        return list(await asyncio.gather(*(one() for _ in range(concurrency))))
    finally:
        await client.close()


async def baton_ttft(url: str, concurrency: int, timeout: float = 30) -> list[float]:
    """Visitors in bot conversations: emit a message, time the first ``bot_stream`` delta."""
    session = new_session()
    firsts: dict[int, float] = {}
    sent_at: dict[int, float] = {}
    conns: list[SioConn] = []
    all_in = asyncio.Event()

    def handler(i: int) -> Callable[[str, str, float], None]:
        def on_event(event: str, raw: str, at: float) -> None:
            if i not in firsts and i in sent_at:
                firsts[i] = at
                if len(firsts) >= concurrency:
                    all_in.set()

        return on_event

    try:

        async def open_one(i: int) -> None:
            conn = SioConn(session, "/widget", handler(i), frozenset({"bot_stream"}))
            await conn.connect(url)
            started = await conn.call("start_session", {"visitor": {"name": f"TTFT {i}"}})
            if "error" in started:
                raise RuntimeError(f"start_session: {started}")
            conns.append(conn)

        failures = [
            r
            for r in await gather_limited(concurrency, 50, open_one)
            if isinstance(r, BaseException)
        ]
        if failures:
            raise RuntimeError(f"{len(failures)} sessions failed: {failures[0]!r}")

        async def ask(i: int) -> None:
            sent_at[i] = time.perf_counter()
            await conns[i].emit(
                "user_message",
                {"client_id": f"ttft-{i}-{time.time_ns()}", "text": "How do I reset my password?"},
            )

        await asyncio.gather(*(ask(i) for i in range(len(conns))))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(all_in.wait(), timeout)
        return [
            (firsts[i] - sent_at[i]) * 1000 if i in firsts else float("nan")
            for i in range(len(conns))
        ]
    finally:
        await gather_limited(len(conns), 100, lambda i: conns[i].close())
        await session.close()


async def _configure_providers(url: str, token: str, providers: list[dict[str, Any]]) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{url}/api/v1/ai/providers", headers=headers) as r:
            existing = await r.json()
        for item in existing.get("items", existing if isinstance(existing, list) else []):
            if item.get("kind") != "builtin":
                await (
                    await http.delete(f"{url}/api/v1/ai/providers/{item['id']}", headers=headers)
                ).release()
        for body in providers:
            async with http.post(f"{url}/api/v1/ai/providers", json=body, headers=headers) as r:
                if r.status >= 300:
                    raise RuntimeError(
                        f"creating provider {body['name']}: {r.status} {await r.text()}"
                    )
    # the process that took the change uses it at once, the other api process within its
    # copy's lifetime (baton.ai.setup_cache): wait that out, or its first replies measure
    # the previous fleet
    await asyncio.sleep(SETUP_COPY_SECONDS)


SINGLE_STREAM_SAMPLES = 7  # one stream is one sample per round: take several, in turn


async def _ttft_samples(
    measure: Callable[[str, int], Awaitable[list[float]]], url: str, concurrency: int
) -> list[float]:
    """The TTFTs of one round; at one stream, ``SINGLE_STREAM_SAMPLES`` questions in turn
    (a single question's figure moved by 3x between runs on this machine)."""
    if concurrency != 1:
        return await measure(url, concurrency)
    return [t for _ in range(SINGLE_STREAM_SAMPLES) for t in await measure(url, 1)]


def _median(values: list[float]) -> float | None:
    clean = sorted(v for v in values if v == v)
    return percentile(clean, 50)


async def scenario_ai(ctx: Context) -> Scenario:
    sc = Scenario("s4", "AI time-to-first-token added by Baton, and failover on a stalled primary")
    env = ctx.env
    assert env.state is not None
    port, fake = await asyncio.to_thread(_start_fake_llm, env)
    from . import fakellm

    sc.details.update(
        fake_first_token_ms=fakellm.FIRST_TOKEN_MS,
        fake_token_ms=fakellm.TOKEN_MS,
        fake_tokens=fakellm.TOKENS,
    )
    levels = (1, 10) if ctx.quick else (1, 50, 200)
    fake_url = f"http://127.0.0.1:{port}/v1"
    runs = ctx.runs_that_fit(20, reserve=150)
    direct: dict[int, list[float | None]] = {c: [] for c in levels}
    await direct_ttft(fake_url, 1)  # warm-up (imports, connections), not counted
    for _ in range(runs):
        for c in levels:
            direct[c].append(_median(await _ttft_samples(direct_ttft, fake_url, c)))

    async with (
        aiohttp.ClientSession() as http,
        http.get(
            f"{env.state.proxy_url}/api/v1/ai/providers",
            headers={"Authorization": f"Bearer {env.admin_token}"},
        ) as r,
    ):
        has_ai = r.status == 200
    if not has_ai:
        sc.status = "pending"
        sc.reason = (
            "this build has no AI reply path (/api/v1/ai/providers answered "
            f"{r.status}); only the direct-SDK baseline was measured"
        )
        for c in levels:
            sc.rows.append(
                Row(
                    f"TTFT p50, {c} concurrent",
                    "ms",
                    summarize([]),
                    summarize(direct[c]),
                    "direct OpenAI SDK call to the fake server",
                )
            )
        await asyncio.to_thread(env.stop_procs, [fake])
        return sc

    common = {
        "kind": "openai",
        "model": "bench-fake",
        "api_key": "bench-key",
        "use_tools": False,
        "max_retries": 0,
    }
    await _configure_providers(
        env.state.proxy_url,
        env.admin_token,
        [
            {**common, "name": "bench fake", "base_url": fake_url, "priority": 1},
        ],
    )
    baton: dict[int, list[float | None]] = {c: [] for c in levels}
    await baton_ttft(env.state.proxy_url, 2)  # warm-up: each api process answers once
    for _ in range(runs):
        for c in levels:
            baton[c].append(_median(await _ttft_samples(baton_ttft, env.state.proxy_url, c)))
    for c in levels:
        sc.rows.append(
            Row(
                f"TTFT p50, {c} concurrent",
                "ms",
                summarize(baton[c]),
                summarize(direct[c]),
                "direct OpenAI SDK call to the fake server",
            )
        )
        added = [
            b - d if b is not None and d is not None else None
            for b, d in zip(baton[c], direct[c], strict=True)
        ]
        sc.rows.append(Row(f"TTFT added by Baton, {c} concurrent", "ms", summarize(added)))

    deadline_s = 1.0
    await _configure_providers(
        env.state.proxy_url,
        env.admin_token,
        [
            {
                **common,
                "name": "bench stalled primary",
                "base_url": f"http://127.0.0.1:{port}/stall/v1",
                "priority": 1,
                "first_token_seconds": deadline_s,
                "failure_threshold": 100,
            },
            {**common, "name": "bench healthy secondary", "base_url": fake_url, "priority": 2},
        ],
    )
    failover = []
    for _ in range(runs):
        failover.append(_median(await baton_ttft(env.state.proxy_url, 1, timeout=20)))
    sc.rows.append(
        Row(
            "TTFT with a stalled primary (failover)",
            "ms",
            summarize(failover),
            summarize([deadline_s * 1000 + (d or 0) for d in direct[1]]),
            f"first-token deadline ({deadline_s:.0f} s) + direct TTFT",
        )
    )
    sc.details["first_token_deadline_s"] = deadline_s
    await asyncio.to_thread(env.stop_procs, [fake])
    return sc


# -- scenario 5 ---------------------------------------------------------------------------
async def generate_messages(env: BenchEnv, total: int, per_conversation: int = 100) -> float:
    """1,000,000 messages (and their visitors/conversations) with polars, loaded with COPY."""
    import io
    import uuid as uuidlib

    import asyncpg
    import polars as pl

    t0 = time.perf_counter()
    conversations = max(1, total // per_conversation)
    base_ts = time.time() - 90 * 86400
    visitor_ids = [str(uuidlib.uuid4()) for _ in range(conversations)]
    conv_ids = [str(uuidlib.uuid4()) for _ in range(conversations)]
    now = pl.lit(time.strftime("%Y-%m-%d %H:%M:%S+00", time.gmtime()))
    visitors = pl.DataFrame({"id": visitor_ids}).with_columns(
        name=pl.format("Visitor {}", pl.int_range(pl.len())), created_at=now, updated_at=now
    )
    convs = pl.DataFrame({"id": conv_ids, "visitor_id": visitor_ids}).with_columns(
        status=pl.lit("resolved"), created_at=now, updated_at=now, ai_miss_streak=pl.lit(0)
    )
    n = pl.int_range(total, eager=True)
    senders = pl.Series(["visitor", "bot", "agent", "visitor", "bot"])
    messages = pl.DataFrame(
        {
            "n": n,
            "conversation_id": pl.Series(conv_ids).gather(n // per_conversation),
            "sender": senders.gather(n % 5),
        }
    ).with_columns(
        text=pl.format("generated message {} about order {}", pl.col("n"), pl.col("n") % 997),
        internal=pl.lit(False),
        suggestions=pl.lit("[]"),
        meta=pl.lit("{}"),
        created_at=(pl.lit(base_ts) + pl.col("n") * (90 * 86400 / total))
        .mul(1_000_000)
        .cast(pl.Int64)
        .cast(pl.Datetime("us", "UTC")),
    )
    messages = messages.with_columns(id=pl.Series([str(uuidlib.uuid4()) for _ in range(total)]))

    conn = await asyncpg.connect(env.database_url.replace("postgresql+asyncpg", "postgresql"))
    try:

        async def copy(table: str, frame: pl.DataFrame) -> None:
            buf = io.BytesIO()
            frame.write_csv(buf, include_header=False)
            buf.seek(0)
            await conn.copy_to_table(table, source=buf, columns=frame.columns, format="csv")

        await copy("visitors", visitors)
        await copy("conversations", convs)
        await copy(
            "messages",
            messages.select(
                "id",
                "conversation_id",
                "sender",
                "text",
                "internal",
                "suggestions",
                "meta",
                "created_at",
            ),
        )
        await conn.execute("ANALYZE messages")
    finally:
        await conn.close()
    return time.perf_counter() - t0


AGGREGATION_SQL = """
SELECT date_trunc('day', created_at) AS day, sender, count(*) AS messages,
       count(DISTINCT conversation_id) AS conversations, avg(length(text)) AS avg_chars
FROM messages GROUP BY 1, 2 ORDER BY 1, 2
"""
EXPORT_SQL = (
    "SELECT id, conversation_id, sender, text, created_at FROM messages "
    "ORDER BY conversation_id, id"
)


async def sql_baseline(env: BenchEnv) -> dict[str, Any]:
    import asyncpg

    conn = await asyncpg.connect(env.database_url.replace("postgresql+asyncpg", "postgresql"))
    try:
        rss0 = procs.rss_bytes(os.getpid())
        t0 = time.perf_counter()
        groups = await conn.fetch(AGGREGATION_SQL)
        agg_s = time.perf_counter() - t0
        size = 0
        peak = rss0

        async def sink(chunk: bytes) -> None:
            nonlocal size, peak
            size += len(chunk)
            peak = max(peak, procs.rss_bytes(os.getpid()))

        t0 = time.perf_counter()
        await conn.copy_from_query(EXPORT_SQL, output=sink, format="csv")
        export_s = time.perf_counter() - t0
        total = await conn.fetchval("SELECT count(*) FROM messages")
    finally:
        await conn.close()
    return {
        "aggregation_s": agg_s,
        "groups": len(groups),
        "export_s": export_s,
        "export_rows_per_s": total / export_s,
        "export_bytes": size,
        "peak_rss_delta_mib": (peak - rss0) / 2**20,
        "rows": total,
    }


async def baton_analytics(env: BenchEnv) -> dict[str, Any]:
    """Baton's aggregation endpoint and streamed CSV export, through the proxy, as an admin
    would call them; memory is the consumer's (like the baseline) and the api processes'
    (sampled per 64 KiB chunk received)."""
    assert env.state is not None
    headers = {"Authorization": f"Bearer {env.admin_token}"}
    api_pids = [pid for name, pid in env.state.pids.items() if name.startswith("api")]
    timeout = aiohttp.ClientTimeout(total=600)
    async with aiohttp.ClientSession(timeout=timeout) as http:
        t0 = time.perf_counter()
        async with http.get(
            f"{env.state.proxy_url}/api/v1/analytics/messages", headers=headers
        ) as r:
            if r.status != 200:
                raise RuntimeError(f"analytics: {r.status} {await r.text()}")
            groups = (await r.json())["items"]
        agg_s = time.perf_counter() - t0
        rss0 = procs.rss_bytes(os.getpid())
        api0 = {pid: procs.tree_rss(pid) for pid in api_pids}
        peak, api_peak, size, lines = rss0, dict(api0), 0, 0
        t0 = time.perf_counter()
        async with http.get(
            f"{env.state.proxy_url}/api/v1/exports/messages.csv", headers=headers
        ) as r:
            if r.status != 200:
                raise RuntimeError(f"export: {r.status} {await r.text()}")
            async for chunk in r.content.iter_chunked(1 << 16):
                size += len(chunk)
                lines += chunk.count(b"\n")
                peak = max(peak, procs.rss_bytes(os.getpid()))
                for pid in api_pids:
                    api_peak[pid] = max(api_peak[pid], procs.tree_rss(pid))
        export_s = time.perf_counter() - t0
    rows = lines - 1  # the header (message texts here have no newlines)
    return {
        "aggregation_s": agg_s,
        "groups": len(groups),
        "export_s": export_s,
        "export_rows_per_s": rows / export_s,
        "export_bytes": size,
        "rows": rows,
        "peak_rss_delta_mib": (peak - rss0) / 2**20,
        "api_peak_rss_delta_mib": max((api_peak[p] - api0[p]) / 2**20 for p in api_pids)
        if api_pids
        else None,
    }


async def scenario_analytics(ctx: Context) -> Scenario:
    env = ctx.env
    total = 100_000 if ctx.quick else 1_000_000
    sc = Scenario("s5", f"aggregation and streamed export over {total:,} messages")
    gen_s = await generate_messages(env, total)
    sc.details.update(messages=total, generate_and_copy_seconds=round(gen_s, 1))
    runs = [await sql_baseline(env) for _ in range(ctx.runs_that_fit(15, reserve=100))]
    baton: list[dict[str, Any]] = []
    if await _probe_analytics(env):
        baton = [await baton_analytics(env) for _ in range(ctx.runs_that_fit(60, reserve=60))]
        if any(b["rows"] != total for b in baton):
            sc.status = "failed"
            sc.reason = f"the export returned {[b['rows'] for b in baton]} rows, not {total:,}"
    else:
        sc.status = "pending"
        sc.reason = f"this build has no analytics or export endpoint; the SQL baseline over {total:,} rows is measured"
    name = "the same query straight on PostgreSQL (asyncpg; COPY ... TO STDOUT for the export)"
    sc.rows.append(
        Row(
            "aggregation time",
            "s",
            summarize(_vals(baton, "aggregation_s")),
            summarize(_vals(runs, "aggregation_s")),
            name,
        )
    )
    sc.rows.append(
        Row(
            "export time",
            "s",
            summarize(_vals(baton, "export_s")),
            summarize(_vals(runs, "export_s")),
            name,
        )
    )
    sc.rows.append(
        Row(
            "export rate",
            "rows/s",
            summarize(_vals(baton, "export_rows_per_s")),
            summarize(_vals(runs, "export_rows_per_s")),
            name,
            better="higher",
        )
    )
    sc.rows.append(
        Row(
            "export peak memory (consumer)",
            "MiB",
            summarize(_vals(baton, "peak_rss_delta_mib")),
            summarize(_vals(runs, "peak_rss_delta_mib")),
            name,
        )
    )
    sc.rows.append(
        Row(
            "export peak memory (api process)",
            "MiB",
            summarize(_vals(baton, "api_peak_rss_delta_mib")),
            None,
            None,
        )
    )
    sc.details["baseline_runs"] = runs
    sc.details["baton_runs"] = baton
    return sc


async def _probe_analytics(env: BenchEnv) -> list[str]:
    assert env.state is not None
    found = []
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"{env.state.proxy_url}/schema/openapi.json") as r,
    ):
        schema = await r.json() if r.status == 200 else {}
    for path in schema.get("paths", {}):
        if path.startswith(("/api/v1/analytics", "/api/v1/exports")):
            found.append(path)
    return found


# -- scenario 6 ---------------------------------------------------------------------------
WRK_RPS = re.compile(r"Requests/sec:\s+([\d.]+)")
WRK_LAT = re.compile(r"^\s+50%\s+([\d.]+)(us|ms|s)\s*$", re.M)


def run_wrk(url: str, seconds: int, connections: int = 32) -> dict[str, float]:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise RuntimeError("wrk is not installed (scripts/bench installs Debian's wrk)")
    out = subprocess.run(
        [wrk, "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", url],
        capture_output=True,
        text=True,
        timeout=seconds + 30,
        check=True,
    ).stdout
    rps = float(WRK_RPS.search(out).group(1))  # type: ignore[union-attr]
    m = WRK_LAT.search(out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    p50 = float(m.group(1)) * scale[m.group(2)] if m else float("nan")
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return {"rps": rps, "p50_ms": p50, "non_2xx": float(errors.group(1)) if errors else 0.0}


async def sio_round_trips(url: str, calls: int, sockets: int, seconds: float) -> dict[str, float]:
    session = new_session()
    conns: list[SioConn] = []
    try:
        for _ in range(sockets):
            conn = SioConn(session, "/widget")
            await conn.connect(url)
            started = await conn.call("start_session", {"visitor": {"name": "RTT"}})
            if "error" in started:
                raise RuntimeError(f"start_session: {started}")
            conns.append(conn)
        rtts = []
        for _ in range(calls):  # sequential: one socket, one call at a time
            t0 = time.perf_counter()
            ack = await conns[0].call("typing_start", {})
            rtts.append((time.perf_counter() - t0) * 1000)
            if ack != {"ok": True}:
                raise RuntimeError(f"typing_start: {ack}")
        done = 0
        end = time.perf_counter() + seconds

        async def worker(conn: SioConn) -> None:
            nonlocal done
            while time.perf_counter() < end:
                await conn.call("typing_start", {})
                done += 1

        t0 = time.perf_counter()
        await asyncio.gather(*(worker(c) for c in conns))
        rtts.sort()
        return {
            "rtt_p50_ms": percentile(rtts, 50) or 0.0,
            "rtt_p99_ms": percentile(rtts, 99) or 0.0,
            "calls_per_s": done / (time.perf_counter() - t0),
        }
    finally:
        await gather_limited(len(conns), 50, lambda i: conns[i].close())
        await session.close()


async def scenario_servers(ctx: Context) -> Scenario:
    sc = Scenario("s6", "the same HTTP request and Socket.IO round trip under each server")
    env = ctx.env
    servers = ("granian", "uvicorn", "socketify")
    seconds = 2 if ctx.quick else 4
    # the widget loader: the hottest public request (every page view of every customer site)
    path = "/widget.js" if (ROOT / "apps/widget/dist/loader.js").exists() else "/health"
    sc.details.update(
        http_path=path,
        wrk=f"1 thread, 32 connections, {seconds} s",
        sio=f"typing_start ack on /widget: 500 sequential calls, then 20 sockets for {seconds} s",
        processes="one `baton serve` per server, 1 worker",
    )
    results: dict[str, list[dict[str, float]]] = {s: [] for s in servers}
    per_run = 3 * (2 * seconds + 7)
    for _ in range(ctx.runs_that_fit(per_run)):
        for server in servers:
            url, proc = await asyncio.to_thread(env.start_baton, server)
            try:
                await asyncio.to_thread(run_wrk, url + path, 1, 8)  # warm-up
                http = await asyncio.to_thread(run_wrk, url + path, seconds)
                sio = await sio_round_trips(url, 500, 20, seconds)
                results[server].append({**http, **sio})
            finally:
                await asyncio.to_thread(env.stop_procs, [proc])
    ref = "granian (the default), same run"
    for key, label, unit, better in (
        ("rps", f"HTTP GET {path}", "req/s", "higher"),
        ("p50_ms", f"HTTP GET {path} p50", "ms", "lower"),
        ("rtt_p50_ms", "Socket.IO round trip p50", "ms", "lower"),
        ("calls_per_s", "Socket.IO acked calls, 20 sockets", "calls/s", "higher"),
    ):
        for server in servers:
            sc.rows.append(
                Row(
                    f"{label} [{server}]",
                    unit,
                    summarize(_vals(results[server], key)),
                    summarize(_vals(results["granian"], key)) if server != "granian" else None,
                    ref if server != "granian" else None,
                    better,
                )
            )
    sc.details["runs"] = results
    return sc


async def _scenario_rollups(ctx: Context) -> Scenario:
    from .analytics_bench import scenario

    return await scenario(ctx)  # type: ignore[no-any-return]


async def _scenario_canned_import(ctx: Context) -> Scenario:
    from .canned_bench import scenario

    return await scenario(ctx)  # type: ignore[no-any-return]


async def _scenario_widget_paint(ctx: Context) -> Scenario:
    from .widget_paint import scenario

    return await scenario(ctx)


SCENARIOS: dict[str, Callable[[Context], Awaitable[Scenario]]] = {
    "s1": scenario_latency,
    "s2": scenario_throughput,
    "s3": scenario_idle,
    "s4": scenario_ai,
    "s5": scenario_analytics,
    "s6": scenario_servers,
    "s7": _scenario_rollups,
    "s8": _scenario_canned_import,
    "s9": _scenario_widget_paint,
}
