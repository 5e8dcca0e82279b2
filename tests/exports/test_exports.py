"""Exports as jobs: every format holds exactly the rows the lists show, formula cells are
neutralised, progress and the signed link work, files expire, bad input is a clear 4xx."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
import time
import zipfile
from datetime import timedelta
from typing import Any
from xml.etree import ElementTree

import httpx
import pytest
from sqlalchemy import update

from baton.db.base import utcnow
from baton.exports import service as exports
from baton.exports import sources
from baton.exports.models import Export
from baton.jobs.queues import InProcessQueue
from baton.kit.uow import unit_of_work
from baton.runtime import Runtime
from tests.analytics.workload import build
from tests.factories import user_headers

FORMATS = ("csv", "json", "ndjson", "xlsx")


async def wait_done(
    client: httpx.AsyncClient, runtime: Runtime, headers: dict[str, str], export_id: str
) -> dict[str, Any]:
    """Until the job has finished: drained in-process, polled when the worker runs it."""
    if isinstance(runtime.jobs, InProcessQueue):
        await runtime.jobs.drain(timeout=30)
    deadline = time.monotonic() + 60
    while True:
        r = await client.get(f"/api/v1/exports/{export_id}", headers=headers)
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        if body["status"] in ("done", "failed"):
            return body
        assert time.monotonic() < deadline, body
        await asyncio.sleep(0.05)


async def create(client: httpx.AsyncClient, headers: dict[str, str], **body: Any) -> httpx.Response:
    return await client.post("/api/v1/exports", json=body, headers=headers)


def xlsx_rows(content: bytes) -> list[list[str]]:
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        shared: list[str] = []
        if "xl/sharedStrings.xml" in z.namelist():
            root = ElementTree.fromstring(z.read("xl/sharedStrings.xml"))
            shared = ["".join(t.text or "" for t in si.iter(f"{{{ns['m']}}}t")) for si in root]
        sheet = ElementTree.fromstring(z.read("xl/worksheets/sheet1.xml"))
    rows = []
    for row in sheet.iter(f"{{{ns['m']}}}row"):
        values: dict[int, str] = {}
        for c in row.iter(f"{{{ns['m']}}}c"):
            column = _column(c.get("r") or "A1")
            kind = c.get("t")
            if kind == "s":
                values[column] = shared[int(c.find("m:v", ns).text or 0)]  # type: ignore[union-attr]
            elif kind == "inlineStr":
                values[column] = "".join(t.text or "" for t in c.iter(f"{{{ns['m']}}}t"))
            else:
                v = c.find("m:v", ns)
                values[column] = v.text if v is not None and v.text is not None else ""
        width = max(values, default=-1) + 1
        rows.append([values.get(i, "") for i in range(width)])
    return rows


def _column(ref: str) -> int:
    """A1 -> 0, B7 -> 1, AA3 -> 26 (empty cells are not written, so go by reference)."""
    n = 0
    for ch in ref:
        if not ch.isalpha():
            break
        n = n * 26 + (ord(ch.upper()) - 64)
    return n - 1


def parse(fmt: str, content: bytes) -> list[dict[str, Any]]:
    if fmt == "csv":
        return list(csv.DictReader(io.StringIO(content.decode())))
    if fmt == "json":
        data: list[dict[str, Any]] = json.loads(content)
        return data
    if fmt == "ndjson":
        return [json.loads(line) for line in content.decode().splitlines() if line]
    header, *rows = xlsx_rows(content)
    return [dict(zip(header, r, strict=False)) for r in rows]


async def download(client: httpx.AsyncClient, body: dict[str, Any]) -> httpx.Response:
    url = body["download_url"]
    assert url and url.startswith(f"/api/v1/exports/{body['id']}/download?")
    return await client.get(url)  # no bearer: the signature is the authority


@pytest.mark.parametrize("fmt", FORMATS)
async def test_messages_and_conversations_in_every_format(
    client: httpx.AsyncClient, runtime: Runtime, fmt: str
) -> None:
    _, admin = await user_headers(client, runtime, "admin")
    w = await build(runtime)
    listed: set[str] = set()
    for cid in w.conversations.values():
        page = await client.get(
            f"/api/v1/conversations/{cid}/messages", params={"limit": 200}, headers=admin
        )
        assert page.status_code == 200, page.text
        listed |= {m["id"] for m in page.json()["items"]}

    created = await create(client, admin, kind="messages", format=fmt)
    assert created.status_code == 201, created.text
    assert created.json()["status"] == "queued"
    body = await wait_done(client, runtime, admin, created.json()["id"])
    assert body["status"] == "done", body
    assert body["rows"] == body["total_rows"] == len(listed) and body["progress"] == 1.0
    assert body["kind"] == "messages" and body["format"] == fmt
    response = await download(client, body)
    assert response.status_code == 200
    assert response.headers["x-content-type-options"] == "nosniff"
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment;") and f".{fmt}" in disposition
    rows = parse(fmt, response.content)
    assert {r["id"] for r in rows} == listed and len(rows) == len(listed)
    texts = {r["text"] for r in rows}
    if fmt in ("csv", "xlsx"):  # spreadsheet formats: formula-like cells are neutralised
        assert '\'=HYPERLINK("http://x")' in texts and "'+1 555 0100 call me" in texts
        assert "'@everyone hi" in texts and not any(t[:1] in "=+-@" for t in texts)
    else:  # data formats carry the text as it is
        assert '=HYPERLINK("http://x")' in texts and "@everyone hi" in texts

    conversations = await create(
        client,
        admin,
        kind="conversations",
        format=fmt,
        **{"from": "2026-11-03", "to": "2026-11-03"},
    )
    body = await wait_done(client, runtime, admin, conversations.json()["id"])
    assert body["status"] == "done", body
    page = await client.get(
        "/api/v1/conversations",
        params={"status": "bot,waiting,agent,resolved", "include_empty": "true", "limit": 200},
        headers=admin,
    )
    on_day2 = {c["id"] for c in page.json()["items"] if c["created_at"].startswith("2026-11-03")}
    exported = parse(fmt, (await download(client, body)).content)
    assert {r["id"] for r in exported} == on_day2 and len(on_day2) == 3
    assert body["rows"] == 3


async def test_analytics_export_matches_the_trends(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    _, admin = await user_headers(client, runtime, "admin")
    await build(runtime)
    window = {"from": "2026-11-02", "to": "2026-11-04", "tz": "America/New_York"}
    created = await create(client, admin, kind="analytics", format="json", **window)
    body = await wait_done(client, runtime, admin, created.json()["id"])
    assert body["status"] == "done" and body["rows"] == 3, body
    rows = parse("json", (await download(client, body)).content)
    trend = await client.get(
        "/api/v1/analytics/trends", params={"metric": "conversations", **window}, headers=admin
    )
    assert [r["conversations"] for r in rows] == [p["value"] for p in trend.json()["points"]]
    assert [r["day"] for r in rows] == ["2026-11-02", "2026-11-03", "2026-11-04"]
    assert sum(r["conversations"] for r in rows) == 8
    ratings = sum(r["csat_responses"] for r in rows)
    assert (ratings, sum(r["csat_satisfied"] for r in rows)) == (5, 3)


@pytest.mark.parametrize("fmt", ["csv", "ndjson"])
async def test_progress_is_seen_part_way(
    client: httpx.AsyncClient, runtime: Runtime, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    """Batches of 5 rows, and a progress listener that holds the job on an event after the
    first batch: meanwhile the REST status shows it running with some rows of the total done."""
    user, admin = await user_headers(client, runtime, "admin")
    await build(runtime)
    monkeypatch.setattr(sources, "BATCH", 5)
    # stored as POST /api/v1/exports stores it, and run here instead of by the queue, so the
    # listener is in the process that runs the job on both backends
    async with runtime.db.session() as session:
        export = Export(
            owner_kind="user",
            owner_id=user.id,
            kind="messages",
            format=fmt,
            status="queued",
            timezone="UTC",
            created_at=utcnow(),
        )
        session.add(export)
        await session.commit()
    paused, release = asyncio.Event(), asyncio.Event()
    heard: list[tuple[int, int]] = []

    async def hold_after_first_batch(export_id: Any, rows: int, total: int) -> None:
        if export_id != export.id:
            return
        heard.append((rows, total))
        if len(heard) == 1:
            paused.set()
            await release.wait()

    async def run() -> str:
        async with unit_of_work(runtime) as uow:
            return await exports.run(uow, export.id)

    listeners = runtime.slot(exports.ExportProgress).listeners
    listeners.append(hold_after_first_batch)
    try:
        job = asyncio.create_task(run())
        await asyncio.wait_for(paused.wait(), timeout=30)
        part_way = (await client.get(f"/api/v1/exports/{export.id}", headers=admin)).json()
        assert part_way["status"] == "running", part_way
        assert part_way["rows"] == 5 and part_way["total_rows"] > 5, part_way
        assert 0 < part_way["progress"] < 1 and part_way["download_url"] is None
        release.set()
        assert await asyncio.wait_for(job, timeout=30) == "done"
    finally:
        release.set()
        listeners.remove(hold_after_first_batch)
    done = (await client.get(f"/api/v1/exports/{export.id}", headers=admin)).json()
    assert done["status"] == "done" and done["progress"] == 1.0, done
    assert done["rows"] == done["total_rows"] == part_way["total_rows"]
    assert heard[0] == (5, done["total_rows"])  # later batches report every half second
    assert len(parse(fmt, (await download(client, done)).content)) == done["rows"]


async def test_links_are_signed_owned_and_expire(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    _, admin = await user_headers(client, runtime, "admin")
    _, other = await user_headers(client, runtime, "admin")
    await build(runtime)
    created = await create(client, admin, kind="messages", format="ndjson")
    export_id = created.json()["id"]
    body = await wait_done(client, runtime, admin, export_id)
    url = body["download_url"]

    # only the owner sees it, in their list too
    assert (await client.get(f"/api/v1/exports/{export_id}", headers=other)).status_code == 404
    mine = (await client.get("/api/v1/exports", headers=admin)).json()
    assert [e["id"] for e in mine["items"]] == [export_id] and mine["next_cursor"] is None
    assert (await client.get("/api/v1/exports", headers=other)).json()["items"] == []

    # a tampered signature or expiry is refused
    bad_sig = re.sub(r"signature=[0-9a-f]{4}", "signature=0000", url)
    r = await client.get(bad_sig)
    assert r.status_code == 403 and r.json()["error"] == "invalid_link"
    # a forged signature with non-ASCII characters is refused the same way, not a 500
    forged = re.sub(r"signature=[0-9a-f]+", "signature=%C3%A9t%C3%A9", url)
    r = await client.get(forged)
    assert r.status_code == 403 and r.json()["error"] == "invalid_link"
    later = re.sub(r"expires=(\d+)", lambda m: f"expires={int(m.group(1)) + 3600}", url)
    assert (await client.get(later)).json()["error"] == "invalid_link"
    past = int(time.time()) - 10
    old = exports._signature(runtime.settings, body_id := __import__("uuid").UUID(export_id), past)
    r = await client.get(
        f"/api/v1/exports/{body_id}/download", params={"expires": past, "signature": old}
    )
    assert r.status_code == 403 and r.json()["error"] == "link_expired"

    # the file expires: the sweep deletes it, the link stops working
    async with runtime.db.session() as session:
        await session.execute(
            update(Export)
            .where(Export.id == body_id)
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
        await session.commit()
    path = runtime.settings.data_dir / "exports" / f"{export_id}.ndjson"
    assert path.exists()
    async with unit_of_work(runtime) as uow:
        assert await exports.sweep(uow) == 1
    assert not path.exists()
    gone = (await client.get(f"/api/v1/exports/{export_id}", headers=admin)).json()
    assert gone["status"] == "expired" and gone["download_url"] is None
    assert (await client.get(url)).status_code == 404


BAD: list[tuple[dict[str, Any], int, str]] = [
    ({"kind": "invoices", "format": "csv"}, 422, "invalid_kind"),
    ({"kind": "messages", "format": "pdf"}, 422, "invalid_format"),
    (
        {"kind": "messages", "format": "csv", "from": "2026-11-05", "to": "2026-11-01"},
        422,
        "invalid_range",
    ),
    ({"kind": "messages", "format": "csv", "from": "not a date"}, 422, "invalid_range"),
    ({"kind": "messages", "format": "csv", "tz": "Nowhere/Land"}, 422, "invalid_timezone"),
    ({"kind": "analytics", "format": "csv", "from": "2000-01-01"}, 422, "range_too_long"),
    ({"kind": "messages", "format": "csv", "colour": "red"}, 400, "bad_request"),
    ({"format": "csv"}, 400, "bad_request"),
]


@pytest.mark.parametrize(("body", "status", "code"), BAD)
async def test_bad_requests_are_refused_and_store_nothing(
    client: httpx.AsyncClient, runtime: Runtime, body: dict[str, Any], status: int, code: str
) -> None:
    _, admin = await user_headers(client, runtime, "admin")
    r = await create(client, admin, **body)
    assert r.status_code in (status, 422 if status == 400 else status), r.text
    if status == 422:
        assert r.json()["error"] == code
    assert (await client.get("/api/v1/exports", headers=admin)).json()["items"] == []


async def test_permissions(client: httpx.AsyncClient, runtime: Runtime) -> None:
    _, agent = await user_headers(client, runtime, "agent")
    assert (await create(client, agent, kind="analytics", format="csv")).status_code == 403
    assert (await client.get("/api/v1/exports", headers=agent)).status_code == 403
    assert (await client.post("/api/v1/exports", json={"kind": "messages"})).status_code == 401
    r = await client.get("/api/v1/exports/01930000-0000-7000-8000-000000000000/download")
    assert r.status_code in (400, 422)  # no signature at all
    _, admin = await user_headers(client, runtime, "admin")
    for path in (
        "/api/v1/exports/not-an-id",
        "/api/v1/exports/not-an-id/download?expires=1&signature=x",
    ):
        assert (await client.get(path, headers=admin)).status_code in (400, 404, 422)
    r = await client.get(
        "/api/v1/exports/01930000-0000-7000-8000-000000000000/download",
        params={"expires": "soon", "signature": "x"},
    )
    assert r.status_code in (400, 422)
    r = await client.get("/api/v1/exports", params={"limit": 0}, headers=admin)
    assert r.status_code == 422 and r.json()["error"] == "invalid_limit"
