"""The RBAC matrix: every REST operation of /schema/openapi.json, for every kind of caller,
answers as docs/permissions.md says (401 without valid credentials, 403 without the
permission, never a 5xx) — and every operation is documented there."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt

from baton.auth.permissions import AGENT_PERMISSIONS, ALL_PERMISSIONS
from baton.runtime import Runtime
from baton.settings import PROJECT_ROOT
from tests.factories import bearer, login, make_user, user_headers

DOC = PROJECT_ROOT / "docs" / "permissions.md"
_ROW = re.compile(r"^\| (GET|POST|PUT|PATCH|DELETE) \| (\S+) \| (\S+) \| ([a-z ]+) \|$")
CUSTOM = frozenset({"audit:read", "analytics:read", "conversations:read"})
SCOPES = frozenset({"conversations:read", "analytics:read"})


def documented() -> dict[tuple[str, str], tuple[str, bool]]:
    rules = {}
    for line in DOC.read_text().splitlines():
        found = _ROW.match(line.strip())
        if found:
            method, path, needs, who = found.groups()
            rules[(method, re.sub(r"\{[^}]+\}", "{}", path))] = (needs, who == "users only")
    return rules


@dataclass(frozen=True)
class Caller:
    name: str
    headers: dict[str, str]
    permissions: frozenset[str] | None  # None: no valid credentials
    is_key: bool = False


async def callers(client: httpx.AsyncClient, runtime: Runtime) -> list[Caller]:
    _, admin = await user_headers(client, runtime, "admin")
    _, agent = await user_headers(client, runtime, "agent")
    created = await client.post(
        "/api/v1/roles", json={"name": "auditor", "permissions": sorted(CUSTOM)}, headers=admin
    )
    assert created.status_code == 201
    custom_user = await make_user(runtime, role="auditor")
    custom = bearer(await login(client, custom_user.email))
    scoped = (
        await client.post(
            "/api/v1/api-keys", json={"name": "s", "scopes": sorted(SCOPES)}, headers=admin
        )
    ).json()["key"]
    revoked = (await client.post("/api/v1/api-keys", json={"name": "r"}, headers=admin)).json()
    await client.delete(f"/api/v1/api-keys/{revoked['id']}", headers=admin)
    expired_user = await make_user(runtime, role="admin")
    now = datetime.now(UTC)
    expired = jwt.encode(
        {
            "sub": str(expired_user.id),
            "tv": expired_user.token_version,
            "iat": now - timedelta(hours=2),
            "exp": now - timedelta(hours=1),
            "typ": "access",
        },
        runtime.settings.secret_key,
        algorithm="HS256",
    )
    return [
        Caller("anonymous", {}, None),
        Caller("agent", agent, frozenset(p.value for p in AGENT_PERMISSIONS)),
        Caller("admin", admin, frozenset(p.value for p in ALL_PERMISSIONS)),
        Caller("custom role", custom, CUSTOM),
        Caller("scoped key", bearer(scoped), SCOPES, is_key=True),
        Caller("revoked key", bearer(revoked["key"]), None, is_key=True),
        Caller("expired token", bearer(expired), None),
    ]


def expected(needs: str, users_only: bool, caller: Caller) -> str:
    if needs == "public":
        return "allowed"
    if caller.permissions is None:
        return "401"
    if users_only and caller.is_key:
        return "403"
    if needs != "signed-in" and needs not in caller.permissions:
        return "403"
    return "allowed"


def concrete(path: str, operation: dict[str, Any]) -> str:
    for param in operation.get("parameters", []):
        if param.get("in") == "path":
            schema = param.get("schema", {})
            value = str(uuid.uuid4()) if schema.get("format") == "uuid" else "no-such-thing"
            path = path.replace("{" + param["name"] + "}", value)
    return path


async def test_every_operation_answers_as_documented(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    rules = documented()
    schema = (await client.get("/schema/openapi.json")).json()
    who = await callers(client, runtime)
    undocumented, wrong, cells = [], [], 0
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            key = (method.upper(), re.sub(r"\{[^}]+\}", "{}", path))
            if key not in rules:
                undocumented.append(f"{key[0]} {path}")
                continue
            needs, users_only = rules[key]
            url = concrete(path, operation)
            for caller in who:
                kwargs: dict[str, Any] = {"headers": caller.headers}
                if method in ("post", "put", "patch"):
                    kwargs["json"] = {}
                response = await client.request(method.upper(), url, **kwargs)
                cells += 1
                want = expected(needs, users_only, caller)
                got = response.status_code
                ok = got < 500 and (
                    got not in (401, 403) if want == "allowed" else str(got) == want
                )
                if not ok:
                    wrong.append(f"{caller.name}: {method.upper()} {path} -> {got}, want {want}")
    assert not undocumented, f"operations missing from docs/permissions.md: {undocumented}"
    assert not wrong, "\n".join(wrong)
    assert cells >= 7 * 60
