"""Business-hours durations beside wall-clock ones: first response and resolution counted
over the team's open time only, across a closed night and a weekend, from raw facts and
from rollups, on both backends (fixed timestamps; the rollup runs at a fixed ``now``)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from baton.analytics import facts as F
from baton.analytics import rollups
from baton.analytics.query import figures
from baton.hours import schedule as rules
from baton.runtime import Runtime
from tests.analytics.workload import Builder, Workload, forget_rollups, reset_analytics
from tests.factories import make_user, user_headers

PARIS = ZoneInfo("Europe/Paris")
NINE_TO_FIVE = [{"start": "09:00", "end": "17:00"}]
HOURS = {
    "timezone": "Europe/Paris",
    "weekly": {d: NINE_TO_FIVE for d in ("mon", "tue", "wed", "thu", "fri")}
    | {
        "sat": [],
        "sun": [],
    },
    "holidays": [{"date": "2026-11-11", "name": "Armistice"}],
    "override": None,
}
SCHEDULE = rules.Schedule(
    timezone="Europe/Paris",
    weekly={d: (rules.Interval(9 * 60, 17 * 60),) for d in ("mon", "tue", "wed", "thu", "fri")},
    holidays={date(2026, 11, 11): "Armistice"},
)
RANGE = {"from": "2026-11-02", "to": "2026-11-15", "tz": "Europe/Paris"}
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def paris(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=PARIS).astimezone(UTC)


def test_open_seconds_across_a_night_a_weekend_and_a_holiday() -> None:
    # Tuesday 16:50 -> Wednesday 09:10: 10 minutes before closing, 10 after opening
    assert rules.open_seconds(SCHEDULE, paris(3, 16, 50), paris(4, 9, 10)) == 1200
    # Friday 16:30 -> Monday 09:15: the weekend counts for nothing
    assert rules.open_seconds(SCHEDULE, paris(6, 16, 30), paris(9, 9, 15)) == 2700
    # Tuesday 16:00 -> Thursday 10:00 with Wednesday a holiday: 1 h + 1 h
    assert rules.open_seconds(SCHEDULE, paris(10, 16), paris(12, 10)) == 7200
    # all inside one open span, all inside the night, and an empty or reversed span
    assert rules.open_seconds(SCHEDULE, paris(3, 10), paris(3, 10, 30)) == 1800
    assert rules.open_seconds(SCHEDULE, paris(3, 18), paris(4, 8)) == 0
    assert rules.open_seconds(SCHEDULE, paris(4, 8), paris(3, 18)) == 0
    # the override is a switch for now, not history: durations follow the schedule
    closed = rules.Schedule(SCHEDULE.timezone, SCHEDULE.weekly, SCHEDULE.holidays, "closed")
    assert rules.open_seconds(closed, paris(3, 10), paris(3, 10, 30)) == 1800
    # around the clock (the default) is the wall clock, DST nights included
    always = rules.Schedule(
        timezone="Europe/Paris",
        weekly={d: (rules.Interval(0, 24 * 60),) for d in rules.DAYS},
    )
    spring = (paris(3, 10), datetime(2027, 3, 29, 10, tzinfo=PARIS).astimezone(UTC))
    assert rules.open_seconds(always, *spring) == (spring[1] - spring[0]).total_seconds()
    with_holiday = rules.Schedule(always.timezone, always.weekly, {date(2026, 11, 11): "x"})
    assert rules.open_seconds(with_holiday, paris(10, 12), paris(12, 12)) == 86400


def test_facts_carry_both_durations() -> None:
    cid = F.ConversationRow(id=uuid.uuid4(), created_at=paris(6, 16))
    moves = [
        F.StatusMove(paris(6, 16, 30), "bot", "waiting", None, "visitor_requested"),
        F.StatusMove(paris(9, 9, 15), "waiting", "agent", None, "take_over"),
        F.StatusMove(paris(9, 10), "agent", "resolved", None, None),
    ]
    replies = [F.AgentReply(paris(9, 9, 15), None)]
    by_kind = {f.kind: f for f in F.derive(cid, moves, replies, SCHEDULE)}
    first, resolved = by_kind[F.FIRST_RESPONSE], by_kind[F.RESOLVED]
    assert (first.value_seconds, first.business_seconds) == (233100, 2700)
    assert (resolved.value_seconds, resolved.business_seconds) == (237600, 7200)
    # without a schedule there is no business figure (not a copy of the wall clock)
    plain = {f.kind: f for f in F.derive(cid, moves, replies)}
    assert plain[F.FIRST_RESPONSE].business_seconds is None


async def _workload(runtime: Runtime) -> Workload:
    await reset_analytics(runtime)
    alice = await make_user(runtime, name="Alice")
    w = Workload(alice, alice)
    async with runtime.db.session() as session:
        await forget_rollups(session)
        b = Builder(session, w)
        # weekend: opened Friday 16:00, handed off 16:30, answered Monday 09:15,
        # resolved Monday 10:00 -> first response 233100 s wall / 2700 s open,
        # resolution 237600 s wall / 7200 s open
        wk = b.conversation("weekend", paris(6, 16), "resolved")
        b.say(wk, paris(6, 16, 1), "visitor", "help")
        b.move(wk, paris(6, 16, 30), "bot", "waiting", actor="visitor", reason="visitor_requested")
        b.move(wk, paris(9, 9, 14), "waiting", "agent", assignee=alice, actor="agent")
        b.say(wk, paris(9, 9, 15), "agent", "Good morning", author=alice)
        b.move(wk, paris(9, 10), "agent", "resolved", assignee=alice, actor="agent")
        # night: opened Tuesday 16:40, handed off 16:50, answered Wednesday 09:10,
        # resolved 09:40 -> first response 58800 s / 1200 s, resolution 61200 s / 3600 s
        nt = b.conversation("night", paris(3, 16, 40), "resolved")
        b.say(nt, paris(3, 16, 41), "visitor", "anyone?")
        b.move(nt, paris(3, 16, 50), "bot", "waiting", actor="visitor", reason="visitor_requested")
        b.move(nt, paris(4, 9, 5), "waiting", "agent", assignee=alice, actor="agent")
        b.say(nt, paris(4, 9, 10), "agent", "Hello", author=alice)
        b.move(nt, paris(4, 9, 40), "agent", "resolved", assignee=alice, actor="agent")
        await b.flush()
        await session.commit()
    return w


EXPECTED = {
    "first_response_seconds_p50": (233100 + 58800) / 2,
    "first_response_business_seconds_p50": (2700 + 1200) / 2,
    "first_response_business_seconds_p90": 1200 + 0.9 * (2700 - 1200),
    "resolution_seconds_p50": (237600 + 61200) / 2,
    "resolution_business_seconds_p50": (7200 + 3600) / 2,
}


async def _overview(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    response = await client.get("/api/v1/analytics/overview", params=RANGE, headers=headers)
    assert response.status_code == 200, response.text
    return {k: v for k, v in response.json().items() if k in EXPECTED}


async def test_business_hours_durations_raw_and_rolled_up(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    _, admin = await user_headers(client, runtime, "admin")
    saved = await client.put("/api/v1/business-hours", json=HOURS, headers=admin)
    assert saved.status_code == 200, saved.text
    w = await _workload(runtime)

    # before any rollup: facts derived live, with the workspace's schedule
    assert await _overview(client, admin) == EXPECTED

    # after a rollup: stored facts and hourly/daily histograms give the same figures
    async with runtime.db.session() as session:
        await rollups.run_incremental(session, now=NOW)
        await session.commit()
    async with runtime.db.session() as session:
        fig = await figures(session, [(paris(2, 0), paris(16, 0))])
        assert fig.sources.get("daily", 0) > 0 and "live" not in fig.sources
    assert await _overview(client, admin) == EXPECTED

    agents = await client.get("/api/v1/analytics/agents", params=RANGE, headers=admin)
    (row,) = agents.json()["items"]
    assert row["agent_id"] == str(w.alice.id)
    assert row["first_response_business_seconds_p50"] == 1950.0
    assert row["resolution_business_seconds_p50"] == 5400.0
    assert row["first_response_seconds_p50"] == 145950.0

    # a narrower window (the night only) from the rollups
    night = await client.get(
        "/api/v1/analytics/overview",
        params={"from": "2026-11-03", "to": "2026-11-04", "tz": "Europe/Paris"},
        headers=admin,
    )
    body = night.json()
    assert body["first_response_business_seconds_p50"] == 1200.0
    assert body["resolution_business_seconds_p50"] == 3600.0
    assert body["first_response_seconds_p50"] == 58800.0


async def test_always_open_default_equals_the_wall_clock(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    """A fresh install is open around the clock: both figures are the same."""
    _, admin = await user_headers(client, runtime, "admin")
    await _workload(runtime)
    figures_ = await _overview(client, admin)
    assert figures_["first_response_business_seconds_p50"] == figures_["first_response_seconds_p50"]
    assert figures_["resolution_business_seconds_p50"] == figures_["resolution_seconds_p50"]
