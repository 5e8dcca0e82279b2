"""The dashboard's channel and agent filters on the labelled workload, from raw facts and
from rollups alike; bad filters are a clear 422."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx

from baton.analytics import rollups
from baton.runtime import Runtime
from tests.analytics.workload import EXPECTED_OVERVIEW, build
from tests.factories import user_headers

RANGE = {"from": "2026-11-02", "to": "2026-11-04"}
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


async def _get(client: httpx.AsyncClient, headers: dict[str, str], path: str, **params: Any) -> Any:
    response = await client.get(f"/api/v1/analytics/{path}", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_channel_and_agent_filters(client: httpx.AsyncClient, runtime: Runtime) -> None:
    _, admin = await user_headers(client, runtime, "admin")
    w = await build(runtime)
    alice = str(w.alice.id)

    async def check() -> None:
        widget = await _get(client, admin, "overview", channel="widget", **RANGE)
        assert {k: widget[k] for k in EXPECTED_OVERVIEW} == EXPECTED_OVERVIEW
        assert widget["channel"] == "widget" and widget["channels"] == ["widget"]
        other = await _get(client, admin, "overview", channel="email", **RANGE)
        assert (other["conversations"], other["messages"], other["resolved"]) == (0, 0, 0)

        mine = await _get(client, admin, "overview", agent_id=alice, **RANGE)
        assert mine["agent_id"] == alice
        assert mine["conversations"] == 2  # c3 and c5, assigned to Alice
        assert mine["messages"] == 3  # her three replies (the note is Bob's, internal)
        assert mine["first_response_seconds_p50"] == 75.0  # of 30 and 120
        assert mine["resolved"] == 1 and mine["resolution_seconds_p50"] == 1680.0
        assert mine["ai_containment_rate"] is None and mine["handoff_rate"] is None
        trend = await _get(client, admin, "trends", metric="conversations", agent_id=alice, **RANGE)
        assert [p["value"] for p in trend["points"]] == [1, 1, 0]
        board = await _get(client, admin, "agents", agent_id=alice, **RANGE)
        assert [i["name"] for i in board["items"]] == ["Alice"]

    await check()  # raw facts
    async with runtime.db.session() as session:
        await rollups.run_incremental(session, now=NOW)
        await session.commit()
    await check()  # rollups


async def test_bad_filters_are_422(client: httpx.AsyncClient, runtime: Runtime) -> None:
    _, admin = await user_headers(client, runtime, "admin")
    for path in ("overview", "trends", "agents"):
        for params, code in (
            ({"channel": "Web Site!"}, "invalid_channel"),
            ({"channel": "x" * 17}, "invalid_channel"),
            ({"agent_id": "alice"}, "invalid_agent"),
        ):
            response = await client.get(f"/api/v1/analytics/{path}", params=params, headers=admin)
            assert response.status_code == 422, response.text
            assert response.json()["error"] == code
