"""Every administrative change writes one audit entry in its own unit of work; secrets never."""

from __future__ import annotations

import json
from typing import Any

import httpx
from sqlalchemy import func, select

from baton.audit.models import AuditEntry
from baton.runtime import Runtime
from tests.factories import user_headers


async def _entries(
    client: httpx.AsyncClient, headers: dict[str, str], **params: str
) -> list[dict[str, Any]]:
    response = await client.get("/api/v1/audit", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def test_admin_changes_are_audited(client: httpx.AsyncClient, runtime: Runtime) -> None:
    admin_user, admin = await user_headers(client, runtime, "admin", name="Ada Admin")
    created = await client.post(
        "/api/v1/users",
        json={"email": "new@example.com", "password": "first-pass-1", "role": "agent"},
        headers=admin,
    )
    uid = created.json()["id"]
    await client.patch(
        f"/api/v1/users/{uid}", json={"name": "Neo", "password": "second-pass-2"}, headers=admin
    )
    await client.post(
        "/api/v1/roles", json={"name": "viewer", "permissions": ["analytics:read"]}, headers=admin
    )
    await client.patch(
        "/api/v1/roles/viewer",
        json={"permissions": ["analytics:read", "conversations:read"]},
        headers=admin,
    )
    await client.delete("/api/v1/roles/viewer", headers=admin)
    key = (await client.post("/api/v1/api-keys", json={"name": "crm"}, headers=admin)).json()
    await client.delete(f"/api/v1/api-keys/{key['id']}", headers=admin)
    await client.patch("/api/v1/settings", json={"max_open_per_agent": 7}, headers=admin)
    await client.patch("/api/v1/widget/settings", json={"title": "Help"}, headers=admin)
    provider = (
        await client.post(
            "/api/v1/ai/providers",
            json={"kind": "openai", "name": "p", "api_key": "sk-TOPSECRET-1", "enabled": False},
            headers=admin,
        )
    ).json()
    await client.patch(
        f"/api/v1/ai/providers/{provider['id']}",
        json={"api_key": "sk-TOPSECRET-2", "priority": 3},
        headers=admin,
    )
    await client.delete(f"/api/v1/ai/providers/{provider['id']}", headers=admin)
    article = (
        await client.post(
            "/api/v1/knowledge/articles", json={"title": "T", "body": "B"}, headers=admin
        )
    ).json()
    await client.delete(f"/api/v1/knowledge/articles/{article['id']}", headers=admin)
    await client.delete(f"/api/v1/users/{uid}", headers=admin)

    items = await _entries(client, admin, limit="200")
    actions = [i["action"] for i in reversed(items)]
    assert actions == [
        "users.created",
        "users.updated",
        "roles.created",
        "roles.updated",
        "roles.deleted",
        "api_keys.created",
        "api_keys.revoked",
        "settings.updated",
        "widget.settings_updated",
        "ai.provider_created",
        "ai.provider_updated",
        "ai.provider_deleted",
        "knowledge.article_created",
        "knowledge.article_deleted",
        "users.deleted",
    ]
    assert all(
        i["actor"] == {"kind": "user", "id": str(admin_user.id), "name": "Ada Admin"} for i in items
    )
    by_action = {i["action"]: i for i in items}
    updated = by_action["users.updated"]
    assert updated["target_type"] == "user" and updated["target_id"] == uid
    assert updated["changes"]["name"]["after"] == "Neo"
    assert updated["changes"]["password"] == {"before": "[redacted]", "after": "[redacted]"}
    assert by_action["roles.updated"]["changes"]["permissions"] == {
        "before": ["analytics:read"],
        "after": ["analytics:read", "conversations:read"],
    }
    assert by_action["settings.updated"]["changes"] == {
        "max_open_per_agent": {"before": 5, "after": 7}
    }
    assert by_action["ai.provider_updated"]["changes"]["priority"]["after"] == 3
    assert "api_key" in by_action["ai.provider_updated"]["changes"]
    dump = json.dumps(items)
    for secret in ("TOPSECRET", "first-pass-1", "second-pass-2", key["key"]):
        assert secret not in dump

    # filters
    only = await _entries(client, admin, action="roles.created")
    assert [i["action"] for i in only] == ["roles.created"]
    assert {i["action"] for i in await _entries(client, admin, action="users.*")} == {
        "users.created",
        "users.updated",
        "users.deleted",
    }
    assert len(await _entries(client, admin, target_type="user", target_id=uid)) == 3
    assert len(await _entries(client, admin, actor_id=str(admin_user.id), limit="200")) == 15
    # pagination
    first = await client.get("/api/v1/audit", params={"limit": 10}, headers=admin)
    rest = await client.get(
        "/api/v1/audit", params={"limit": 10, "cursor": first.json()["next_cursor"]}, headers=admin
    )
    assert len(first.json()["items"]) == 10 and len(rest.json()["items"]) == 5
    assert rest.json()["next_cursor"] is None


async def test_refused_change_writes_no_entry(client: httpx.AsyncClient, runtime: Runtime) -> None:
    admin_user, admin = await user_headers(client, runtime, "admin")
    refused = await client.patch(
        f"/api/v1/users/{admin_user.id}", json={"is_active": False}, headers=admin
    )
    assert refused.status_code == 409
    bad = await client.patch("/api/v1/settings", json={"max_open_per_agent": 0}, headers=admin)
    assert bad.status_code == 422
    async with runtime.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(AuditEntry)) == 0


async def test_reading_the_audit_needs_audit_read(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    _, agent = await user_headers(client, runtime)
    assert (await client.get("/api/v1/audit", headers=agent)).status_code == 403
    assert (await client.get("/api/v1/audit")).status_code == 401
    _, admin = await user_headers(client, runtime, "admin")
    for params in ({"limit": "0"}, {"limit": "201"}, {"cursor": "not-a-cursor"}):
        response = await client.get("/api/v1/audit", params=params, headers=admin)
        assert response.status_code in (400, 422), params
