"""Rewrite docker/compose.yaml and docker/nginx.conf for a run on host networking.

The services, images, Dockerfiles, healthchecks, dependencies and hardening stay as written;
only where they listen changes: every container uses the host's network with loopback ports
of its own (so nothing binds a bridge address and nothing collides with a PostgreSQL or
Redis already on this machine), and the build context is a clean export of the tree.

    python -m scripts.compose_lib.hostnet --out DIR --context DIR --ports a,b,c,d,e
"""

from __future__ import annotations

import argparse
import base64
import copy
import json
import secrets
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
DOCKER = ROOT / "docker"
API_ADDRESSES = ("172.28.0.11:8000", "172.28.0.12:8000")  # as docker/nginx.conf names them


def nginx_conf(proxy: int, api1: int, api2: int) -> str:
    text = (DOCKER / "nginx.conf").read_text()
    for old, new in zip(API_ADDRESSES, (f"127.0.0.1:{api1}", f"127.0.0.1:{api2}"), strict=True):
        if old not in text:
            raise SystemExit(f"docker/nginx.conf no longer names {old}: update hostnet.py")
        text = text.replace(old, new)
    if "listen 80 " not in text:
        raise SystemExit("docker/nginx.conf no longer listens on 80: update hostnet.py")
    return text.replace("listen 80 ", f"listen 127.0.0.1:{proxy} ")


def compose(context: Path, out: Path, ports: dict[str, int]) -> dict[str, Any]:
    spec = yaml.safe_load((DOCKER / "compose.yaml").read_text())
    spec.pop("name", None)
    spec.pop("networks", None)
    spec = {k: v for k, v in spec.items() if not k.startswith("x-")}
    database = f"postgresql://baton:${{POSTGRES_PASSWORD}}@127.0.0.1:{ports['postgres']}/baton"
    services: dict[str, Any] = {}
    for name, original in spec["services"].items():
        service = copy.deepcopy(original)  # YAML aliases share one dict between services
        service.pop("networks", None)
        service.pop("ports", None)
        service["network_mode"] = "host"
        if "build" in service:
            service["build"]["context"] = str(context)
            service["build"]["network"] = "host"
        env = service.get("environment")
        if isinstance(env, dict) and "BATON_DATABASE_URL" in env:
            env.update(
                BATON_DATABASE_URL=database,
                BATON_REDIS_URL=f"redis://127.0.0.1:{ports['redis']}/0",
                BATON_TRUSTED_PROXIES="127.0.0.1/32",
                BATON_PUBLIC_URL=f"http://127.0.0.1:{ports['proxy']}",
                BATON_HOST="127.0.0.1",
            )
            if name in ("api1", "api2"):
                env["BATON_PORT"] = str(ports[name])
        services[name] = service
    services["postgres"].setdefault("environment", {}).update(
        PGPORT=str(ports["postgres"]), POSTGRES_LISTEN="127.0.0.1"
    )
    redis = services["redis"]
    redis["command"] = [*redis["command"], "--port", str(ports["redis"]), "--bind", "127.0.0.1"]
    redis["healthcheck"]["test"] = ["CMD", "redis-cli", "-p", str(ports["redis"]), "ping"]
    services["proxy"]["volumes"] = [f"{out / 'nginx.conf'}:/etc/nginx/nginx.conf:ro"]
    spec["services"] = services
    return spec


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--context", type=Path, required=True)
    parser.add_argument("--ports", required=True, help="proxy,api1,api2,postgres,redis")
    args = parser.parse_args()
    names = ("proxy", "api1", "api2", "postgres", "redis")
    ports = dict(zip(names, (int(p) for p in args.ports.split(",")), strict=True))
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    (out / "nginx.conf").write_text(nginx_conf(ports["proxy"], ports["api1"], ports["api2"]))
    (out / "compose.yaml").write_text(
        yaml.safe_dump(compose(args.context, out, ports), sort_keys=False)
    )
    (out / ".env").write_text(
        f"POSTGRES_PASSWORD={secrets.token_hex(16)}\n"
        f"BATON_SECRET_KEY={secrets.token_hex(32)}\n"
        f"BATON_MASTER_KEY={base64.b64encode(secrets.token_bytes(32)).decode()}\n"
    )
    (out / "ports.json").write_text(json.dumps(ports))


if __name__ == "__main__":
    main()
