"""Exports: create (queued), run as a job (batches, progress), download by a signed link
that expires, sweep expired files."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update

from baton.analytics import reports
from baton.auth.permissions import Permission
from baton.auth.principal import Principal
from baton.db.base import utcnow
from baton.db.engine import Database
from baton.exports import formats, sources
from baton.exports.models import Export
from baton.kit.errors import DomainError, Forbidden, NotFound, ValidationFailed
from baton.kit.pagination import keyset, page_cursor
from baton.kit.uow import UnitOfWork
from baton.settings import Settings

if TYPE_CHECKING:
    from baton.runtime import Runtime

log = logging.getLogger(__name__)

FILE_TTL = timedelta(hours=24)  # a finished file is kept this long, then swept
LINK_TTL = timedelta(minutes=15)  # a download link is valid this long (and not past the file)
STALE_RUNNING = timedelta(hours=2)  # a job longer than its timeout died with its worker
PROGRESS_EVERY_SECONDS = 0.5


ProgressListener = Callable[[uuid.UUID, int, int], Awaitable[None]]


class ExportProgress:
    """Who hears of a running export's progress in this process
    (``runtime.slot(ExportProgress)``): each listener is awaited with ``(export_id, rows,
    total)`` right after the job has committed the new figures and before it reads the
    next batch, so whoever listens sees what ``GET /api/v1/exports/{id}`` shows."""

    def __init__(self) -> None:
        self.listeners: list[ProgressListener] = []

    async def notify(self, export_id: uuid.UUID, rows: int, total: int) -> None:
        for listener in list(self.listeners):
            await listener(export_id, rows, total)


class LinkInvalid(DomainError):
    status_code = 403
    code = "invalid_link"


def export_dir(settings: Settings) -> Path:
    path = settings.data_dir / "exports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def file_path(settings: Settings, export: Export) -> Path | None:
    if not export.file_name:
        return None
    return export_dir(settings) / export.file_name


# -- create / read -----------------------------------------------------------------------
def check_request(
    principal: Principal, kind: str, fmt: str, start: str | None, end: str | None, tz: str | None
) -> tuple[datetime | None, datetime | None, str]:
    if kind not in sources.KINDS:
        raise ValidationFailed(
            f"kind must be one of {', '.join(sources.KINDS)}", code="invalid_kind"
        )
    if kind not in sources.SUPPORTED_KINDS:
        raise ValidationFailed(
            f"{kind} cannot be exported yet: this workspace has no {kind} domain",
            code="unsupported_kind",
        )
    if fmt not in formats.FORMATS:
        raise ValidationFailed(
            f"format must be one of {', '.join(formats.FORMATS)}", code="invalid_format"
        )
    if kind in ("conversations", "messages") and not principal.has(
        Permission.CONVERSATIONS_READ_ALL
    ):
        # transcripts are not analytics: exporting them needs the right to read them all
        raise Forbidden(f"missing permission: conversations:read_all (to export {kind})")
    zone = reports.parse_tz(tz)
    lo = reports._bound(start, zone, end=False, name="from") if start else None
    hi = reports._bound(end, zone, end=True, name="to") if end else None
    if lo is not None and hi is not None and lo >= hi:
        raise ValidationFailed("from must be before to", code="invalid_range")
    if kind == "analytics":  # checked now, not when the job runs
        sources.analytics_range(sources.Window(lo, hi, zone.key))
    return lo, hi, zone.key


async def create(
    uow: UnitOfWork,
    principal: Principal,
    *,
    kind: str,
    fmt: str,
    start: str | None,
    end: str | None,
    tz: str | None,
) -> Export:
    lo, hi, zone = check_request(principal, kind, fmt, start, end, tz)
    export = Export(
        owner_kind=principal.kind,
        owner_id=principal.id,
        kind=kind,
        format=fmt,
        status="queued",
        range_from=lo,
        range_to=hi,
        timezone=zone,
        created_at=utcnow(),
    )
    uow.session.add(export)
    await uow.session.flush()
    uow.enqueue("exports.run", export_id=str(export.id))
    return export


async def get_owned(uow: UnitOfWork, principal: Principal, export_id: uuid.UUID) -> Export:
    export = await uow.session.get(Export, export_id)
    if export is None or (export.owner_kind, export.owner_id) != (principal.kind, principal.id):
        raise NotFound("no such export")
    return export


async def list_owned(
    uow: UnitOfWork, principal: Principal, *, limit: int, cursor: str | None
) -> tuple[list[Export], str | None]:
    stmt = select(Export).where(
        Export.owner_kind == principal.kind, Export.owner_id == principal.id
    )
    rows = list(
        await uow.session.scalars(
            keyset(stmt, [Export.id], descending=True, cursor=cursor, limit=limit)
        )
    )
    return page_cursor(rows, limit, lambda e: [e.id])


# -- signed links ------------------------------------------------------------------------
def _signature(settings: Settings, export_id: uuid.UUID, expires: int) -> str:
    key = hashlib.sha256(b"baton-export-link:" + settings.secret_key.encode()).digest()
    return hmac.new(key, f"{export_id}.{expires}".encode(), hashlib.sha256).hexdigest()


def download_url(settings: Settings, export: Export, now: datetime | None = None) -> str | None:
    if export.status != "done" or export.expires_at is None:
        return None
    now = now or utcnow()
    until = min(now + LINK_TTL, export.expires_at)
    if until <= now:
        return None
    expires = int(until.timestamp())
    sig = _signature(settings, export.id, expires)
    return f"/api/v1/exports/{export.id}/download?expires={expires}&signature={sig}"


def link_expires_at(url: str | None) -> datetime | None:
    if url is None:
        return None
    expires = int(url.split("expires=", 1)[1].split("&", 1)[0])
    return datetime.fromtimestamp(expires, UTC)


async def open_download(
    uow: UnitOfWork, export_id: uuid.UUID, expires: int, signature: str
) -> tuple[Export, Path]:
    settings = uow.runtime.settings
    expected = _signature(settings, export_id, expires)
    # as bytes: compare_digest refuses str with non-ASCII characters (a forged link's)
    if not hmac.compare_digest(expected.encode(), (signature or "").encode()):
        raise LinkInvalid("this download link is not valid")
    if expires < time.time():
        raise LinkInvalid(
            "this download link has expired; fetch the export again", code="link_expired"
        )
    export = await uow.session.get(Export, export_id)
    path = file_path(settings, export) if export is not None else None
    if export is None or export.status != "done" or path is None or not path.exists():
        raise NotFound("the export file is gone (expired or deleted)", code="export_gone")
    return export, path


def download_name(export: Export) -> str:
    stamp = (export.finished_at or export.created_at).strftime("%Y%m%d-%H%M%S")
    return f"baton-{export.kind}-{stamp}.{export.format}"


# -- the job -----------------------------------------------------------------------------
async def _update(db: Database, export_id: uuid.UUID, **values: Any) -> None:
    async with db.session() as session:
        await session.execute(update(Export).where(Export.id == export_id).values(**values))
        await session.commit()


async def _progress(runtime: Runtime, export: Export, rows: int, total: int) -> None:
    """Record rows done (below 1.0 until the file is in place) and tell the listeners."""
    progress = min(0.99, rows / total) if total else 0.0
    await _update(runtime.db, export.id, rows=rows, progress=progress)
    await runtime.slot(ExportProgress).notify(export.id, rows, total)


async def _write(
    runtime: Runtime, export: Export, window: sources.Window, part: Path, total: int
) -> int:
    writer = formats.open_writer(export.format, part, sources.columns(export.kind))
    rows = 0
    last: float | None = None  # the first batch is recorded at once: the UI moves early
    try:
        async for frame in sources.batches(runtime.db, export.kind, window):
            writer.write(frame)
            rows += frame.height
            if last is None or time.monotonic() - last >= PROGRESS_EVERY_SECONDS:
                last = time.monotonic()
                await _progress(runtime, export, rows, total)
    finally:
        writer.close()
    return rows


async def run(uow: UnitOfWork, export_id: uuid.UUID) -> str:
    """Write the file batch by batch, recording progress; a failure is recorded, not retried
    (the same request would fail the same way)."""
    runtime = uow.runtime
    db = runtime.db
    async with db.session() as session:
        claimed = await session.execute(
            update(Export)
            .where(Export.id == export_id, Export.status == "queued")
            .values(status="running", started_at=utcnow())
        )
        await session.commit()
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            return "skipped"  # already run (a duplicate delivery) or gone
        export = await session.get(Export, export_id)
    assert export is not None
    directory = export_dir(runtime.settings)
    name = f"{export.id}.{export.format}"
    part = directory / f"{name}.part"
    window = sources.Window(export.range_from, export.range_to, export.timezone)
    try:
        total = await sources.count(db, export.kind, window)
        if export.format == "xlsx" and total > formats.XLSX_MAX_ROWS:
            raise ValueError(f"an xlsx sheet holds at most {formats.XLSX_MAX_ROWS:,} rows; use csv")
        await _update(db, export.id, total_rows=total)
        # no COPY on PostgreSQL: texts and visitor details are sealed, only the process opens them
        rows = await _write(runtime, export, window, part, total)
        part.replace(directory / name)
        now = utcnow()
        await _update(
            db,
            export.id,
            status="done",
            rows=rows,
            total_rows=max(total, rows),
            progress=1.0,
            file_name=name,
            size_bytes=(directory / name).stat().st_size,
            finished_at=now,
            expires_at=now + FILE_TTL,
        )
        return "done"
    except Exception as exc:
        log.warning("export failed", extra={"export_id": str(export.id), "error": str(exc)})
        with contextlib.suppress(OSError):
            part.unlink(missing_ok=True)
        await _update(
            db,
            export.id,
            status="failed",
            error=str(exc)[:300] or type(exc).__name__,
            finished_at=utcnow(),
        )
        return "failed"


async def sweep(uow: UnitOfWork, now: datetime | None = None) -> int:
    """Delete expired files (the row stays, status ``expired``); fail runs whose worker died."""
    now = now or utcnow()
    settings = uow.runtime.settings
    expired = list(
        await uow.session.scalars(
            select(Export).where(Export.status == "done", Export.expires_at <= now).limit(500)
        )
    )
    for export in expired:
        path = file_path(settings, export)
        if path is not None:
            with contextlib.suppress(OSError):
                path.unlink(missing_ok=True)
        export.status = "expired"
    await uow.session.execute(
        update(Export)
        .where(Export.status == "running", Export.started_at < now - STALE_RUNNING)
        .values(status="failed", error="the export was interrupted", finished_at=now)
    )
    await uow.session.flush()
    return len(expired)
