"""docker/: Docker is not runnable here, so check what can be checked without it."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from baton.settings import PROJECT_ROOT

DOCKER = PROJECT_ROOT / "docker"


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((DOCKER / "compose.yaml").read_text())
    return loaded


def test_compose_has_the_production_topology() -> None:
    services = compose()["services"]
    assert {"postgres", "redis", "api1", "api2", "worker", "proxy", "migrate"} <= set(services)
    for name in ("api1", "api2"):
        api = services[name]
        assert api["image"] == "baton-api:local"
        env = api["environment"]
        assert env["BATON_REDIS_URL"].startswith("redis://redis:")  # rooms fan out via Redis
        assert env["BATON_DATABASE_URL"].startswith("postgresql://")
        assert "BATON_SECRET_KEY" in env and "BATON_MASTER_KEY" in env  # shared by replicas
        assert api["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["worker"]["build"]["dockerfile"] == "docker/worker.Dockerfile"
    assert services["proxy"]["depends_on"].keys() == {"api1", "api2"}


def test_proxy_node_map_matches_the_replica_addresses() -> None:
    services = compose()["services"]
    conf = (DOCKER / "nginx.conf").read_text()
    for name in ("api1", "api2"):
        ip = services[name]["networks"]["baton"]["ipv4_address"]
        assert re.search(rf"^\s+{re.escape(ip)}:8000 {name};$", conf, re.M), (name, ip)
        assert f"server {ip}:8000" in conf
    assert "proxy_set_header Upgrade $http_upgrade;" in conf
    assert "least_conn;" in conf


@pytest.mark.parametrize("name", ["api.Dockerfile", "worker.Dockerfile"])
def test_images_are_multi_stage_and_non_root(name: str) -> None:
    text = (DOCKER / name).read_text()
    assert len(re.findall(r"^FROM ", text, re.M)) >= 2
    users = re.findall(r"^USER (\S+)", text, re.M)
    assert users and not users[-1].startswith(("root", "0"))
    assert (DOCKER / f"{name}.dockerignore").exists()
    for path in re.findall(r"^COPY (?!--from)(\S+)", text, re.M):
        assert (PROJECT_ROOT / path).exists(), f"{name} copies a missing path: {path}"


def test_api_image_builds_the_front_ends_in() -> None:
    text = (DOCKER / "api.Dockerfile").read_text()
    assert "npm run build" in text
    assert "COPY --from=web /src/apps/admin_web/dist /app/apps/admin_web/dist" in text
    assert "COPY --from=web /src/apps/widget/dist /app/apps/widget/dist" in text


@pytest.mark.skipif(
    shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists(),
    reason="nginx is not installed",
)
def test_proxy_config_is_valid_nginx(tmp_path: Path) -> None:
    (tmp_path / "logs").mkdir()
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    done = subprocess.run(
        [
            nginx,
            "-t",
            "-c",
            str(DOCKER / "nginx.conf"),
            "-p",
            str(tmp_path),
            "-g",
            f"pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log;",
        ],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 0, done.stderr
