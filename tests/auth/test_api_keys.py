from __future__ import annotations

import httpx
from sqlalchemy import select

from baton.auth.models import ApiKey
from baton.runtime import Runtime
from tests.factories import bearer, user_headers


async def test_api_key_lifecycle(client: httpx.AsyncClient, runtime: Runtime) -> None:
    _, admin = await user_headers(client, runtime, "admin")
    created = await client.post("/api/v1/api-keys", json={"name": "CRM sync"}, headers=admin)
    assert created.status_code == 201
    body = created.json()
    key = body["key"]
    assert key.startswith("bk_") and body["name"] == "CRM sync"

    me = await client.get("/api/v1/me", headers=bearer(key))
    assert me.status_code == 200
    assert me.json()["kind"] == "api_key"
    assert "conversations:read" in me.json()["permissions"]

    listed = await client.get("/api/v1/api-keys", headers=admin)
    assert listed.status_code == 200
    item = next(i for i in listed.json()["items"] if i["id"] == body["id"])
    assert "key" not in item and item["prefix"] == key[:10]
    assert item["last_used_at"] is not None

    async with runtime.db.session() as session:
        stored = await session.scalar(select(ApiKey).where(ApiKey.id == ApiKey.id))
        assert stored is not None and key not in (stored.key_hash, stored.prefix)

    revoked = await client.delete(f"/api/v1/api-keys/{body['id']}", headers=admin)
    assert revoked.status_code == 204
    after = await client.get("/api/v1/me", headers=bearer(key))
    assert after.status_code == 401


async def test_api_key_cannot_administer(client: httpx.AsyncClient, runtime: Runtime) -> None:
    _, admin = await user_headers(client, runtime, "admin")
    key = (await client.post("/api/v1/api-keys", json={"name": "n"}, headers=admin)).json()["key"]
    assert (await client.get("/api/v1/users", headers=bearer(key))).status_code == 403
    assert (
        await client.post("/api/v1/api-keys", json={"name": "m"}, headers=bearer(key))
    ).status_code == 403


async def test_revoking_unknown_key_is_404(client: httpx.AsyncClient, runtime: Runtime) -> None:
    _, admin = await user_headers(client, runtime, "admin")
    response = await client.delete(
        "/api/v1/api-keys/01a20106-ff9b-705f-8623-4739df4ef4d0", headers=admin
    )
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"
