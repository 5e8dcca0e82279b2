"""A Redis of the test's own, on a free port, that a fault test may stop and start again.

Never the shared Redis (127.0.0.1:6379): other runs use it. Nothing is persisted, so a
restart is a Redis that lost everything, as after a crash without persistence."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from pathlib import Path

from redis.asyncio import Redis

from tests.support import free_port, wait_for

REDIS_SERVER = shutil.which("redis-server")


class PrivateRedis:
    def __init__(self, log_dir: Path) -> None:
        self.port = free_port()
        self.log_path = log_dir / f"redis-{self.port}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    async def _answers(self) -> bool:
        client = Redis.from_url(self.url, socket_connect_timeout=0.5, socket_timeout=0.5)
        try:
            return bool(await client.ping())
        except Exception:
            return False
        finally:
            await client.aclose()

    async def start(self) -> PrivateRedis:
        assert REDIS_SERVER is not None, "redis-server is not installed"
        assert self.proc is None or self.proc.poll() is not None
        self.proc = await asyncio.to_thread(self._spawn, REDIS_SERVER)
        await wait_for(self._answers, timeout=15)
        return self

    def _spawn(self, binary: str) -> subprocess.Popen[bytes]:
        with self.log_path.open("ab") as log:
            return subprocess.Popen(
                [
                    binary,
                    "--port",
                    str(self.port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    async def stop(self) -> None:
        """Kill it (SIGKILL: a crash, no goodbye to clients) and wait until it is gone."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            await asyncio.to_thread(self.proc.wait, 10)

        async def gone() -> bool:
            return not await self._answers()

        await wait_for(gone, timeout=10)
