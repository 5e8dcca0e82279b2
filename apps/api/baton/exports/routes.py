"""Exports REST: create, list, status with a signed download link, download, and the
streamed messages CSV."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

import msgspec
from litestar import Controller, get, post
from litestar.params import QueryParameter
from litestar.response import File, Stream

from baton.analytics.service import check_range
from baton.auth.edge import PUBLIC, requires
from baton.auth.permissions import Permission
from baton.auth.principal import Principal
from baton.exports import service, stream
from baton.exports.formats import CONTENT_TYPES
from baton.exports.models import Export
from baton.kit.http import binary_operation, errors
from baton.kit.pagination import check_limit
from baton.kit.uow import UnitOfWork
from baton.runtime import Runtime
from baton.settings import Settings


class ExportIn(msgspec.Struct, forbid_unknown_fields=True):
    kind: str
    format: str = "csv"
    start: str | None = msgspec.field(default=None, name="from")
    end: str | None = msgspec.field(default=None, name="to")
    tz: str | None = None


class ExportCreated(msgspec.Struct):
    id: uuid.UUID
    status: str


class ExportOut(msgspec.Struct):
    id: uuid.UUID
    kind: str
    format: str
    status: str  # queued | running | done | failed | expired
    rows: int
    total_rows: int | None
    progress: float
    download_url: str | None
    download_expires_at: datetime | None
    expires_at: datetime | None
    size_bytes: int | None
    error: str | None
    created_at: datetime
    finished_at: datetime | None
    start: datetime | None = msgspec.field(name="from")
    end: datetime | None = msgspec.field(name="to")
    tz: str = "UTC"


class ExportList(msgspec.Struct):
    items: list[ExportOut]
    next_cursor: str | None


def export_out(settings: Settings, e: Export) -> ExportOut:
    url = service.download_url(settings, e)
    return ExportOut(
        id=e.id,
        kind=e.kind,
        format=e.format,
        status=e.status,
        rows=e.rows,
        total_rows=e.total_rows,
        progress=round(e.progress, 4),
        download_url=url,
        download_expires_at=service.link_expires_at(url),
        expires_at=e.expires_at,
        size_bytes=e.size_bytes,
        error=e.error,
        created_at=e.created_at,
        finished_at=e.finished_at,
        start=e.range_from,
        end=e.range_to,
        tz=e.timezone,
    )


_analytics = [requires(Permission.ANALYTICS_READ)]


class ExportsController(Controller):
    path = "/api/v1/exports"
    tags = ["exports"]

    @post("/", guards=_analytics, responses=errors(403))
    async def create(self, uow: UnitOfWork, principal: Principal, data: ExportIn) -> ExportCreated:
        """Queue an export (kinds conversations, messages, analytics, tickets)."""
        export = await service.create(
            uow,
            principal,
            kind=data.kind,
            fmt=data.format,
            start=data.start,
            end=data.end,
            tz=data.tz,
        )
        return ExportCreated(export.id, export.status)

    @get("/", guards=_analytics, responses=errors(403))
    async def list_exports(
        self, uow: UnitOfWork, principal: Principal, limit: int = 50, cursor: str | None = None
    ) -> ExportList:
        """The caller's exports, newest first."""
        items, next_cursor = await service.list_owned(
            uow, principal, limit=check_limit(limit), cursor=cursor
        )
        settings = uow.runtime.settings
        return ExportList([export_out(settings, e) for e in items], next_cursor)

    @get("/{export_id:uuid}", guards=_analytics, responses=errors(403, 404))
    async def get_export(
        self, uow: UnitOfWork, principal: Principal, export_id: uuid.UUID
    ) -> ExportOut:
        """Status and progress; once done, a download link valid for 15 minutes."""
        export = await service.get_owned(uow, principal, export_id)
        return export_out(uow.runtime.settings, export)

    @get(
        "/{export_id:uuid}/download",
        opt=PUBLIC,
        responses=errors(403, 404, 410),
        operation_class=binary_operation(*CONTENT_TYPES.values()),
    )
    async def download(
        self,
        uow: UnitOfWork,
        export_id: uuid.UUID,
        expires: Annotated[int, QueryParameter(name="expires")],
        signature: Annotated[str, QueryParameter(name="signature", max_length=128)],
    ) -> File:
        """The file, through the signed link from the export's status (no bearer needed)."""
        export, path = await service.open_download(uow, export_id, expires, signature)
        return File(
            path=path,
            filename=service.download_name(export),
            media_type=CONTENT_TYPES[export.format],
            content_disposition_type="attachment",
            headers={
                "X-Content-Type-Options": "nosniff",
                "Cache-Control": "private, no-store",
                "Content-Security-Policy": "default-src 'none'; sandbox",
            },
        )

    @get("/messages.csv", guards=_analytics, responses=errors(403), media_type="text/csv")
    async def export_messages(
        self, runtime: Runtime, since: datetime | None = None, until: datetime | None = None
    ) -> Stream:
        """Every message as CSV, streamed (constant memory, short reads)."""
        check_range(since, until)
        return Stream(
            stream.export_messages_csv(runtime.db, since=since, until=until),
            media_type="text/csv",
            headers={
                "Content-Disposition": 'attachment; filename="baton-messages.csv"',
                "X-Content-Type-Options": "nosniff",
            },
        )
