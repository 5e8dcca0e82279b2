"""A PostgreSQL server of the test's own, on a free port, that a fault test may stop and start.

Never the system cluster (127.0.0.1:5432): the rest of the suite and other runs use it. The
cluster is made by ``initdb`` in a temporary folder and run by ``postgres`` directly (no
``pg_ctl``: the process is ours to signal). PostgreSQL refuses to run as root, so as root it
runs as the ``postgres`` OS user, which then owns the folder. ``fsync`` is off: the test stops
the server cleanly (a fast shutdown writes a checkpoint), it never simulates a power cut.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

import asyncpg

from tests.support import free_port, wait_for


def _binary_dir() -> Path | None:
    """The newest installed server's bin folder (Debian: /usr/lib/postgresql/<major>/bin)."""
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if candidates:
        return candidates[-1].parent
    found = shutil.which("initdb")
    return Path(found).parent if found else None


BIN_DIR = _binary_dir()
INITDB = str(BIN_DIR / "initdb") if BIN_DIR else None


def _run_as() -> str | None:
    """The OS user to run the server as: ``postgres`` when we are root, else ourselves."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam("postgres")
    except KeyError as exc:
        raise RuntimeError("running as root and there is no postgres OS user") from exc
    return "postgres"


class PrivatePostgres:
    def __init__(self) -> None:
        assert BIN_DIR is not None, "initdb is not installed"
        self.bin = BIN_DIR
        self.port = free_port()
        self.user = _run_as()
        self.root = Path(tempfile.mkdtemp(prefix="baton-pg-"))
        self.data = self.root / "data"
        self.log_path = self.root / "postgres.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    async def _answers(self) -> bool:
        try:
            conn = await asyncpg.connect(self.url(), timeout=1)
        except Exception:
            return False
        await conn.close()
        return True

    def _chown(self) -> None:
        if self.user is not None:
            shutil.chown(self.root, self.user)
            for path in self.root.rglob("*"):
                shutil.chown(path, self.user)

    def _initdb(self) -> None:
        self._chown()
        subprocess.run(
            [
                str(self.bin / "initdb"),
                "-D",
                str(self.data),
                "-U",
                "postgres",
                "--auth=trust",
                "--no-sync",
                "-E",
                "UTF8",
                "--no-instructions",
            ],
            check=True,
            capture_output=True,
            user=self.user,
            cwd=self.root,
        )

    def _spawn(self) -> subprocess.Popen[bytes]:
        log = self.log_path.open("ab")
        try:
            return subprocess.Popen(
                [
                    str(self.bin / "postgres"),
                    "-D",
                    str(self.data),
                    "-p",
                    str(self.port),
                    "-c",
                    "listen_addresses=127.0.0.1",
                    "-c",
                    f"unix_socket_directories={self.root}",
                    "-c",
                    "fsync=off",
                    "-c",
                    "max_connections=60",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                user=self.user,
                cwd=self.root,
                start_new_session=True,
            )
        finally:
            log.close()

    async def start(self) -> PrivatePostgres:
        if self.starts == 0:
            await asyncio.to_thread(self._initdb)
            self.log_path.touch()
            self._chown()
        assert self.proc is None or self.proc.poll() is not None
        self.proc = await asyncio.to_thread(self._spawn)
        self.starts += 1
        await wait_for(self._answers, timeout=30, interval=0.1)
        return self

    async def create_database(self, name: str) -> str:
        conn = await asyncpg.connect(self.url(), timeout=5)
        try:
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()
        return self.url(name)

    async def stop_fast(self) -> None:
        """``pg_ctl stop -m fast``: SIGINT to the postmaster, which ends every session (clients
        get ``57P01 terminating connection due to administrator command``), writes a
        checkpoint and exits; return once it has and nothing answers on the port."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            await asyncio.to_thread(self.proc.wait, 30)

        async def gone() -> bool:
            return not await self._answers()

        await wait_for(gone, timeout=10)

    async def destroy(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT)  # immediate: nothing here is kept
            with contextlib.suppress(subprocess.TimeoutExpired):
                await asyncio.to_thread(self.proc.wait, 10)
            if self.proc.poll() is None:
                self.proc.kill()
        shutil.rmtree(self.root, ignore_errors=True)

    def log_tail(self) -> str:
        with contextlib.suppress(OSError):
            return self.log_path.read_text(errors="replace")[-3000:]
        return ""
