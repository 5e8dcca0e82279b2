"""REST for canned responses: list and fuzzy search, CRUD, render, import and export."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import msgspec
import polars as pl
from litestar import Controller, Response, delete, get, patch, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, Parameter
from litestar.status_codes import HTTP_200_OK, HTTP_204_NO_CONTENT
from sqlalchemy import select

from baton.audit.service import diff, record_audit
from baton.auth.edge import requires
from baton.auth.permissions import Permission
from baton.auth.principal import Principal
from baton.canned import importer, search, service, spreadsheet
from baton.canned.models import CannedCategory, CannedResponse
from baton.canned.schemas import (
    CannedIn,
    CannedOut,
    CannedPage,
    CannedPatch,
    CategoryList,
    ImportResult,
    RenderIn,
    RenderOut,
)
from baton.exports.formats import CONTENT_TYPES
from baton.kit.errors import ValidationFailed
from baton.kit.http import binary_operation, errors
from baton.kit.pagination import check_limit
from baton.kit.uow import UnitOfWork

IMPORT_MAX_BYTES = 25 * 1024 * 1024  # a 50,000-row sheet is a few MB


@dataclass
class ImportForm:
    file: UploadFile
    # JSON object: the file's header -> shortcut | title | body | category
    mapping: str | None = None


def _audited(c: CannedResponse) -> dict[str, Any]:
    return {
        "shortcut": c.shortcut,
        "title": c.title,
        "body": c.body,
        "category": c.category,
        "visibility": c.visibility,
    }


def _parse_mapping(raw: str | None) -> dict[str, str] | None:
    if not raw:
        return None
    try:
        value = json.loads(raw)
    except ValueError as exc:
        raise ValidationFailed("mapping must be a JSON object", code="invalid_mapping") from exc
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise ValidationFailed(
            "mapping must be a JSON object of header -> column", code="invalid_mapping"
        )
    return value


_reply = [requires(Permission.CONVERSATIONS_REPLY)]


class CannedController(Controller):
    path = "/api/v1/canned-responses"
    tags = ["canned"]
    guards = _reply

    @get("/", responses=errors(403))
    async def list_responses(
        self,
        uow: UnitOfWork,
        principal: Principal,
        q: str | None = Parameter(default=None, max_length=200),
        category: str | None = Parameter(default=None, max_length=64),
        visibility: Literal["personal", "global"] | None = None,
        limit: int = Parameter(default=50, description="1-200"),
        cursor: str | None = None,
    ) -> CannedPage:
        """The caller's personal responses and the workspace's global ones, by shortcut;
        with ``q`` the best fuzzy matches over shortcut, title and body (one page)."""
        limit = check_limit(limit)
        if q is not None and q.strip():
            found = await search.search(uow, principal, q, limit=limit)
            return CannedPage([CannedOut.of(c) for c in found], None)
        items, next_cursor = await service.list_page(
            uow, principal, category=category, visibility=visibility, limit=limit, cursor=cursor
        )
        return CannedPage([CannedOut.of(c) for c in items], next_cursor)

    @post("/", responses=errors(403, 409))
    async def create_response(
        self, uow: UnitOfWork, principal: Principal, data: CannedIn
    ) -> CannedOut:
        """Personal responses for anyone who replies; global ones need ``canned:manage``."""
        canned = await service.create(
            uow,
            principal,
            shortcut=data.shortcut,
            title=data.title,
            body=data.body,
            category=data.category,
            visibility=data.visibility,
        )
        record_audit(
            uow,
            principal,
            "canned.created",
            "canned_response",
            canned.id,
            diff({}, _audited(canned)),
        )
        return CannedOut.of(canned)

    @get("/categories", responses=errors(403))
    async def list_categories(self, uow: UnitOfWork) -> CategoryList:
        """Categories an import may name (new ones appear when a response names them)."""
        names = await uow.session.scalars(select(CannedCategory.name).order_by(CannedCategory.name))
        return CategoryList(list(names))

    @get(
        "/export",
        responses=errors(403),
        operation_class=binary_operation(CONTENT_TYPES["xlsx"], CONTENT_TYPES["csv"]),
    )
    async def export_responses(
        self,
        uow: UnitOfWork,
        principal: Principal,
        format: Literal["xlsx", "csv"] = "xlsx",
        visibility: Literal["personal", "global"] | None = None,
    ) -> Response[bytes]:
        """What the caller sees, as a sheet the import reads back unchanged."""
        stmt = service.visible(select(CannedResponse), principal)
        if visibility:
            stmt = stmt.where(CannedResponse.visibility == visibility)
        rows = list(await uow.session.scalars(stmt.order_by(CannedResponse.shortcut)))
        frame = pl.DataFrame(
            {
                "shortcut": [c.shortcut for c in rows],
                "title": [c.title for c in rows],
                "body": [c.body for c in rows],
                "category": [c.category for c in rows],
                "visibility": [c.visibility for c in rows],
            },
            schema={c: pl.String for c in spreadsheet.EXPORT_COLUMNS},
        )
        return Response(
            spreadsheet.write(frame, format),
            media_type=CONTENT_TYPES[format],
            headers={"Content-Disposition": f'attachment; filename="canned-responses.{format}"'},
        )

    @post(
        "/import",
        status_code=HTTP_200_OK,
        responses=errors(400, 403, 413),
        request_max_body_size=IMPORT_MAX_BYTES,
    )
    async def import_responses(
        self,
        uow: UnitOfWork,
        principal: Principal,
        data: Annotated[ImportForm, Body(media_type=RequestEncodingType.MULTI_PART)],
        dry_run: bool = False,
        upsert: bool = False,
        visibility: Literal["personal", "global"] = "global",
        create_categories: bool = False,
    ) -> ImportResult:
        """Import an xlsx or csv (columns shortcut, title, body, category; see
        docs/canned-responses.md). ``dry_run`` reports and writes nothing; ``upsert`` updates
        responses whose shortcut exists; bad rows are reported and skipped."""
        content = await data.file.read()
        result = await importer.run(
            uow,
            principal,
            data=content,
            filename=data.file.filename,
            mapping=_parse_mapping(data.mapping),
            visibility=visibility,
            upsert=upsert,
            dry_run=dry_run,
            create_categories=create_categories,
        )
        if not dry_run and (result.created or result.updated):
            record_audit(
                uow,
                principal,
                "canned.imported",
                "canned_response",
                None,
                {
                    "file": data.file.filename,
                    "created": result.created,
                    "updated": result.updated,
                    "errors": result.error_count,
                    "visibility": visibility,
                },
            )
        return result

    @get("/{canned_id:uuid}", responses=errors(403, 404))
    async def get_response(
        self, uow: UnitOfWork, principal: Principal, canned_id: uuid.UUID
    ) -> CannedOut:
        return CannedOut.of(await service.get_visible(uow, principal, canned_id))

    @patch("/{canned_id:uuid}", responses=errors(403, 404, 409))
    async def update_response(
        self, uow: UnitOfWork, principal: Principal, canned_id: uuid.UUID, data: CannedPatch
    ) -> CannedOut:
        canned = await service.get_visible(uow, principal, canned_id)
        before = _audited(canned)
        changes = {
            k: getattr(data, k)
            for k in data.__struct_fields__
            if getattr(data, k) is not msgspec.UNSET
        }
        await service.update(uow, principal, canned, changes)
        record_audit(
            uow,
            principal,
            "canned.updated",
            "canned_response",
            canned.id,
            diff(before, _audited(canned)),
        )
        return CannedOut.of(canned)

    @delete("/{canned_id:uuid}", status_code=HTTP_204_NO_CONTENT, responses=errors(403, 404))
    async def delete_response(
        self, uow: UnitOfWork, principal: Principal, canned_id: uuid.UUID
    ) -> None:
        canned = await service.get_visible(uow, principal, canned_id)
        before = _audited(canned)
        await service.delete(uow, principal, canned)
        record_audit(
            uow, principal, "canned.deleted", "canned_response", canned_id, diff(before, {})
        )

    @post("/{canned_id:uuid}/render", status_code=HTTP_200_OK, responses=errors(403, 404))
    async def render_response(
        self, uow: UnitOfWork, principal: Principal, canned_id: uuid.UUID, data: RenderIn
    ) -> RenderOut:
        """The body with ``{{visitor.name}}``, ``{{visitor.email}}``, ``{{agent.name}}`` and
        ``{{conversation.id}}`` filled in (a neutral phrase where a value is missing)."""
        canned = await service.get_visible(uow, principal, canned_id)
        return RenderOut(await service.render(uow, principal, canned, data.conversation_id))
