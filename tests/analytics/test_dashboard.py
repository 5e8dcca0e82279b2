"""Dashboard figures on a labelled workload: the API equals the hand count, from raw facts
and from rollups alike, on both backends; rollups re-run change nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import httpx
from sqlalchemy import delete, select

from baton.analytics import query, rollups
from baton.analytics.models import AnalyticsDaily, AnalyticsHourly, AnalyticsState, ReportingEvent
from baton.runtime import Runtime
from tests.analytics.workload import EXPECTED_OVERVIEW, Workload, build
from tests.factories import user_headers

RANGE = {"from": "2026-11-02", "to": "2026-11-04"}
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)  # long after the workload: every hour closed


async def _get(client: httpx.AsyncClient, headers: dict[str, str], path: str, **params: Any) -> Any:
    response = await client.get(f"/api/v1/analytics/{path}", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def _rollup(runtime: Runtime, now: datetime | None = None) -> rollups.RunResult:
    async with runtime.db.session() as session:
        result = await rollups.run_incremental(session, now=now)
        await session.commit()
    return result


async def _rebuild(runtime: Runtime, start: date, end: date) -> rollups.RunResult:
    async with runtime.db.session() as session:
        result = await rollups.rebuild(session, start, end)
        await session.commit()
    return result


async def _snapshot(runtime: Runtime) -> dict[str, list[tuple[Any, ...]]]:
    """Rollup and fact rows without their ids (which a rewrite would renew)."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    async with runtime.db.session() as session:
        for model in (AnalyticsHourly, AnalyticsDaily):
            rows: Any = await session.scalars(select(model))
            out[model.__tablename__] = sorted(
                (
                    r.bucket_start,
                    r.channel,
                    str(r.agent_id),
                    r.conversations,
                    r.messages,
                    r.handoffs,
                    r.assigned,
                    r.bot_resolved,
                    r.resolved,
                    r.reopened,
                    sorted(r.first_response_hist.items()),
                    sorted(r.resolution_hist.items()),
                    sorted((r.first_response_business_hist or {}).items()),
                    sorted((r.resolution_business_hist or {}).items()),
                    r.csat_responses,
                    r.csat_satisfied,
                    r.csat_sum,
                )
                for r in rows
            )
        facts = await session.scalars(select(ReportingEvent))
        out["facts"] = sorted(
            (
                f.id,
                f.kind,
                str(f.conversation_id),
                str(f.agent_id),
                f.at,
                f.value_seconds,
                f.value,
                f.business_seconds,
            )
            for f in facts
        )
    return out


