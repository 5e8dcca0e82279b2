"""Bad analytics input is a clear 4xx, and permissions hold."""

from __future__ import annotations

import httpx
import pytest

from baton.runtime import Runtime
from tests.factories import user_headers

BAD = [
    ("overview", {"tz": "Mars/Olympus"}, "invalid_timezone"),
    ("overview", {"tz": "../../etc/passwd"}, "invalid_timezone"),
    ("overview", {"from": "2026-13-01"}, "invalid_range"),
    ("overview", {"from": "yesterday"}, "invalid_range"),
    ("overview", {"from": "9999-12-30", "to": "9999-12-31"}, "invalid_range"),
    ("overview", {"from": "0001-01-01", "tz": "Asia/Tokyo"}, "invalid_range"),
    ("overview", {"from": "2026-11-01T25:00:00"}, "invalid_range"),
    ("overview", {"tz": "Europe/Paris\u0000"}, "invalid_text"),  # refused at the edge (400)
    (
        "trends",
        {"interval": "hour", "from": "2026-11-01T10:00:00+05:30", "to": "2026-11-01T04:00:00Z"},
        "invalid_range",
    ),
    ("overview", {"from": "2026-11-05", "to": "2026-11-01"}, "invalid_range"),
    ("overview", {"from": "2020-01-01", "to": "2026-01-01"}, "range_too_long"),
    ("trends", {"metric": "revenue"}, "invalid_metric"),
    ("trends", {"interval": "week"}, "invalid_interval"),
    ("trends", {"interval": "hour", "from": "2026-01-01", "to": "2026-03-01"}, "range_too_long"),
    ("agents", {"tz": ""}, None),
]


@pytest.mark.parametrize(("path", "params", "code"), BAD)
async def test_bad_input_is_422(
    client: httpx.AsyncClient, runtime: Runtime, path: str, params: dict[str, str], code: str | None
) -> None:
    _, admin = await user_headers(client, runtime, "admin")
    response = await client.get(f"/api/v1/analytics/{path}", params=params, headers=admin)
    if code is None:  # an empty tz is the default, UTC
        assert response.status_code == 200, response.text
        return
    assert response.status_code == (400 if code == "invalid_text" else 422), response.text
    assert response.json()["error"] == code


async def test_permissions(client: httpx.AsyncClient, runtime: Runtime) -> None:
    _, agent = await user_headers(client, runtime, "agent")
    for path in ("overview", "trends", "agents"):
        assert (await client.get(f"/api/v1/analytics/{path}", headers=agent)).status_code == 403
        assert (await client.get(f"/api/v1/analytics/{path}")).status_code == 401


async def test_empty_workspace(client: httpx.AsyncClient, runtime: Runtime) -> None:
    _, admin = await user_headers(client, runtime, "admin")
    r = await client.get(
        "/api/v1/analytics/overview",
        params={"from": "2026-11-01", "to": "2026-11-07"},
        headers=admin,
    )
    body = r.json()
    assert body["conversations"] == 0 and body["ai_containment_rate"] is None
    assert body["first_response_seconds_p50"] is None and body["handoff_rate"] is None
    t = await client.get(
        "/api/v1/analytics/trends",
        params={"from": "2026-11-01", "to": "2026-11-07", "metric": "csat_average"},
        headers=admin,
    )
    points = t.json()["points"]
    assert len(points) == 7 and all(p["value"] is None for p in points)
