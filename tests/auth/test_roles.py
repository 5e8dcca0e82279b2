"""Roles: built-in and custom, permissions read from the database, API key scopes and expiry."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import update

from baton.auth.models import ApiKey
from baton.runtime import Runtime
from tests.factories import bearer, user_headers


async def test_builtin_roles_are_listed_and_protected(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    _, admin = await user_headers(client, runtime, "admin")
    listed = await client.get("/api/v1/roles", headers=admin)
    assert listed.status_code == 200
    by_name = {r["name"]: r for r in listed.json()["items"]}
    assert by_name["admin"]["builtin"] and by_name["agent"]["builtin"]
    assert "audit:read" in by_name["admin"]["permissions"]
    assert "users:manage" not in by_name["agent"]["permissions"]
    assert listed.json()["next_cursor"] is None
    for name in ("admin", "agent"):
        gone = await client.delete(f"/api/v1/roles/{name}", headers=admin)
        assert gone.status_code == 409 and gone.json()["error"] == "builtin_role"
    changed = await client.patch(
        "/api/v1/roles/admin", json={"permissions": ["conversations:read"]}, headers=admin
    )
    assert changed.status_code == 409
    assert (await client.get("/api/v1/roles/nope", headers=admin)).status_code == 404


async def test_custom_role_lifecycle_takes_effect_at_once(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    _, admin = await user_headers(client, runtime, "admin")
    created = await client.post(
        "/api/v1/roles",
        json={"name": "supervisor", "permissions": ["conversations:read", "analytics:read"]},
        headers=admin,
    )
    assert created.status_code == 201, created.text
    assert created.json()["permissions"] == ["analytics:read", "conversations:read"]
    dup = await client.post(
        "/api/v1/roles", json={"name": "supervisor", "permissions": []}, headers=admin
    )
    assert dup.status_code == 409

    user, user_h = await user_headers(client, runtime)  # an agent
    assert (await client.get("/api/v1/analytics/messages", headers=user_h)).status_code == 403
    moved = await client.patch(
        f"/api/v1/users/{user.id}", json={"role": "supervisor"}, headers=admin
    )
    assert moved.status_code == 200 and moved.json()["role"] == "supervisor"
    # the same token, at once: the role's permissions are read per request
    me = (await client.get("/api/v1/me", headers=user_h)).json()
    assert me["role"] == "supervisor" and "analytics:read" in me["permissions"]
    assert (await client.get("/api/v1/analytics/messages", headers=user_h)).status_code == 200

    edited = await client.patch(
        "/api/v1/roles/supervisor", json={"permissions": ["conversations:read"]}, headers=admin
    )
    assert edited.status_code == 200 and edited.json()["users"] == 1
    assert (await client.get("/api/v1/analytics/messages", headers=user_h)).status_code == 403

    in_use = await client.delete("/api/v1/roles/supervisor", headers=admin)
    assert in_use.status_code == 409 and in_use.json()["error"] == "role_in_use"
    await client.patch(f"/api/v1/users/{user.id}", json={"role": "agent"}, headers=admin)
    assert (await client.delete("/api/v1/roles/supervisor", headers=admin)).status_code == 204
    assert (await client.get("/api/v1/roles/supervisor", headers=admin)).status_code == 404
    unknown = await client.patch(
        f"/api/v1/users/{user.id}", json={"role": "supervisor"}, headers=admin
    )
    assert unknown.status_code == 422


async def test_role_input_is_validated(client: httpx.AsyncClient, runtime: Runtime) -> None:
    _, admin = await user_headers(client, runtime, "admin")
    for body in (
        {"name": "x", "permissions": []},
        {"name": "Bad Name", "permissions": []},
        {"name": "ok-name", "permissions": ["conversations:read", "root:everything"]},
        {"name": "ok-name", "permissions": "conversations:read"},
        {"name": "ok-name"},
    ):
        response = await client.post("/api/v1/roles", json=body, headers=admin)
        assert response.status_code in (400, 422), (body, response.text)
    listed = (await client.get("/api/v1/roles", headers=admin)).json()["items"]
    assert {r["name"] for r in listed} == {"admin", "agent"}


async def test_editing_the_agent_role(client: httpx.AsyncClient, runtime: Runtime) -> None:
    _, admin = await user_headers(client, runtime, "admin")
    _, agent = await user_headers(client, runtime)
    assert (await client.get("/api/v1/knowledge/articles", headers=agent)).status_code == 403
    response = await client.patch(
        "/api/v1/roles/agent",
        json={"permissions": ["conversations:read", "conversations:reply", "knowledge:manage"]},
        headers=admin,
    )
    assert response.status_code == 200, response.text
    assert (await client.get("/api/v1/knowledge/articles", headers=agent)).status_code == 200
    renamed = await client.patch("/api/v1/roles/agent", json={"name": "helper"}, headers=admin)
    assert renamed.status_code == 409


async def test_no_one_grants_what_they_do_not_hold(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    _, admin = await user_headers(client, runtime, "admin")
    await client.post(
        "/api/v1/roles",
        json={"name": "role-admin", "permissions": ["roles:manage", "users:manage"]},
        headers=admin,
    )
    _, ra = await user_headers(client, runtime, "agent")
    me = (await client.get("/api/v1/me", headers=ra)).json()
    await client.patch(f"/api/v1/users/{me['id']}", json={"role": "role-admin"}, headers=admin)
    escalate = await client.post(
        "/api/v1/roles",
        json={"name": "god", "permissions": ["settings:manage"]},
        headers=ra,
    )
    assert escalate.status_code == 403
    promote = await client.patch(f"/api/v1/users/{me['id']}", json={"role": "admin"}, headers=ra)
    assert promote.status_code == 403
    assert (await client.get("/api/v1/me", headers=ra)).json()["role"] == "role-admin"


async def test_api_key_scopes_and_expiry(client: httpx.AsyncClient, runtime: Runtime) -> None:
    _, admin = await user_headers(client, runtime, "admin")
    default = (await client.post("/api/v1/api-keys", json={"name": "d"}, headers=admin)).json()
    assert "conversations:read_all" in default["scopes"]
    assert "users:manage" not in default["scopes"]

    scoped = await client.post(
        "/api/v1/api-keys",
        json={"name": "reader", "scopes": ["analytics:read"]},
        headers=admin,
    )
    assert scoped.status_code == 201, scoped.text
    key = scoped.json()["key"]
    assert (await client.get("/api/v1/analytics/messages", headers=bearer(key))).status_code == 200
    assert (await client.get("/api/v1/conversations", headers=bearer(key))).status_code == 403
    me = (await client.get("/api/v1/me", headers=bearer(key))).json()
    assert me["permissions"] == ["analytics:read"] and me["name"] == "reader"

    bad = await client.post(
        "/api/v1/api-keys", json={"name": "x", "scopes": ["no:such"]}, headers=admin
    )
    assert bad.status_code == 422
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    assert (
        await client.post("/api/v1/api-keys", json={"name": "x", "expires_at": past}, headers=admin)
    ).status_code == 422

    soon = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    expiring = await client.post(
        "/api/v1/api-keys", json={"name": "temp", "expires_at": soon}, headers=admin
    )
    assert expiring.status_code == 201
    temp = expiring.json()["key"]
    assert (await client.get("/api/v1/me", headers=bearer(temp))).status_code == 200
    async with runtime.db.session() as session:
        await session.execute(
            update(ApiKey)
            .where(ApiKey.id == uuid.UUID(expiring.json()["id"]))
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
        await session.commit()
    assert (await client.get("/api/v1/me", headers=bearer(temp))).status_code == 401
    listed = (await client.get("/api/v1/api-keys", headers=admin)).json()["items"]
    assert {i["name"]: i["scopes"] for i in listed}["reader"] == ["analytics:read"]
