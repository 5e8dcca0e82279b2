"""What one visitor message costs inside an api process: SQL statements and CPU time; and
what a burst of them and one ``POST .../handoff`` cost in SQL statements.

    PYTHONPATH=scripts .venv/bin/python -m bench_lib.msgcost [--messages 50]

Runs Baton in this process (uvicorn, a fresh PostgreSQL database and Redis namespace, both
dropped afterwards), opens one visitor, has an agent take the conversation over, then sends
messages one at a time with the bench's Socket.IO client and counts the SQL statements the
engine executes for them. One socket, no other load: the floor under scenario 2's figures.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import cProfile
import dataclasses
import os
import re
import time
import traceback
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import greenlet
import uvicorn
from sqlalchemy import event

from .procs import free_port
from .sio import SioConn, new_session

PG = os.environ.get("BATON_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS = os.environ.get("BATON_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")


def statement_key(statement: str) -> str:
    flat = " ".join(statement.split())
    verb = flat.split()[0].upper()
    if verb == "SELECT":
        found = re.search(r"\bFROM (\w+)", flat)
        return f"SELECT {found.group(1) if found else '?'}"
    return " ".join(flat.split()[:3])


def baton_origin() -> str:
    """The innermost frames in Baton's own code that led to a statement (for ``--trace``)."""
    # SQLAlchemy runs the driver in a greenlet: the awaiting coroutines are its parent's
    parent = greenlet.getcurrent().parent
    stack = traceback.extract_stack(parent.gr_frame if parent is not None else None)
    frames = [
        f"{Path(f.filename).relative_to(BATON_ROOT)}:{f.lineno} {f.name}"
        for f in stack
        if f.filename.startswith(str(BATON_ROOT)) and "/db/" not in f.filename
    ]
    return " < ".join(reversed(frames[-3:]))


BATON_ROOT = Path(__file__).resolve().parents[2] / "apps" / "api"


@contextlib.asynccontextmanager
async def baton_in_process(prefix: str) -> AsyncIterator[tuple[Any, str]]:
    """Baton served by uvicorn in this process on a fresh PostgreSQL database and Redis
    namespace (both dropped afterwards): ``(runtime, base_url)``."""
    from baton.app import create_app, wrap_asgi
    from baton.db.migrate import upgrade
    from baton.settings import load_settings, normalise_database_url

    name = f"{prefix}_{uuid.uuid4().hex[:6]}"
    admin = await asyncpg.connect(PG)
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    url = PG.rsplit("/", 1)[0] + f"/{name}"
    data_dir = Path("/tmp") / name
    try:
        os.environ["BATON_DATA_DIR"] = str(data_dir)
        settings = dataclasses.replace(
            load_settings(),
            database_url=normalise_database_url(url),
            redis_url=REDIS,
            redis_namespace=name,
            log_level="WARNING",
            log_json=False,
            # one socket sends every message: the widget edge's limits would refuse most
            widget_messages_per_session=10**9,
            widget_messages_per_ip=10**9,
            widget_sessions_per_ip=10**9,
            widget_connections_per_ip=10**9,
        )
        await asyncio.to_thread(upgrade, settings.database_url)
        app, sio, runtime = create_app(settings)
        port = free_port()
        server = uvicorn.Server(
            uvicorn.Config(
                wrap_asgi(app, sio), host="127.0.0.1", port=port, log_level="warning", lifespan="on"
            )
        )
        server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
        task = asyncio.create_task(server.serve())
        for _ in range(400):  # up to 20 s
            if server.started:
                break
            await asyncio.sleep(0.05)
        else:
            raise RuntimeError("the api did not start")
        try:
            yield runtime, f"http://127.0.0.1:{port}"
        finally:
            server.should_exit = True
            await task
    finally:
        admin = await asyncpg.connect(PG)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
        import redis.asyncio as aioredis

        client = aioredis.Redis.from_url(REDIS)
        keys = [k async for k in client.scan_iter(f"{name}*")]
        if keys:
            await client.delete(*keys)
        await client.aclose()


async def signed_in(runtime: Any, http: Any, base: str, *, email: str, role: str) -> str:
    """A user made straight in the database, then signed in over REST: its access token."""
    from baton.users.service import create_user

    password = "bench-pass-1"
    async with runtime.db.session() as session:
        await create_user(session, email=email, password=password, role=role, name=role.title())
        await session.commit()
    async with http.post(
        f"{base}/api/v1/auth/login", json={"email": email, "password": password}
    ) as r:
        return str((await r.json())["access_token"])


