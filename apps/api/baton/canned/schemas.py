from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

import msgspec

from baton.canned.models import CannedResponse

Visibility = Literal["personal", "global"]
Shortcut = Annotated[str, msgspec.Meta(max_length=80)]
Title = Annotated[str, msgspec.Meta(max_length=200)]
Body = Annotated[str, msgspec.Meta(max_length=5_000)]
Category = Annotated[str, msgspec.Meta(max_length=64)]


class CannedIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    shortcut: Shortcut
    title: Title
    body: Body
    category: Category | None = None
    visibility: Visibility = "personal"


class CannedPatch(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    shortcut: Shortcut | msgspec.UnsetType = msgspec.UNSET
    title: Title | msgspec.UnsetType = msgspec.UNSET
    body: Body | msgspec.UnsetType = msgspec.UNSET
    category: Category | msgspec.UnsetType | None = msgspec.UNSET
    visibility: Visibility | msgspec.UnsetType = msgspec.UNSET


class CannedOut(msgspec.Struct):
    id: uuid.UUID
    shortcut: str
    title: str
    body: str
    category: str | None
    visibility: str
    owner_id: uuid.UUID | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, c: CannedResponse) -> CannedOut:
        return cls(
            c.id,
            c.shortcut,
            c.title,
            c.body,
            c.category,
            c.visibility,
            c.owner_id,
            c.created_at,
            c.updated_at,
        )


class CannedPage(msgspec.Struct):
    items: list[CannedOut]
    next_cursor: str | None


class RenderIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    conversation_id: uuid.UUID | None = None


class RenderOut(msgspec.Struct):
    text: str


class RowError(msgspec.Struct):
    row: int  # the spreadsheet's row number: the header is row 1, the first response row 2
    column: str
    detail: str


class ImportResult(msgspec.Struct):
    created: int
    updated: int
    errors: list[RowError]
    dry_run: bool
    rows: int  # response rows read (blank rows are not counted)
    error_count: int  # all errors; ``errors`` lists the first 1,000


class CategoryList(msgspec.Struct):
    items: list[str]
