"""Widget theming: the public config, admin settings (one truth for the greeting), the snippet."""

from __future__ import annotations

import httpx

from baton.runtime import Runtime
from baton.widget.routes import WIDGET_DIST
from tests.factories import user_headers


async def test_public_config_serves_defaults_without_credentials(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/widget/config")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body == {
        "title": "Support",
        "color": "#4f46e5",
        "position": "right",
        "launcher_text": "Chat with us",
        "welcome_message": body["welcome_message"],
        # availability (docs/business-hours.md): open round the clock by default
        "online": True,
        "agents_online": False,
        "next_open_at": None,
        "typical_reply_seconds": None,
        "proactive_rules": [],
    }
    assert body["welcome_message"].strip()


async def test_admin_changes_the_theme_and_visitors_see_it(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    _, admin = await user_headers(client, runtime, "admin")
    before = await client.get("/api/v1/widget/settings", headers=admin)
    assert before.status_code == 200 and before.json()["updated_at"] is None

    patched = await client.patch(
        "/api/v1/widget/settings",
        json={
            "title": "  Acme help  ",
            "color": "#0EA5E9",
            "position": "left",
            "launcher_text": "",
            "welcome_message": "Welcome to Acme!",
        },
        headers=admin,
    )
    assert patched.status_code == 200, patched.text
    body = patched.json()
    assert body["title"] == "Acme help" and body["color"] == "#0ea5e9"
    assert body["position"] == "left" and body["launcher_text"] == ""
    assert body["welcome_message"] == "Welcome to Acme!" and body["updated_at"] is not None

    config = (await client.get("/api/v1/widget/config")).json()
    theme_only = {
        "online",
        "agents_online",
        "next_open_at",
        "typical_reply_seconds",
        "proactive_rules",
    }
    assert {k: v for k, v in config.items() if k not in theme_only} == {
        "title": "Acme help",
        "color": "#0ea5e9",
        "position": "left",
        "launcher_text": "",
        "welcome_message": "Welcome to Acme!",
    }
    # the greeting is the workspace's welcome_message: one truth, which start_session sends
    workspace = await client.get("/api/v1/settings", headers=admin)
    assert workspace.json()["welcome_message"] == "Welcome to Acme!"

    # a partial change keeps the rest
    again = await client.patch("/api/v1/widget/settings", json={"title": "Acme"}, headers=admin)
    assert again.json()["title"] == "Acme" and again.json()["color"] == "#0ea5e9"


async def test_invalid_settings_are_refused_and_change_nothing(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    _, admin = await user_headers(client, runtime, "admin")
    for body in (
        {"color": "red"},
        {"color": "#12345"},
        {"position": "top"},
        {"title": "   "},
        {"title": "x" * 61},
        {"launcher_text": "x" * 41},
        {"welcome_message": "   "},
        {"theme": "dark"},
    ):
        response = await client.patch("/api/v1/widget/settings", json=body, headers=admin)
        assert response.status_code == 422, (body, response.text)
        assert response.json()["error"] == "validation_error"
    settings = (await client.get("/api/v1/widget/settings", headers=admin)).json()
    assert settings["updated_at"] is None and settings["title"] == "Support"


async def test_settings_and_snippet_need_the_settings_permission(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    _, agent = await user_headers(client, runtime, "agent")
    for method, path in (
        ("GET", "/api/v1/widget/settings"),
        ("PATCH", "/api/v1/widget/settings"),
        ("GET", "/api/v1/widget/snippet"),
    ):
        anonymous = await client.request(method, path, json={})
        assert anonymous.status_code == 401, (method, path)
        forbidden = await client.request(method, path, json={}, headers=agent)
        assert forbidden.status_code == 403, (method, path)
        assert forbidden.json()["error"] == "forbidden"


async def test_snippet_points_at_the_public_loader(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    _, admin = await user_headers(client, runtime, "admin")
    response = await client.get("/api/v1/widget/snippet", headers=admin)
    assert response.status_code == 200
    public_url = runtime.settings.public_url.rstrip("/")
    assert response.json() == {
        "snippet": f'<script src="{public_url}/widget.js" async></script>',
        "loader_url": f"{public_url}/widget.js",
    }


async def test_loader_alias_serves_the_built_loader(client: httpx.AsyncClient) -> None:
    response = await client.get("/widget.js")
    built = WIDGET_DIST / "loader.js"
    if built.is_file():
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/javascript")
        assert "max-age=" in response.headers["cache-control"]
        assert response.content == built.read_bytes()
    else:  # not built (npm run build in apps/widget): a clear 404, not a crash
        assert response.status_code == 404
        assert response.json()["error"] == "not_found"


async def test_config_is_public_in_openapi(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/schema/openapi.json")).json()
    assert "/api/v1/widget/config" in schema["paths"]
    assert "/api/v1/widget/settings" in schema["paths"]
    assert "/widget.js" not in schema["paths"]
