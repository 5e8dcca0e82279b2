"""Canned responses over REST: who may create and change which, variables, fuzzy search."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from baton import catalog
from baton.canned.models import CannedResponse
from baton.canned.seed import DEMO_CANNED
from baton.canned.seed import seed as seed_canned
from baton.canned.variables import fill
from baton.runtime import Runtime
from tests.conversations.helpers import visitor
from tests.factories import user_headers
from tests.support import LiveServer

RETURNS = "Hi {{visitor.name}}, returns are free within 30 days. {{agent.name}}"


async def _create(
    client: httpx.AsyncClient, headers: dict[str, str], **body: object
) -> httpx.Response:
    payload = {"shortcut": "returns", "title": "Returns", "body": RETURNS, **body}
    return await client.post("/api/v1/canned-responses", json=payload, headers=headers)


def test_variables_fall_back_safely() -> None:
    text = "Hi {{visitor.name}} ({{ visitor.email }}), I am {{agent.name}} on {{conversation.id}}."
    assert fill(text, {}) == ("Hi there (your email address), I am our team on your conversation.")
    assert (
        fill(
            text,
            {
                "visitor.name": "Ada",
                "visitor.email": "a@x.io",
                "agent.name": "Dana",
                "conversation.id": "c1",
            },
        )
        == "Hi Ada (a@x.io), I am Dana on c1."
    )
    assert fill("{{visitor.name}}", {"visitor.name": "   "}) == "there"
    assert fill("keep {{order.id}} as written", {}) == "keep {{order.id}} as written"


async def test_agents_create_personal_and_global_needs_permission(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    _, dana = await user_headers(client, runtime, name="Dana")
    _, eli = await user_headers(client, runtime, name="Eli")
    _, admin = await user_headers(client, runtime, role="admin")

    refused = await _create(client, dana, visibility="global")
    assert refused.status_code == 403, refused.text
    mine = await _create(client, dana, shortcut="/Returns")
    assert mine.status_code == 201, mine.text
    assert mine.json()["shortcut"] == "returns" and mine.json()["visibility"] == "personal"
    # unique per scope: Dana twice is a conflict; Eli and the workspace may reuse it
    assert (await _create(client, dana)).status_code == 409
    assert (await _create(client, eli)).status_code == 201
    shared = await _create(
        client, admin, visibility="global", shortcut="refund", category="billing"
    )
    assert shared.status_code == 201, shared.text
    # categories are one whatever the case: the stored spelling wins
    cased = await _create(client, dana, shortcut="bills", category="BILLING")
    assert cased.status_code == 201 and cased.json()["category"] == "billing"

    listed = (await client.get("/api/v1/canned-responses", headers=dana)).json()["items"]
    assert sorted((c["shortcut"], c["visibility"]) for c in listed) == [
        ("bills", "personal"),
        ("refund", "global"),
        ("returns", "personal"),
    ]
    mine_id, shared_id = mine.json()["id"], shared.json()["id"]
    # Eli cannot see Dana's; Dana cannot change the global one
    assert (await client.get(f"/api/v1/canned-responses/{mine_id}", headers=eli)).status_code == 404
    denied = await client.patch(
        f"/api/v1/canned-responses/{shared_id}", json={"body": "x"}, headers=dana
    )
    assert denied.status_code == 403
    assert (
        await client.delete(f"/api/v1/canned-responses/{shared_id}", headers=dana)
    ).status_code == 403

    edited = await client.patch(
        f"/api/v1/canned-responses/{mine_id}", json={"title": "Free returns"}, headers=dana
    )
    assert edited.status_code == 200 and edited.json()["title"] == "Free returns"
    bad = await client.patch(
        f"/api/v1/canned-responses/{mine_id}", json={"body": "  "}, headers=dana
    )
    assert bad.status_code == 422 and bad.json()["error"] == "invalid_body"
    assert (await _create(client, dana, shortcut="two words")).status_code == 422
    assert (
        await client.delete(f"/api/v1/canned-responses/{mine_id}", headers=dana)
    ).status_code == 204
    assert (
        await client.get(f"/api/v1/canned-responses/{mine_id}", headers=dana)
    ).status_code == 404

    audit = (await client.get("/api/v1/audit?target_type=canned_response", headers=admin)).json()
    assert {"canned.created", "canned.updated", "canned.deleted"} <= {
        e["action"] for e in audit["items"]
    }


async def test_render_fills_the_conversation(
    client: httpx.AsyncClient, runtime: Runtime, server: LiveServer
) -> None:
    _, dana = await user_headers(client, runtime, name="Dana Scully")
    created = (
        await _create(client, dana, body=RETURNS + " {{conversation.id}} {{visitor.email}}")
    ).json()
    v, ack = await visitor(server.base_url, visitor={"name": "Ada", "email": "ada@example.com"})
    try:
        conversation_id = ack["conversation_id"]
        rendered = await client.post(
            f"/api/v1/canned-responses/{created['id']}/render",
            json={"conversation_id": conversation_id},
            headers=dana,
        )
        assert rendered.status_code == 200, rendered.text
        assert rendered.json()["text"] == (
            "Hi Ada, returns are free within 30 days. Dana Scully "
            f"{conversation_id} ada@example.com"
        )
        bare = await client.post(
            f"/api/v1/canned-responses/{created['id']}/render", json={}, headers=dana
        )
        assert bare.json()["text"].startswith("Hi there, returns")
        missing = await client.post(
            f"/api/v1/canned-responses/{created['id']}/render",
            json={"conversation_id": "00000000-0000-0000-0000-000000000000"},
            headers=dana,
        )
        assert missing.status_code == 404
    finally:
        await v.disconnect()


async def test_fuzzy_search_ranks_shortcut_prefixes_first(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    _, dana = await user_headers(client, runtime)
    for shortcut, title, body in [
        ("returns", "Returns policy", "You can return anything within 30 days."),
        ("shipping", "Shipping times", "Parcels arrive in 3-5 working days."),
        ("hello", "Greeting", "Hello! How can I help?"),
        ("retail", "Shops", "Our retail partners are listed on the site."),
    ]:
        assert (
            await _create(client, dana, shortcut=shortcut, title=title, body=body)
        ).status_code == 201

    async def q(text: str) -> list[str]:
        r = await client.get("/api/v1/canned-responses", params={"q": text}, headers=dana)
        assert r.status_code == 200
        return [c["shortcut"] for c in r.json()["items"]]

    assert (await q("/ret"))[:2] == ["retail", "returns"]  # prefixes first, shorter first
    assert (await q("shiping"))[0] == "shipping"  # a typo still finds it
    assert (await q("parcels arrive"))[0] == "shipping"  # body text
    assert (await q("zzzzqqq")) == []


async def test_demo_seeder_is_registered_and_idempotent(runtime: Runtime) -> None:
    assert seed_canned in catalog.seeders()
    for _ in range(2):
        async with runtime.db.session() as session:
            await seed_canned(session)
            await session.commit()
    async with runtime.db.session() as session:
        shortcuts = sorted(await session.scalars(select(CannedResponse.shortcut)))
    assert shortcuts == sorted(s for s, _, _, _ in DEMO_CANNED) and "returns" in shortcuts
