from __future__ import annotations

import httpx

from baton.runtime import Runtime
from tests.factories import login, user_headers


async def test_admin_manages_users(client: httpx.AsyncClient, runtime: Runtime) -> None:
    admin_user, admin = await user_headers(client, runtime, "admin")
    created = await client.post(
        "/api/v1/users",
        json={
            "email": "Sam@Example.com",
            "password": "sam-password",
            "role": "agent",
            "name": "Sam",
        },
        headers=admin,
    )
    assert created.status_code == 201, created.text
    sam = created.json()
    assert sam["email"] == "sam@example.com" and sam["role"] == "agent"
    assert await login(client, "sam@example.com", "sam-password")

    duplicate = await client.post(
        "/api/v1/users",
        json={"email": "sam@example.com", "password": "sam-password"},
        headers=admin,
    )
    assert duplicate.status_code == 409 and duplicate.json()["error"] == "email_taken"

    promoted = await client.patch(
        f"/api/v1/users/{sam['id']}", json={"role": "admin"}, headers=admin
    )
    assert promoted.status_code == 200 and promoted.json()["role"] == "admin"

    bad_role = await client.patch(
        f"/api/v1/users/{sam['id']}", json={"role": "owner"}, headers=admin
    )
    assert bad_role.status_code == 422

    deleted = await client.delete(f"/api/v1/users/{sam['id']}", headers=admin)
    assert deleted.status_code == 204
    assert (await client.get(f"/api/v1/users/{sam['id']}", headers=admin)).status_code == 404
    ids = [u["id"] for u in (await client.get("/api/v1/users", headers=admin)).json()["items"]]
    assert sam["id"] not in ids and str(admin_user.id) in ids


async def test_last_admin_cannot_be_demoted_or_self_deleted(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    admin_user, admin = await user_headers(client, runtime, "admin")
    demote = await client.patch(
        f"/api/v1/users/{admin_user.id}", json={"role": "agent"}, headers=admin
    )
    assert demote.status_code == 409 and demote.json()["error"] == "last_admin"
    self_delete = await client.delete(f"/api/v1/users/{admin_user.id}", headers=admin)
    assert self_delete.status_code == 409


async def test_invalid_user_input(client: httpx.AsyncClient, runtime: Runtime) -> None:
    _, admin = await user_headers(client, runtime, "admin")
    for body in (
        {"email": "not-an-email", "password": "longenough"},
        {"email": "ok@example.com", "password": "short"},
        {"email": "ok@example.com", "password": "longenough", "role": "root"},
    ):
        response = await client.post("/api/v1/users", json=body, headers=admin)
        assert response.status_code == 422, body
        assert response.json()["error"] == "validation_error"
    users = (await client.get("/api/v1/users", headers=admin)).json()["items"]
    assert all(u["email"] != "ok@example.com" for u in users)
