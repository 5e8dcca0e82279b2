"""The bench's own parts that can be checked quickly (no timing here: figures come from
scripts/bench, never from the test suite)."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from baton.settings import PROJECT_ROOT
from tests.support import LiveServer

sys.path.insert(0, str(PROJECT_ROOT / "scripts"))

from bench_lib import cluster, stats
from bench_lib.sio import SioConn, SioError, new_session


def test_percentile_and_summary() -> None:
    values = sorted(float(v) for v in range(1, 101))
    assert stats.percentile(values, 50) == pytest.approx(50.5)
    assert stats.percentile(values, 99) == pytest.approx(99.01)
    assert stats.percentile([], 50) is None
    summary = stats.summarize([3.0, None, 1.0, 2.0])
    assert (summary["median"], summary["min"], summary["max"]) == (2.0, 1.0, 3.0)
    assert stats.summarize([None])["median"] is None


async def test_lean_client_speaks_socketio_with_baton(server: LiveServer) -> None:
    """The load generator's client against the real server: connect, acks, events, refusal."""
    session = new_session()
    seen: list[str] = []
    visitor = SioConn(
        session, "/widget", lambda name, raw, at: seen.append(raw), frozenset({"visitor_message"})
    )
    try:
        await visitor.connect(server.base_url)
        started = await visitor.call("start_session", {"visitor": {"name": "Bench"}})
        assert started["conversation_id"]
        ack = await visitor.call("user_message", {"client_id": "bench-1", "text": "hello"})
        assert ack["client_id"] == "bench-1" and ack["id"]
        for _ in range(100):
            if seen:
                break
            await asyncio.sleep(0.05)
        assert '"bench-1"' in seen[0]
        refused = SioConn(session, "/agent")
        with pytest.raises(SioError, match="connect refused"):
            await refused.connect(server.base_url, auth={"token": "garbage"})
        await refused.close()
    finally:
        await visitor.close()
        await session.close()


@pytest.mark.skipif(
    shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists(),
    reason="nginx is not installed",
)
def test_generated_cluster_proxy_config_is_valid(tmp_path: Path) -> None:
    cfg = cluster.ClusterConfig(dir=tmp_path, proxy_port=18080, api_ports=(18081, 18082))
    (tmp_path / "nginx" / "tmp").mkdir(parents=True)
    conf = tmp_path / "nginx" / "nginx.conf"
    conf.write_text(cluster.nginx_conf(cfg, {"api1": 18081, "api2": 18082}))
    done = subprocess.run(
        [cluster.find_nginx(), "-t", "-c", str(conf), "-p", str(tmp_path / "nginx")],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 0, done.stderr
    text = conf.read_text()
    assert "api1 pin_api1;" in text and "127.0.0.1:18082 api2;" in text
