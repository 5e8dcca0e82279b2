"""Where the AI's time-to-first-token goes inside one api process, stage by stage.

    PYTHONPATH=scripts .venv/bin/python -m bench_lib.ttftcost [--levels 1,10,50] [--rounds 5]

Baton in this process (uvicorn, a fresh PostgreSQL database and Redis namespace, dropped
afterwards) with scenario 4's fake OpenAI-compatible server as its provider. Visitors in
``bot`` conversations each ask a question at once; every reply is timed at four points
(the visitor's emit, the reply task's start, the request handed to the provider, the first
delta out of the provider, the first ``bot_stream`` at the visitor) and each stage's median
is printed beside the direct SDK call's time-to-first-token at the same concurrency. The
floor under scenario 4's figures, without nginx and a second process.
"""

from __future__ import annotations

import argparse
import asyncio
import contextvars
import statistics
import time
import uuid
from typing import Any

from .fakellm import start as start_fake
from .msgcost import baton_in_process, signed_in
from .procs import free_port
from .scenarios import direct_ttft
from .sio import SioConn, new_session

STAGES = (
    ("stored and acked, reply scheduled", "emit", "reply"),
    ("reads before the request (rules, knowledge, history, providers)", "reply", "request"),
    ("provider: request to first delta", "request", "delta"),
    ("first delta to the visitor's socket", "delta", "seen"),
)


# the conversation whose reply the current task runs (set by the wrapped reply)
current: contextvars.ContextVar[uuid.UUID] = contextvars.ContextVar("ttft_conversation")


class Marks:
    """Monotonic timestamps per conversation and stage (time.perf_counter)."""

    def __init__(self) -> None:
        self.at: dict[uuid.UUID, dict[str, float]] = {}

    def mark(self, conversation_id: uuid.UUID, stage: str) -> None:
        self.at.setdefault(conversation_id, {}).setdefault(stage, time.perf_counter())


def instrument(runtime: Any, marks: Marks) -> None:
    """Wrap the reply, the fleet's run and its emit to stamp each stage."""
    from baton.ai import fleet, replier
    from baton.ai.replies import ReplyScheduler

    scheduler = runtime.slot(ReplyScheduler)
    original_reply = scheduler.replier
    assert original_reply is not None

    async def reply(rt: Any, conversation_id: uuid.UUID, message_id: uuid.UUID) -> None:
        marks.mark(conversation_id, "reply")
        token = current.set(conversation_id)
        try:
            await original_reply(rt, conversation_id, message_id)
        finally:
            current.reset(token)

    scheduler.replier = reply
    original_run = fleet.run

    async def run(members: Any, request: Any, emit: Any, *args: Any, **kwargs: Any) -> Any:
        conversation_id = current.get()
        marks.mark(conversation_id, "request")

        async def stamped(delta: str) -> None:
            marks.mark(conversation_id, "delta")
            await emit(delta)

        return await original_run(members, request, stamped, *args, **kwargs)

    replier.fleet.run = run  # type: ignore[attr-defined]


async def ask_all(base: str, n: int, marks: Marks) -> None:
    session = new_session()
    conns: list[tuple[SioConn, uuid.UUID]] = []
    done = asyncio.Event()
    seen: set[uuid.UUID] = set()
    try:
        for i in range(n):
            holder: dict[str, uuid.UUID] = {}

            def on_event(
                event: str, raw: str, at: float, holder: dict[str, uuid.UUID] = holder
            ) -> None:
                cid = holder.get("cid")
                if cid is not None and cid not in seen:
                    seen.add(cid)
                    marks.at.setdefault(cid, {}).setdefault("seen", at)
                    if len(seen) >= n:
                        done.set()

            conn = SioConn(session, "/widget", on_event, frozenset({"bot_stream"}))
            await conn.connect(base)
            started = await conn.call("start_session", {"visitor": {"name": f"TTFT {i}"}})
            holder["cid"] = uuid.UUID(started["conversation_id"])
            conns.append((conn, holder["cid"]))

        async def ask(conn: SioConn, cid: uuid.UUID) -> None:
            marks.at.setdefault(cid, {})["emit"] = time.perf_counter()
            await conn.emit(
                "user_message",
                {"client_id": uuid.uuid4().hex, "text": "How do I reset my password?"},
            )

        await asyncio.gather(*(ask(c, cid) for c, cid in conns))
        await asyncio.wait_for(done.wait(), 60)
    finally:
        for conn, _ in conns:
            await conn.close()
        await session.close()


def median_ms(values: list[float]) -> float:
    return statistics.median(values) * 1000 if values else float("nan")


async def measure(levels: list[int], rounds: int) -> list[dict[str, Any]]:
    fake_port = free_port()
    fake = await start_fake(fake_port)
    fake_url = f"http://127.0.0.1:{fake_port}/v1"
    results = []
    try:
        async with baton_in_process("baton_ttftcost") as (runtime, base):
            http = new_session()
            try:
                token = await signed_in(runtime, http, base, email="admin@ttft.local", role="admin")
                async with http.post(
                    f"{base}/api/v1/ai/providers",
                    json={
                        "kind": "openai",
                        "name": "fake",
                        "model": "bench-fake",
                        "api_key": "bench-key",
                        "base_url": fake_url,
                        "use_tools": False,
                        "max_retries": 0,
                        "priority": 1,
                    },
                    headers={"Authorization": f"Bearer {token}"},
                ) as r:
                    if r.status >= 300:
                        raise RuntimeError(await r.text())
            finally:
                await http.close()
            marks = Marks()
            instrument(runtime, marks)
            await direct_ttft(fake_url, 1)  # warm-up
            await ask_all(base, 2, Marks())
            for n in levels:
                stage_values: dict[str, list[float]] = {name: [] for name, _, _ in STAGES}
                totals: list[float] = []
                direct: list[float] = []
                for _ in range(rounds):
                    marks.at.clear()
                    await ask_all(base, n, marks)
                    for at in marks.at.values():
                        if "emit" in at and "seen" in at:
                            totals.append(at["seen"] - at["emit"])
                        for name, a, b in STAGES:
                            if a in at and b in at:
                                stage_values[name].append(at[b] - at[a])
                    direct.extend(v / 1000 for v in await direct_ttft(fake_url, n))
                results.append(
                    {
                        "concurrency": n,
                        "baton_ttft_ms": median_ms(totals),
                        "direct_ttft_ms": median_ms(direct),
                        "stages_ms": {k: median_ms(v) for k, v in stage_values.items()},
                    }
                )
    finally:
        await fake.cleanup()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--levels", default="1,10,50")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    levels = [max(1, min(int(x), 500)) for x in args.levels.split(",")]
    for row in asyncio.run(measure(levels, max(1, min(args.rounds, 50)))):
        added = row["baton_ttft_ms"] - row["direct_ttft_ms"]
        print(
            f"{row['concurrency']:>4} concurrent: Baton TTFT {row['baton_ttft_ms']:.1f} ms, "
            f"direct SDK {row['direct_ttft_ms']:.1f} ms, added {added:.1f} ms (medians)"
        )
        for name, value in row["stages_ms"].items():
            print(f"       {value:7.1f} ms  {name}")


if __name__ == "__main__":
    main()
