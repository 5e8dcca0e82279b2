"""Bulk import: validate every row, report problems by row and column, write the rest.

Row numbers are the spreadsheet's: the header is row 1, so the first response is row 2.
An unreadable file or a missing required column fails the whole upload before anything is
written; a bad row only skips that row. ``dry_run`` runs every check and writes nothing.
Rows are written in batches of ``BATCH`` (one INSERT per batch), so a 50,000-row file is
a few dozen statements, not 50,000.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from sqlalchemy import insert, select, update

from baton.auth.principal import Principal
from baton.canned import fields, spreadsheet
from baton.canned.models import CannedCategory, CannedResponse, scope_of
from baton.canned.schemas import ImportResult, RowError
from baton.canned.service import check_visibility, known_categories, owner_for
from baton.db.base import utcnow
from baton.kit.ids import uuid7
from baton.kit.uow import UnitOfWork

BATCH = 1_000
MAX_REPORTED_ERRORS = 1_000
FIRST_ROW = 2  # the header is row 1


@dataclass
class Plan:
    creates: list[dict[str, Any]] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    new_categories: set[str] = field(default_factory=set)
    rows: int = 0


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


async def plan(
    uow: UnitOfWork,
    principal: Principal,
    frame: pl.DataFrame,
    *,
    visibility: str,
    upsert: bool,
    create_categories: bool,
) -> Plan:
    owner = owner_for(principal, visibility)
    scope = scope_of(visibility, owner)
    existing: dict[str, uuid.UUID] = {
        s: i
        for s, i in await uow.session.execute(
            select(CannedResponse.shortcut, CannedResponse.id).where(CannedResponse.scope == scope)
        )
    }
    # "Billing" and "billing" are one category: the first spelling stored wins
    categories = {c.lower(): c for c in await known_categories(uow.session)}
    seen: dict[str, int] = {}
    out = Plan()
    now = utcnow()
    for index, (raw_shortcut, raw_title, raw_body, raw_category) in enumerate(frame.iter_rows()):
        row = index + FIRST_ROW
        if all(not _cell(v).strip() for v in (raw_shortcut, raw_title, raw_body, raw_category)):
            continue  # spreadsheets keep blank rows at the end; they are not responses
        out.rows += 1
        shortcut = fields.clean_shortcut(_cell(raw_shortcut))
        body = _cell(raw_body).strip()
        title = _cell(raw_title).strip() or shortcut
        category = _cell(raw_category).strip() or None
        if category:
            category = categories.get(category.lower(), category)
        problems = fields.problems(shortcut, title, body, category)
        if shortcut and not any(c == "shortcut" for c, _ in problems):
            if shortcut in seen:
                problems.append(
                    (
                        "shortcut",
                        f"duplicate shortcut /{shortcut} in the file (row {seen[shortcut]})",
                    )
                )
            elif shortcut in existing and not upsert:
                problems.append(
                    ("shortcut", f"/{shortcut} already exists; import with upsert=true to update")
                )
        if category and category.lower() not in categories and not create_categories:
            problems.append(
                (
                    "category",
                    f"unknown category {category!r}; create it first or import with "
                    "create_categories=true",
                )
            )
        if problems:
            out.errors.extend(RowError(row, column, detail) for column, detail in problems)
            continue
        seen[shortcut] = row
        if category and category.lower() not in categories:
            out.new_categories.add(category)
            categories[category.lower()] = category
        values = {"title": title, "body": body, "category": category, "updated_at": now}
        if shortcut in existing:
            out.updates.append({"id": existing[shortcut], **values})
        else:
            out.creates.append(
                {
                    "id": uuid7(),
                    "shortcut": shortcut,
                    "visibility": visibility,
                    "scope": scope,
                    "owner_id": owner,
                    "created_by_id": principal.user_id,
                    "created_at": now,
                    **values,
                }
            )
    return out


async def write(uow: UnitOfWork, p: Plan) -> None:
    session = uow.session
    if p.new_categories:
        session.add_all(CannedCategory(name=n) for n in sorted(p.new_categories))
        await session.flush()
    for start in range(0, len(p.creates), BATCH):
        await session.execute(insert(CannedResponse), p.creates[start : start + BATCH])
    for start in range(0, len(p.updates), BATCH):
        await session.execute(update(CannedResponse), p.updates[start : start + BATCH])


async def run(
    uow: UnitOfWork,
    principal: Principal,
    *,
    data: bytes,
    filename: str | None,
    mapping: Mapping[str, str] | None,
    visibility: str,
    upsert: bool,
    dry_run: bool,
    create_categories: bool,
) -> ImportResult:
    check_visibility(principal, visibility)
    fmt = spreadsheet.detect_format(filename, data)
    frame = spreadsheet.map_headers(spreadsheet.read_frame(data, fmt), mapping)
    p = await plan(
        uow,
        principal,
        frame,
        visibility=visibility,
        upsert=upsert,
        create_categories=create_categories,
    )
    if not dry_run:
        await write(uow, p)
    return ImportResult(
        created=len(p.creates),
        updated=len(p.updates),
        errors=p.errors[:MAX_REPORTED_ERRORS],
        dry_run=dry_run,
        rows=p.rows,
        error_count=len(p.errors),
    )
