"""What the bench brings up: its own database, Redis namespace, cluster, users and baselines.

Nothing here touches test or dev data: a fresh PostgreSQL database ``baton_bench_<id>`` is
created and dropped, Redis keys and channels live under ``BATON_REDIS_NAMESPACE=baton_bench_<id>``,
and every process listens on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from . import cluster
from .procs import free_port, stop, wait_port

ROOT = cluster.ROOT
VENV_BIN = Path(sys.executable).parent
PASSWORD = "bench-password-1"


@dataclass
class Agent:
    id: str
    email: str
    token: str


@dataclass
class BenchEnv:
    postgres_admin_url: str
    redis_url: str
    workdir: Path
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    state: cluster.ClusterState | None = None
    agents: list[Agent] = field(default_factory=list)
    admin_token: str = ""
    extra_procs: list[subprocess.Popen[bytes]] = field(default_factory=list)
    extra_clusters: list[Path] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"baton_bench_{self.run_id}"

    @property
    def database_url(self) -> str:
        return self.postgres_admin_url.rsplit("/", 1)[0] + f"/{self.name}"

    def child_env(self) -> dict[str, str]:
        """What every Baton process of the bench runs with."""
        return {
            "BATON_DATA_DIR": str(self.workdir / "data"),
            "BATON_LOGIN_LIMIT_PER_IP": "1000000",
            "BATON_LOGIN_LIMIT_PER_ACCOUNT": "1000000",
            # every bench client is 127.0.0.1: the widget edge's per-address limits would
            # measure the limiter, and the fake LLM lives on loopback
            "BATON_WIDGET_MESSAGES_PER_SESSION": "100000000",
            "BATON_WIDGET_MESSAGES_PER_IP": "100000000",
            "BATON_WIDGET_SESSIONS_PER_IP": "100000000",
            "BATON_WIDGET_CONNECTIONS_PER_IP": "100000000",
            "BATON_WIDGET_EVENTS_PER_SESSION": "100000000",
            "BATON_ALLOW_PRIVATE_OUTBOUND": "1",
            "BATON_LOG_LEVEL": "WARNING",
            "BATON_LOG_JSON": "1",
        }

    def baton_env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            BATON_DATABASE_URL=self.database_url,
            BATON_REDIS_URL=self.redis_url,
            BATON_REDIS_NAMESPACE=self.name,
            PYTHONUNBUFFERED="1",
            **self.child_env(),
        )
        return env

    # -- the cluster ------------------------------------------------------------------
    def start_cluster(self, server: str = "granian") -> cluster.ClusterState:
        proxy = free_port()
        cfg = cluster.ClusterConfig(
            dir=self.workdir / "cluster",
            proxy_port=proxy,
            api_ports=(free_port(), free_port()),
            server=server,
            database_url=self.database_url,
            redis_url=self.redis_url,
            redis_namespace=self.name,
            env=self.child_env(),
        )
        self.state = cluster.up(cfg, timeout=90)
        return self.state

    def api_pid(self, node: str) -> int:
        assert self.state is not None
        return self.state.pids[node]

    def start_baton(self, server: str) -> tuple[str, subprocess.Popen[bytes]]:
        """One extra ``baton serve --server X`` on the bench database (scenario 6)."""
        port = free_port()
        log = (self.workdir / f"serve-{server}.log").open("ab")
        proc = subprocess.Popen(
            [
                str(VENV_BIN / "baton"),
                "serve",
                "--server",
                server,
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            env=self.baton_env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
            start_new_session=True,
        )
        self.extra_procs.append(proc)
        wait_port(port, 60, proc)
        return f"http://127.0.0.1:{port}", proc

    async def start_embedded(self, agents: int) -> tuple[str, subprocess.Popen[bytes], list[Agent]]:
        """One ``baton serve`` on the embedded default: a SQLite file of its own, in-process
        realtime and jobs, no Redis (scenario 2's embedded figure)."""
        from baton.db import Database
        from baton.users.service import create_user

        data = self.workdir / "embedded"
        data.mkdir(parents=True, exist_ok=True)
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("BATON_DATABASE_URL", "BATON_REDIS_URL")
        }
        env.update(self.child_env(), BATON_DATA_DIR=str(data), PYTHONUNBUFFERED="1")
        await asyncio.to_thread(
            subprocess.run,
            [str(VENV_BIN / "baton"), "db", "upgrade"],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        db = Database.for_scripts(f"sqlite+aiosqlite:///{data / 'baton.db'}")
        try:
            async with db.session() as session:
                for i in range(agents):
                    user = await create_user(
                        session,
                        email=f"agent{i}@bench.local",
                        password=PASSWORD,
                        role="agent",
                        name=f"Agent {i}",
                    )
                    user.presence = "online"
                await session.commit()
        finally:
            await db.dispose()
        port = free_port()
        proc = await asyncio.to_thread(self._serve, env, port, "serve-embedded.log")
        url = f"http://127.0.0.1:{port}"
        async with aiohttp.ClientSession() as http:

            async def login(email: str) -> Agent:
                async with http.post(
                    f"{url}/api/v1/auth/login", json={"email": email, "password": PASSWORD}
                ) as r:
                    body: dict[str, Any] = await r.json()
                    if r.status != 200:
                        raise RuntimeError(f"login failed: {body}")
                    return Agent(body["user"]["id"], email, body["access_token"])

            logged = await asyncio.gather(*(login(f"agent{i}@bench.local") for i in range(agents)))
        return url, proc, list(logged)

    def _serve(self, env: dict[str, str], port: int, log_name: str) -> subprocess.Popen[bytes]:
        log = (self.workdir / log_name).open("ab")
        proc = subprocess.Popen(
            [str(VENV_BIN / "baton"), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
            start_new_session=True,
        )
        self.extra_procs.append(proc)
        wait_port(port, 60, proc)
        return proc

    def start_relay(
        self, processes: int, *, durable: bool = False
    ) -> tuple[str, list[subprocess.Popen[bytes]]]:
        """The bare python-socketio relay: one process, or two behind nginx with Redis;
        ``durable``: each message written to the bench's PostgreSQL before it is relayed."""
        ports = [free_port() for _ in range(processes)]
        env = dict(os.environ)
        env["PYTHONPATH"] = str(ROOT / "scripts")
        if durable:
            env["RELAY_DATABASE_URL"] = self.database_url
        if processes > 1:
            env["RELAY_REDIS_URL"] = self.redis_url
            env["RELAY_CHANNEL"] = f"{self.name}-relay"
        procs = []
        for port in ports:
            log = (self.workdir / f"relay-{port}.log").open("ab")
            proc = subprocess.Popen(
                [
                    str(VENV_BIN / "granian"),
                    "--interface",
                    "asgi",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--no-access-log",
                    "--log-level",
                    "warning",
                    "bench_lib.relay:app",
                ],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=ROOT / "scripts",
                start_new_session=True,
            )
            procs.append(proc)
            self.extra_procs.append(proc)
        for port, proc in zip(ports, procs, strict=True):
            wait_port(port, 30, proc)
        if processes == 1:
            return f"http://127.0.0.1:{ports[0]}", procs
        directory = self.workdir / f"relay-proxy-{ports[0]}"
        (directory / "nginx" / "tmp").mkdir(parents=True, exist_ok=True)
        proxy = free_port()
        cfg = cluster.ClusterConfig(dir=directory, proxy_port=proxy, api_ports=tuple(ports))
        nodes = {f"api{i + 1}": p for i, p in enumerate(ports)}
        conf = directory / "nginx" / "nginx.conf"
        conf.write_text(cluster.nginx_conf(cfg, nodes))
        nginx = subprocess.Popen(
            [cluster.find_nginx(), "-c", str(conf), "-p", str(directory / "nginx")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.extra_procs.append(nginx)
        procs.append(nginx)
        wait_port(proxy, 15, nginx)
        return f"http://127.0.0.1:{proxy}", procs

    def stop_procs(self, procs: list[subprocess.Popen[bytes]]) -> None:
        for proc in procs:
            stop(proc)
            if proc in self.extra_procs:
                self.extra_procs.remove(proc)

    # -- users ------------------------------------------------------------------------
    async def create_users(self, agents: int) -> None:
        from baton.db import Database
        from baton.settings import normalise_database_url
        from baton.users.service import create_user

        db = Database.for_scripts(normalise_database_url(self.database_url))
        try:
            async with db.session() as session:
                await create_user(
                    session,
                    email="admin@bench.local",
                    password=PASSWORD,
                    role="admin",
                    name="Bench Admin",
                )
                users = []
                for i in range(agents):
                    users.append(
                        await create_user(
                            session,
                            email=f"agent{i}@bench.local",
                            password=PASSWORD,
                            role="agent",
                            name=f"Agent {i}",
                        )
                    )
                for user in users:
                    user.presence = "online"
                await session.commit()
        finally:
            await db.dispose()
        assert self.state is not None
        async with aiohttp.ClientSession() as http:

            async def login(email: str) -> dict[str, Any]:
                async with http.post(
                    f"{self.state.proxy_url}/api/v1/auth/login",
                    json={"email": email, "password": PASSWORD},
                ) as r:
                    body: dict[str, Any] = await r.json()
                    if r.status != 200:
                        raise RuntimeError(f"login failed: {body}")
                    return body

            admin = await login("admin@bench.local")
            self.admin_token = admin["access_token"]
            bodies = await asyncio.gather(*(login(f"agent{i}@bench.local") for i in range(agents)))
            self.agents = [
                Agent(b["user"]["id"], b["user"]["email"], b["access_token"]) for b in bodies
            ]

    # -- lifecycle --------------------------------------------------------------------
    def setup(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        cluster.ensure_database(self.database_url)

    def teardown(self) -> None:
        for proc in list(self.extra_procs):
            stop(proc)
        self.extra_procs.clear()
        cluster.down(self.workdir / "cluster")
        try:
            cluster.drop_database(self.database_url)
        except Exception as exc:  # report, never hide
            print(f"warning: could not drop {self.name}: {exc}", file=sys.stderr)
        try:
            import redis

            client = redis.Redis.from_url(self.redis_url)
            keys = list(client.scan_iter(f"{self.name}*", count=1000))
            if keys:
                client.delete(*keys)
            client.close()
        except Exception as exc:
            print(f"warning: could not clean Redis keys {self.name}*: {exc}", file=sys.stderr)