async def measure(
    messages: int, trace: bool = False, profile: Path | None = None
) -> dict[str, Any]:

    async with baton_in_process("baton_msgcost") as (runtime, base):
        counts: collections.Counter[str] = collections.Counter()
        traced: list[str] = []

        background: collections.Counter[str] = collections.Counter()

        def count(_c: Any, _cur: Any, statement: str, *_: Any) -> None:
            key = statement_key(statement)
            task = asyncio.current_task()
            coro = getattr(task.get_coro(), "__qualname__", "?") if task is not None else "?"
            # the request's own statements vs. listeners' background tasks started by its
            # commit (the copilot's summary on handoff), which the response does not wait for
            in_request = coro.endswith("run_asgi")
            counts[key] += 1
            if not in_request:
                background[key] += 1
            if trace:
                where = "request" if in_request else f"task {coro}"
                traced.append(f"{key:30} [{where}] {baton_origin()}")

        event.listen(runtime.db.engine.sync_engine, "before_cursor_execute", count)
        from baton.ai.replies import ReplyScheduler

        runtime.slot(ReplyScheduler).replier = None  # the message path, not the AI's reply
        session_http = new_session()
        try:
            token = await signed_in(
                runtime, session_http, base, email="agent@msgcost.local", role="agent"
            )
            visitor = SioConn(session_http, "/widget")
            await visitor.connect(base)
            started = await visitor.call("start_session", {"visitor": {"name": "V"}})
            async with session_http.post(
                f"{base}/api/v1/conversations/{started['conversation_id']}/take-over",
                headers={"Authorization": f"Bearer {token}"},
            ) as r:
                if r.status != 200:
                    raise RuntimeError(await r.text())
            for i in range(5):  # warm-up
                await visitor.call("user_message", {"client_id": f"warm-{i}", "text": "warm"})
            counts.clear()
            profiler = cProfile.Profile() if profile else None
            wall0, cpu0 = time.perf_counter(), time.process_time()
            if profiler is not None:
                profiler.enable()
            for i in range(messages):
                await visitor.call("user_message", {"client_id": f"m-{i}", "text": "hello"})
            if profiler is not None:
                profiler.disable()
                profiler.dump_stats(profile)
            wall = (time.perf_counter() - wall0) / messages * 1000
            cpu = (time.process_time() - cpu0) / messages * 1000
            per_message = dict(counts)
            # a burst: many visitors at once share group-commit batches
            burst = [SioConn(session_http, "/widget") for _ in range(20)]
            for conn in burst:
                await conn.connect(base)
                await conn.call("start_session", {})
            counts.clear()
            await asyncio.gather(
                *(
                    conn.call("user_message", {"client_id": f"b-{i}-{j}", "text": "burst"})
                    for i, conn in enumerate(burst)
                    for j in range(10)
                )
            )
            burst_statements = sum(counts.values()) / 200
            # POST /conversations/{id}/handoff, with an agent online: statements per request
            inbox = SioConn(session_http, "/agent")
            await inbox.connect(base, auth={"token": token})
            await inbox.call("set_presence", {"presence": "online"})
            handoff: collections.Counter[str] = collections.Counter()
            last_trace: list[str] = []
            handoff_background: collections.Counter[str] = collections.Counter()
            for conn in burst[:5]:
                started = await conn.call("start_session", {})
                await conn.call("user_message", {"client_id": "h", "text": "my parcel is late"})
                counts.clear()
                background.clear()
                traced.clear()
                async with session_http.post(
                    f"{base}/api/v1/conversations/{started['conversation_id']}/handoff",
                    headers={"Authorization": f"Bearer {token}"},
                ) as r:
                    if r.status != 200:
                        raise RuntimeError(await r.text())
                handoff.update(counts - background)
                handoff_background.update(background)
                last_trace = list(traced)
            for conn in [*burst, inbox]:
                await conn.close()
            await visitor.close()
        finally:
            await session_http.close()
        return {
            "messages": messages,
            "sql_statements_per_message": sum(per_message.values()) / messages,
            "sql_statements_per_message_in_burst": burst_statements,
            "wall_ms_per_message": round(wall, 2),
            "cpu_ms_per_message": round(cpu, 2),
            "statements": {
                k: v / messages for k, v in collections.Counter(per_message).most_common()
            },
            "handoff_statements": sum(handoff.values()) / 5,
            "handoff": {k: v / 5 for k, v in handoff.most_common()},
            "handoff_background_statements": sum(handoff_background.values()) / 5,
            "handoff_background": {k: v / 5 for k, v in handoff_background.most_common()},
            "last_handoff_trace": last_trace,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=50)
    parser.add_argument(
        "--trace", action="store_true", help="print the last handoff's statements in order"
    )
    parser.add_argument(
        "--profile",
        type=Path,
        help="write a cProfile of the one-at-a-time messages here (read with pstats)",
    )
    args = parser.parse_args()
    result = asyncio.run(
        measure(min(max(args.messages, 1), 1000), trace=args.trace, profile=args.profile)
    )
    print(
        f"per visitor message: {result['sql_statements_per_message']:.1f} SQL statements, "
        f"{result['cpu_ms_per_message']:.1f} ms CPU (api and client in this process), "
        f"{result['wall_ms_per_message']:.1f} ms round trip"
    )
    for key, per in result["statements"].items():
        print(f"  {per:5.1f}  {key}")
    print(
        f"in a burst (20 visitors x 10 messages at once): "
        f"{result['sql_statements_per_message_in_burst']:.2f} SQL statements per message"
    )
    print(
        f"POST /conversations/{{id}}/handoff: {result['handoff_statements']:.1f} SQL statements "
        "(the auth middleware's user lookup included)"
    )
    for key, per in result["handoff"].items():
        print(f"  {per:5.1f}  {key}")
    print(
        f"  and {result['handoff_background_statements']:.1f} in listeners' background tasks "
        "that its commit started while it ran (the response does not wait for them):"
    )
    for key, per in result["handoff_background"].items():
        print(f"  {per:5.1f}  {key}")
    if result["last_handoff_trace"]:
        print("the last handoff, statement by statement:")
        for line in result["last_handoff_trace"]:
            print(f"  {line}")


if __name__ == "__main__":
    main()