def _agents(w: Workload, items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    by_name = {i["name"]: i for i in items}
    assert set(by_name) == {"Alice", "Bob"}
    assert by_name["Alice"]["agent_id"] == str(w.alice.id)
    return by_name


async def _all_figures(client: httpx.AsyncClient, admin: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {"overview": await _get(client, admin, "overview", **RANGE)}
    out["overview_ny"] = await _get(client, admin, "overview", tz="America/New_York", **RANGE)
    out["agents"] = await _get(client, admin, "agents", **RANGE)
    for metric in (
        "conversations",
        "messages",
        "handoffs",
        "first_response_seconds_p50",
        "csat_average",
        "csat_satisfied_rate",
    ):
        for tz in ("UTC", "America/New_York", "Asia/Kolkata"):
            out[f"{metric}-{tz}"] = await _get(
                client, admin, "trends", metric=metric, interval="day", tz=tz, **RANGE
            )
    out["hourly"] = await _get(
        client,
        admin,
        "trends",
        metric="conversations",
        interval="hour",
        **{"from": "2026-11-02", "to": "2026-11-02"},
    )
    return out


async def test_figures_equal_the_hand_count_raw_and_rolled_up(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    _, admin = await user_headers(client, runtime, "admin")
    w = await build(runtime)

    # 1. before any rollup: figures come from the conversations themselves
    raw = await _all_figures(client, admin)
    overview = raw["overview"]
    assert {k: overview[k] for k in EXPECTED_OVERVIEW} == EXPECTED_OVERVIEW
    assert overview["messages"] == w.messages == 19
    assert overview["tz"] == "UTC" and overview["from"].startswith("2026-11-02T00:00:00")

    agents = _agents(w, raw["agents"]["items"])
    assert agents["Alice"] | {"agent_id": None} == {
        "agent_id": None,
        "name": "Alice",
        "conversations": 2,
        "first_responses": 2,
        "first_response_seconds_p50": 75.0,
        "resolved": 1,
        "resolution_seconds_p50": 1680.0,
        "first_response_business_seconds_p50": 75.0,  # always open by default
        "resolution_business_seconds_p50": 1680.0,
        "csat_average": 4.0,  # c3
        "csat_responses": 1,
        "csat_satisfied_rate": 1.0,
    }
    assert agents["Bob"]["conversations"] == 1
    assert (agents["Bob"]["csat_average"], agents["Bob"]["csat_satisfied_rate"]) == (2.0, 0.0)
    assert agents["Bob"]["first_response_seconds_p50"] == 600.0
    assert agents["Bob"]["resolution_seconds_p50"] == 4200.0
    assert [i["name"] for i in raw["agents"]["items"]] == ["Alice", "Bob"]

    utc = raw["conversations-UTC"]["points"]
    assert [(p["at"], p["value"]) for p in utc] == [
        ("2026-11-02T00:00:00+00:00", 4),
        ("2026-11-03T00:00:00+00:00", 3),
        ("2026-11-04T00:00:00+00:00", 1),
    ]
    ny = raw["conversations-America/New_York"]["points"]
    assert [(p["at"], p["value"]) for p in ny] == [
        ("2026-11-02T00:00:00-05:00", 4),
        ("2026-11-03T00:00:00-05:00", 4),
        ("2026-11-04T00:00:00-05:00", 0),
    ]
    assert raw["overview_ny"]["conversations"] == 8  # 05:00 Nov 2 .. 05:00 Nov 5 UTC
    fr = [p["value"] for p in raw["first_response_seconds_p50-UTC"]["points"]]
    assert fr == [360.0, 30.0, None]  # median of 120 and 600; Alice's 30 s; nobody
    csat = [p["value"] for p in raw["csat_average-UTC"]["points"]]
    assert csat == [3.5, 5.0, None]  # (5 + 3 + 4 + 2) / 4; c8's 5; no ratings
    satisfied = [p["value"] for p in raw["csat_satisfied_rate-UTC"]["points"]]
    assert satisfied == [0.5, 1.0, None]  # 2 of 4; 1 of 1; none
    handoffs = [p["value"] for p in raw["handoffs-UTC"]["points"]]
    assert handoffs == [2, 2, 0]
    hourly = raw["hourly"]["points"]
    assert len(hourly) == 24 and hourly[9] == {"at": "2026-11-02T09:00:00+00:00", "value": 3}
    assert sum(p["value"] for p in hourly) == 4 and hourly[11]["value"] == 1

    # 2. the rollup job (facts, then hourly/daily rows) gives the very same figures
    first = await _rollup(runtime, NOW)
    assert first.conversations == 8 and first.daily_rows > 0
    async with runtime.db.session() as session:
        state = await session.get(AnalyticsState, 1)
        assert state is not None and state.rolled_until == datetime(2026, 11, 20, 11, tzinfo=UTC)
        plan = await query.figures(
            session, [(datetime(2026, 11, 2, tzinfo=UTC), datetime(2026, 11, 5, tzinfo=UTC))]
        )
        assert dict(plan.sources) == {"daily": 1}  # whole closed days: rollups only
    rolled = await _all_figures(client, admin)
    assert rolled == raw

    # 3. re-running changes nothing: the incremental run, and a rebuild of the range
    before = await _snapshot(runtime)
    again = await _rollup(runtime, NOW)
    assert again.facts_changed == 0
    rebuilt = await _rebuild(runtime, date(2026, 11, 1), date(2026, 11, 5))
    assert rebuilt.facts_changed == 0 and rebuilt.conversations == 8
    after = await _snapshot(runtime)
    assert after == before
    assert await _all_figures(client, admin) == raw


async def test_rollups_follow_new_activity_and_a_rebuild_repairs_them(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    _, admin = await user_headers(client, runtime, "admin")
    await build(runtime)
    await _rollup(runtime, NOW)
    # rollup rows deleted behind the job's back: the API would be wrong until a rebuild
    async with runtime.db.session() as session:
        await session.execute(delete(AnalyticsDaily))
        await session.execute(delete(AnalyticsHourly))
        await session.commit()
    broken = await _get(client, admin, "overview", **RANGE)
    assert broken["conversations"] == 0
    result = await _rebuild(runtime, date(2026, 11, 2), date(2026, 11, 4))
    assert result.days == ["2026-11-02", "2026-11-03", "2026-11-04"]
    repaired = await _get(client, admin, "overview", **RANGE)
    assert {k: repaired[k] for k in EXPECTED_OVERVIEW} == EXPECTED_OVERVIEW


async def test_live_conversation_through_the_real_services(
    server: Any, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    """Today, through the widget and REST: raw facts for the current hour, then rolled up."""
    from tests.conversations.helpers import visitor

    admin_user, admin = await user_headers(client, runtime, "admin", name="Ada")
    v, start = await visitor(server.base_url)
    conversation_id = start["conversation_id"]
    await v.disconnect()
    handoff = await client.post(f"/api/v1/conversations/{conversation_id}/handoff", headers=admin)
    assert handoff.status_code == 200, handoff.text
    reply = await client.post(
        f"/api/v1/conversations/{conversation_id}/messages",
        json={"text": "Hello, Ada here", "client_id": "r1"},
        headers=admin,
    )
    assert reply.status_code in (200, 201), reply.text
    resolved = await client.post(f"/api/v1/conversations/{conversation_id}/resolve", headers=admin)
    assert resolved.status_code == 200, resolved.text

    today = await _get(client, admin, "overview")
    assert today["conversations"] == 1 and today["handed_off"] == 1
    assert today["bot_resolved"] == 0 and today["ai_containment_rate"] == 0.0
    assert today["first_response_seconds_p50"] is not None
    assert today["first_response_seconds_p50"] < 60 and today["messages"] == 1
    board = (await _get(client, admin, "agents"))["items"]
    assert [(i["name"], i["conversations"]) for i in board] == [("Ada", 1)]
    assert board[0]["agent_id"] == str(admin_user.id)
    await _rollup(runtime)
    assert await _get(client, admin, "overview") == today
