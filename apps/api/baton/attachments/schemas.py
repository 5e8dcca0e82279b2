"""What clients see of an attachment (the upload's answer and each message's list)."""

from __future__ import annotations

import uuid
from typing import Any

import msgspec

from baton.attachments import urls


class AttachmentOut(msgspec.Struct):
    id: uuid.UUID
    url: str  # signed, short-lived, relative to the server's address
    filename: str
    content_type: str
    size: int
    width: int | None = None
    height: int | None = None
    thumbnail_url: str | None = None
    # removed by retention: the name stays, ``url`` is empty and nothing can be downloaded
    expired: bool = False

    @classmethod
    def of_summary(cls, s: dict[str, Any]) -> AttachmentOut:
        """From the summary a message keeps in its ``meta`` (``summary`` below)."""
        attachment_id = uuid.UUID(str(s["id"]))
        expired = bool(s.get("expired"))
        return cls(
            id=attachment_id,
            url="" if expired else urls.signed_path(attachment_id, "file"),
            filename=str(s.get("filename") or "file"),
            content_type=str(s.get("content_type") or "application/octet-stream"),
            size=int(s.get("size") or 0),
            width=s.get("width"),
            height=s.get("height"),
            thumbnail_url=(
                urls.signed_path(attachment_id, "thumb")
                if s.get("thumbnail") and not expired
                else None
            ),
            expired=expired,
        )


def summary(
    attachment_id: uuid.UUID,
    *,
    filename: str,
    content_type: str,
    size: int,
    width: int | None,
    height: int | None,
    thumbnail: bool,
) -> dict[str, Any]:
    return {
        "id": str(attachment_id),
        "filename": filename,
        "content_type": content_type,
        "size": size,
        "width": width,
        "height": height,
        "thumbnail": thumbnail,
    }
