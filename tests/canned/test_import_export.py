"""Spreadsheet import and export: row-level errors, dry runs, upserts, broken files."""

from __future__ import annotations

import io
from typing import Any

import httpx
import polars as pl
from sqlalchemy import func, select

from baton.canned.models import CannedResponse
from baton.runtime import Runtime
from tests.factories import user_headers

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx(frame: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.write_excel(buffer)
    return buffer.getvalue()


async def upload(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    content: bytes,
    filename: str,
    mapping: str | None = None,
    **params: Any,
) -> httpx.Response:
    data = {"mapping": mapping} if mapping else None
    return await client.post(
        "/api/v1/canned-responses/import",
        params={k: str(v).lower() for k, v in params.items()},
        files={"file": (filename, content, XLSX if filename.endswith("xlsx") else "text/csv")},
        data=data,
        headers=headers,
    )


async def count(runtime: Runtime) -> int:
    async with runtime.db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(CannedResponse)) or 0)


async def test_five_thousand_rows_with_three_bad_ones(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    _, admin = await user_headers(client, runtime, role="admin")
    rows = [
        {
            "Shortcut": f"answer-{i}",
            "Title": f"Answer {i}",
            "Body": f"Body {i}",
            "Category": "billing",
        }
        for i in range(5_000)
    ]
    rows[1]["Category"] = "Billing"  # case aside, the known category
    rows[10]["Body"] = ""  # sheet row 12: empty body
    rows[2_000]["Shortcut"] = "answer-5"  # sheet row 2002: duplicate in the file
    rows[4_999]["Category"] = "astrology"  # sheet row 5001: unknown category
    content = xlsx(pl.DataFrame(rows))
    # the category exists once a response names it
    made = await client.post(
        "/api/v1/canned-responses",
        json={
            "shortcut": "seed",
            "title": "s",
            "body": "b",
            "category": "billing",
            "visibility": "global",
        },
        headers=admin,
    )
    assert made.status_code == 201

    dry = await upload(client, admin, content, "answers.xlsx", dry_run=True)
    assert dry.status_code == 200, dry.text
    assert (dry.json()["created"], dry.json()["updated"]) == (4_997, 0)
    assert await count(runtime) == 1  # a dry run writes nothing

    result = await upload(client, admin, content, "answers.xlsx")
    assert result.status_code == 200, result.text
    body = result.json()
    assert (body["created"], body["updated"], body["rows"]) == (4_997, 0, 5_000)
    assert [(e["row"], e["column"]) for e in body["errors"]] == [
        (12, "body"),
        (2002, "shortcut"),
        (5001, "category"),
    ]
    assert "duplicate" in body["errors"][1]["detail"] and "row 7" in body["errors"][1]["detail"]
    assert await count(runtime) == 4_998

    # again: every shortcut exists now; with upsert they update instead
    again = (await upload(client, admin, content, "answers.xlsx")).json()
    assert again["created"] == 0 and again["error_count"] == 5_000
    assert len(again["errors"]) == 1_000  # the first thousand are listed
    upserted = (await upload(client, admin, content, "answers.xlsx", upsert=True)).json()
    assert (upserted["created"], upserted["updated"]) == (0, 4_997)
    audit = (await client.get("/api/v1/audit?action=canned.imported", headers=admin)).json()
    assert len(audit["items"]) == 2


async def test_a_broken_file_is_a_clear_4xx_and_writes_nothing(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    _, admin = await user_headers(client, runtime, role="admin")
    broken = await upload(client, admin, b"PK\x03\x04 this is no workbook", "answers.xlsx")
    assert broken.status_code == 400 and broken.json()["error"] == "unreadable_file"
    empty = await upload(client, admin, b"", "answers.csv")
    assert empty.status_code == 400 and empty.json()["error"] == "unreadable_file"
    latin = await upload(client, admin, "shortcut,body\ncafé,x\n".encode("latin-1"), "a.csv")
    assert latin.status_code == 400 and latin.json()["error"] == "unreadable_file"
    no_body = await upload(client, admin, b"shortcut,title\na,b\n", "a.csv")
    assert no_body.status_code == 422 and no_body.json()["error"] == "missing_columns"
    pdf = await upload(client, admin, b"%PDF-1.4", "a.pdf")
    assert pdf.status_code == 400
    assert await count(runtime) == 0


async def test_header_mapping_and_agents_import_personal_only(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    _, dana = await user_headers(client, runtime)
    csv = b"Key,Answer text,Name\nhello,Hello there!,Greeting\n"
    refused = await upload(
        client, dana, csv, "a.csv", mapping='{"Key": "shortcut", "Answer text": "body"}'
    )
    assert refused.status_code == 403  # a global import needs canned:manage
    done = await upload(
        client,
        dana,
        csv,
        "a.csv",
        mapping='{"Key": "shortcut", "Answer text": "body"}',
        visibility="personal",
    )
    assert done.status_code == 200, done.text
    assert done.json()["created"] == 1
    item = (await client.get("/api/v1/canned-responses", headers=dana)).json()["items"][0]
    assert (item["shortcut"], item["title"], item["body"], item["visibility"]) == (
        "hello",
        "Greeting",
        "Hello there!",
        "personal",
    )
    bad = await upload(client, dana, csv, "a.csv", mapping='{"Key": "nope"}', visibility="personal")
    assert bad.status_code == 422 and bad.json()["error"] == "invalid_mapping"


async def test_export_round_trips(client: httpx.AsyncClient, runtime: Runtime) -> None:
    _, admin = await user_headers(client, runtime, role="admin")
    tricky = [
        ("refund", "Refunds", '=SUM(A1) is not a formula here\nline two, with "quotes"', "billing"),
        ("hello", "Hi", "Hello {{visitor.name}}!", None),
        ("404", "Numbers stay text", "-5 degrees", None),
    ]
    for shortcut, title, body, category in tricky:
        r = await client.post(
            "/api/v1/canned-responses",
            json={
                "shortcut": shortcut,
                "title": title,
                "body": body,
                "category": category,
                "visibility": "global",
            },
            headers=admin,
        )
        assert r.status_code == 201, r.text
    before = sorted(
        (c["shortcut"], c["title"], c["body"], c["category"])
        for c in (await client.get("/api/v1/canned-responses", headers=admin)).json()["items"]
    )
    for fmt in ("xlsx", "csv"):
        exported = await client.get(f"/api/v1/canned-responses/export?format={fmt}", headers=admin)
        assert exported.status_code == 200
        assert "attachment" in exported.headers["content-disposition"]
        # wipe and import the export: the same responses come back
        for c in (await client.get("/api/v1/canned-responses", headers=admin)).json()["items"]:
            await client.delete(f"/api/v1/canned-responses/{c['id']}", headers=admin)
        result = await upload(client, admin, exported.content, f"export.{fmt}")
        assert result.status_code == 200, result.text
        assert result.json()["created"] == 3 and result.json()["errors"] == [], result.text
        after = sorted(
            (c["shortcut"], c["title"], c["body"], c["category"])
            for c in (await client.get("/api/v1/canned-responses", headers=admin)).json()["items"]
        )
        assert after == before, fmt


async def test_a_file_larger_than_the_json_body_limit_imports(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    _, admin = await user_headers(client, runtime, role="admin")
    frame = pl.DataFrame(
        {"shortcut": [f"long-{i}" for i in range(3_000)], "body": ["x" * 600] * 3_000}
    )
    content = frame.write_csv().encode()
    assert len(content) > runtime.settings.max_body_bytes  # 1 MiB for JSON bodies
    result = await upload(client, admin, content, "long.csv")
    assert result.status_code == 200, result.text
    assert result.json()["created"] == 3_000
