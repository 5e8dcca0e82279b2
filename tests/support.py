"""Test support: backends, a live server on a free port, factories as plain functions."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import itertools
import os
import socket
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import msgspec
import uvicorn
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from baton.app import create_app, wrap_asgi
from baton.db.base import Base
from baton.realtime.contract import Payload, server_event
from baton.runtime import Runtime
from baton.settings import PROJECT_ROOT, Settings, load_settings


class Probe(Payload):
    """Test-only /agent events (every emitted event must be declared: baton.realtime.contract)."""

    n: int | msgspec.UnsetType = msgspec.UNSET
    label: str | msgspec.UnsetType = msgspec.UNSET
    count: int | msgspec.UnsetType = msgspec.UNSET
    phase: str | msgspec.UnsetType = msgspec.UNSET
    token: str | msgspec.UnsetType = msgspec.UNSET


server_event("/agent", "probe")(Probe)
server_event("/agent", "probe_after_outage")(Probe)


class Barrier(Payload):
    """``tests.realtime.clients``' test-only barrier event, on both namespaces."""

    token: str


server_event("/agent", "test_barrier")(Barrier)
server_event("/widget", "test_barrier")(Barrier)


BACKEND = os.environ.get("BATON_TEST_BACKEND", "embedded")
POSTGRES_ADMIN_URL = os.environ.get(
    "BATON_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = os.environ.get("BATON_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
VENV_BIN = Path(sys.executable).parent
LOOPBACK_ALLOW = ("127.0.0.0/8", "::1/128", "localhost")


def uses_postgres() -> bool:
    return BACKEND == "postgres"


# Ports for the servers a test starts. A port the kernel hands out (bind to 0) is free only
# until the socket closes: another xdist worker's next one, or any outgoing connection's local
# port, could be the same before the child process (seconds of start-up) binds it, and its
# /health would then be answered by a stranger. So each worker takes ports from a block of
# its own below the kernel's ephemeral range (32768-60999 on Linux), checked free by a bind.
_PORT_BASE, _PORT_BLOCK, _PORT_BLOCKS = 20_000, 1_500, 8


def _port_block() -> range:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    index = int(worker[2:]) if worker.startswith("gw") and worker[2:].isdigit() else -1
    index = index % (_PORT_BLOCKS - 1) if index >= 0 else _PORT_BLOCKS - 1  # the last: no xdist
    start = _PORT_BASE + index * _PORT_BLOCK
    return range(start, min(start + _PORT_BLOCK, 32_768))


_PORTS = _port_block()
_ports = itertools.cycle(_PORTS)


def free_port() -> int:
    block = _PORTS
    for port in itertools.islice(_ports, len(block)):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue  # in use, or still in TIME_WAIT
            return port
    raise RuntimeError(f"no free port in {block.start}-{block.stop - 1}")


async def create_postgres_database(name: str) -> str:
    import asyncpg

    admin = POSTGRES_ADMIN_URL.replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(admin)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return admin.rsplit("/", 1)[0] + f"/{name}"


async def drop_postgres_database(name: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(
        POSTGRES_ADMIN_URL.replace("postgresql+asyncpg://", "postgresql://")
    )
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


def make_settings(
    data_dir: Path, database_url: str, redis_url: str | None, **overrides: Any
) -> Settings:
    os.environ["BATON_DATA_DIR"] = str(data_dir)
    base = load_settings()
    values: dict[str, Any] = dict(
        data_dir=data_dir,
        database_url=database_url,
        redis_url=redis_url,
        login_limit_per_ip=10_000,
        widget_messages_per_session=100_000,
        widget_messages_per_ip=100_000,
        widget_sessions_per_ip=100_000,
        widget_connections_per_ip=100_000,
        widget_events_per_session=100_000,
        login_limit_per_account=10_000,
        log_json=False,
        log_level="WARNING",
        redis_namespace=f"bt{uuid.uuid4().hex[:8]}",
        public_url="http://127.0.0.1",
        # the fakes (AI providers, ...) listen on loopback: allowed explicitly, as documented
        outbound_allow=LOOPBACK_ALLOW,
        # one test process starts hundreds of in-process servers: freezing at each start-up
        # would keep every earlier test's objects for good (child servers keep the default)
        gc_gen0_threshold=0,
    )
    values.update(overrides)
    from baton.settings import normalise_database_url

    values["database_url"] = normalise_database_url(values["database_url"])
    return dataclasses.replace(base, **values)


def mail_settings(resend_url: str) -> dict[str, Any]:
    """Email to the suite's fake Resend, with retries short enough to watch."""
    from tests.mail.fake_resend import API_KEY
    from tests.mail.fixtures import INBOUND_TOKEN, WEBHOOK_SECRET

    return dict(
        resend_api_key=API_KEY,
        resend_base_url=resend_url,
        email_from="Acme Support <support@acme.test>",
        mail_retry_base_seconds=0.05,
        mail_retry_max_seconds=0.3,
        mail_lease_seconds=1.0,
        mail_max_attempts=200,
        # webhook retries short enough to watch (first within 0.1 s, x3 after)
        webhook_retry_base_seconds=0.1,
        webhook_retry_max_seconds=1.0,
        webhook_timeout_seconds=5.0,
        resend_webhook_secret=WEBHOOK_SECRET,
        inbound_email_token=INBOUND_TOKEN,
        tickets_per_ip=100_000,
        tickets_per_email=100_000,
    )


def settings_env(settings: Settings) -> dict[str, str]:
    """Environment that makes a child process (baton serve / worker) use the same backends."""
    env = dict(os.environ)
    env.update(
        BATON_DATA_DIR=str(settings.data_dir),
        BATON_DATABASE_URL=settings.database_url,
        BATON_REDIS_NAMESPACE=settings.redis_namespace,
        BATON_LOG_JSON="0",
        BATON_LOG_LEVEL="WARNING",
        BATON_LOGIN_LIMIT_PER_IP="10000",
        BATON_LOGIN_LIMIT_PER_ACCOUNT="10000",
        BATON_WIDGET_MESSAGES_PER_SESSION="100000",
        BATON_WIDGET_MESSAGES_PER_IP="100000",
        BATON_WIDGET_SESSIONS_PER_IP="100000",
        BATON_WIDGET_CONNECTIONS_PER_IP="100000",
        BATON_WIDGET_EVENTS_PER_SESSION="100000",
        BATON_OUTBOUND_ALLOW=",".join(LOOPBACK_ALLOW),
        BATON_RESEND_API_KEY=settings.resend_api_key or "",
        BATON_RESEND_BASE_URL=settings.resend_base_url,
        BATON_EMAIL_FROM=settings.email_from,
        BATON_MAIL_RETRY_BASE_SECONDS=str(settings.mail_retry_base_seconds),
        BATON_MAIL_RETRY_MAX_SECONDS=str(settings.mail_retry_max_seconds),
        BATON_MAIL_LEASE_SECONDS=str(settings.mail_lease_seconds),
        BATON_MAIL_MAX_ATTEMPTS=str(settings.mail_max_attempts),
        BATON_RESEND_WEBHOOK_SECRET=settings.resend_webhook_secret or "",
        BATON_INBOUND_EMAIL_TOKEN=settings.inbound_email_token or "",
        BATON_TICKETS_PER_IP=str(settings.tickets_per_ip),
        BATON_WEBHOOK_RETRY_BASE_SECONDS=str(settings.webhook_retry_base_seconds),
        BATON_WEBHOOK_RETRY_MAX_SECONDS=str(settings.webhook_retry_max_seconds),
        BATON_WEBHOOK_TIMEOUT_SECONDS=str(settings.webhook_timeout_seconds),
        BATON_WEBHOOK_MAX_ATTEMPTS=str(settings.webhook_max_attempts),
        BATON_WEBHOOK_DISABLE_AFTER=str(settings.webhook_disable_after),
        BATON_TICKETS_PER_EMAIL=str(settings.tickets_per_email),
        PYTHONUNBUFFERED="1",
    )
    if settings.redis_url:
        env["BATON_REDIS_URL"] = settings.redis_url
    else:
        env.pop("BATON_REDIS_URL", None)
    return env


@dataclass
class LiveServer:
    base_url: str
    runtime: Runtime
    settings: Settings
    server: uvicorn.Server
    task: asyncio.Task[None]

    async def stop(self) -> None:
        self.server.should_exit = True
        await asyncio.wait_for(self.task, 15)


async def start_live_server(settings: Settings) -> LiveServer:
    """A real server on a free port inside the test's event loop (real sockets, real clients)."""
    app, sio, runtime = create_app(settings)
    port = free_port()
    config = uvicorn.Config(
        wrap_asgi(app, sio),
        host="127.0.0.1",
        port=port,
        lifespan="on",
        log_level="warning",
        ws="websockets-sansio",
    )
    server = uvicorn.Server(config)
    server.install_signal_handlers = lambda: None  # type: ignore[method-assign,attr-defined]
    task = asyncio.create_task(server.serve())
    for _ in range(200):
        if server.started:
            break
        if task.done():
            task.result()
        await asyncio.sleep(0.05)
    else:
        raise RuntimeError("live server did not start")
    return LiveServer(f"http://127.0.0.1:{port}", runtime, settings, server, task)


@contextlib.asynccontextmanager
async def keyring_of(settings: Settings, suite: Settings) -> AsyncIterator[None]:
    """The process's keyring seals with another database's data key for a while, then with
    the suite's again (every process sealing into one database must use its key)."""
    await _reload_keyring(settings)
    try:
        yield
    finally:
        await _reload_keyring(suite)


async def _reload_keyring(settings: Settings) -> None:
    from baton.db.engine import Database
    from baton.keys.service import load_keyring

    db = Database.for_scripts(settings.database_url)
    try:
        await load_keyring(db, settings)
    finally:
        await db.dispose()


async def truncate_all(runtime: Runtime) -> None:
    """Wipe every table between tests. A child server (or the worker) may still be finishing
    a transaction, and TRUNCATE's exclusive locks can then deadlock with it: retry."""
    # the data keys stay: the processes of the session hold them (a new key would leave
    # their sealed writes unreadable to each other)
    tables = [t.name for t in reversed(Base.metadata.sorted_tables) if t.name != "data_keys"]
    for attempt in range(6):
        try:
            async with runtime.db.engine.begin() as conn:
                if runtime.db.dialect == "postgresql":
                    await conn.execute(
                        text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
                    )
                else:
                    for table in tables:
                        await conn.execute(text(f"DELETE FROM {table}"))
            return
        except DBAPIError as exc:
            if attempt == 5 or (
                "deadlock" not in str(exc).lower() and "locked" not in str(exc).lower()
            ):
                raise
            await asyncio.sleep(0.2 * (attempt + 1))


class Subprocess:
    """A child ``baton`` process (serve or worker) with its output kept for failure reports."""

    def __init__(self, args: list[str], env: dict[str, str], log_path: Path) -> None:
        self.log_path = log_path
        self.log = log_path.open("wb")
        self.proc = subprocess.Popen(
            [str(VENV_BIN / "baton"), *args],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            cwd=PROJECT_ROOT,
            start_new_session=True,  # its own process group: kill() reaches every child
        )

    def kill(self) -> None:
        """SIGKILL the process and its children (granian serves from a child process)."""
        import os
        import signal

        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)

    def output(self) -> str:
        self.log.flush()
        return self.log_path.read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()


async def wait_for(
    predicate: Callable[[], Awaitable[Any]], timeout: float = 10, interval: float = 0.05
) -> Any:
    """Poll until ``predicate`` returns something truthy; fail with a clear message otherwise."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = await predicate()
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        await asyncio.sleep(interval)


async def wait_http(url: str, timeout: float = 30) -> None:
    async with httpx.AsyncClient() as client:

        async def up() -> bool:
            try:
                return (await client.get(url)).status_code < 500
            except httpx.HTTPError:
                return False

        await wait_for(up, timeout, 0.2)


async def serve_local(app: Any) -> tuple[Any, int]:
    """Start an aiohttp app on 127.0.0.1 and a port the kernel picks (no bind-then-release
    race): the test peers (webhook receiver, tool endpoint) share this."""
    from aiohttp import web

    runner = web.AppRunner(app, shutdown_timeout=0.2)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    server = site._server
    assert server is not None
    return runner, int(server.sockets[0].getsockname()[1])  # type: ignore[attr-defined]
