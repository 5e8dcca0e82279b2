"""``typical_reply_seconds`` in the widget's config: the median first human reply of the last
two weeks, or nothing while there are too few answers to promise anything."""

from __future__ import annotations

import httpx

from baton.analytics.reply_time import MIN_ANSWERS, TypicalReplyCache
from baton.runtime import Runtime
from tests.factories import first_replies


async def typical(client: httpx.AsyncClient) -> float | None:
    response = await client.get("/api/v1/widget/config")
    assert response.status_code == 200
    value = response.json()["typical_reply_seconds"]
    return None if value is None else float(value)


async def test_nothing_is_promised_without_enough_answers(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    runtime.slot(TypicalReplyCache).read_at = float("-inf")
    assert await typical(client) is None
    await first_replies(runtime, [30.0] * (MIN_ANSWERS - 1))
    assert await typical(client) is None


async def test_the_median_of_the_last_two_weeks(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    await first_replies(runtime, [5000.0] * 10, days_ago=20)  # too old to count
    await first_replies(runtime, [40.0, 90.0, 120.0, 200.0, 3600.0])
    assert await typical(client) == 120.0


async def test_the_figure_is_cached_per_process(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    await first_replies(runtime, [60.0] * MIN_ANSWERS)
    assert await typical(client) == 60.0
    await first_replies(runtime, [600.0] * (3 * MIN_ANSWERS), refresh=False)
    assert await typical(client) == 60.0  # every page load does not query the facts
    runtime.slot(TypicalReplyCache).read_at = float("-inf")  # the five minutes are up
    assert await typical(client) == 600.0
