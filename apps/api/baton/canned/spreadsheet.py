"""Reading and writing canned responses as spreadsheets (xlsx through fastexcel, csv) with
polars. Every cell is read as text: a shortcut ``404`` stays ``"404"``, not ``404.0``.

CSV and XLSX cells a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``) are
written with a leading apostrophe and read back without it, so an export round-trips.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping

import fastexcel
import polars as pl

from baton.exports.formats import FORMULA_START, neutralise
from baton.kit.errors import BadRequest, ValidationFailed

COLUMNS = ("shortcut", "title", "body", "category")
EXPORT_COLUMNS = (*COLUMNS, "visibility")
# headers people actually use, normalised (lower case, spaces and dashes as underscores)
ALIASES: Mapping[str, str] = {
    "shortcut": "shortcut",
    "short_code": "shortcut",
    "shortcode": "shortcut",
    "code": "shortcut",
    "command": "shortcut",
    "slash_command": "shortcut",
    "trigger": "shortcut",
    "title": "title",
    "name": "title",
    "label": "title",
    "subject": "title",
    "body": "body",
    "text": "body",
    "message": "body",
    "content": "body",
    "response": "body",
    "reply": "body",
    "category": "category",
    "folder": "category",
    "group": "category",
}
XLSX_MAGIC = b"PK\x03\x04"
_ESCAPED = r"^'([=+\-@\t\r])"  # Rust regex: no look-ahead, so capture and put back


def _norm(header: str) -> str:
    return re.sub(r"[\s\-]+", "_", header.strip().lower())


def detect_format(filename: str | None, data: bytes) -> str:
    name = (filename or "").lower()
    if name.endswith((".xlsx", ".xlsm")) or data.startswith(XLSX_MAGIC):
        return "xlsx"
    if name.endswith((".csv", ".txt")) or not name:
        return "csv"
    raise BadRequest(
        "upload an .xlsx or .csv file (columns shortcut, title, body, category)",
        code="unsupported_file",
    )


def read_frame(data: bytes, fmt: str) -> pl.DataFrame:
    """The file's first sheet as text columns; an unreadable file is a 400 and nothing else."""
    if not data.strip():
        raise BadRequest("the file is empty", code="unreadable_file")
    try:
        if fmt == "xlsx":
            reader = fastexcel.read_excel(data)
            frame = reader.load_sheet(0, dtypes="string").to_polars()
        else:
            text = data.decode("utf-8-sig")
            frame = pl.read_csv(io.StringIO(text), infer_schema=False, truncate_ragged_lines=False)
    except UnicodeDecodeError as exc:
        raise BadRequest("the CSV file is not UTF-8 text", code="unreadable_file") from exc
    except Exception as exc:  # polars' and calamine's own error types, many of them
        raise BadRequest(
            f"the file could not be read as {fmt}: {str(exc).splitlines()[0][:200]}",
            code="unreadable_file",
        ) from exc
    return frame


def map_headers(frame: pl.DataFrame, mapping: Mapping[str, str] | None) -> pl.DataFrame:
    """Rename the file's headers to ours: the caller's mapping first, then known aliases.
    Columns that map to nothing are ignored; a missing ``shortcut`` or ``body`` is a 422."""
    given = {_norm(k): v for k, v in (mapping or {}).items()}
    bad = sorted(v for v in given.values() if v not in COLUMNS)
    if bad:
        raise ValidationFailed(
            f"mapping targets must be among {', '.join(COLUMNS)}; got {', '.join(bad)}",
            code="invalid_mapping",
        )
    renames: dict[str, str] = {}
    taken: set[str] = set()
    for header in frame.columns:
        target = given.get(_norm(header)) or ALIASES.get(_norm(header))
        if target and target not in taken:
            renames[header] = target
            taken.add(target)
    missing = [c for c in ("shortcut", "body") if c not in taken]
    if missing:
        raise ValidationFailed(
            f"the file has no {' or '.join(missing)} column (headers found: "
            f"{', '.join(frame.columns[:20]) or 'none'})",
            code="missing_columns",
        )
    frame = frame.select([pl.col(h).alias(t) for h, t in renames.items()])
    for column in COLUMNS:
        if column not in frame.columns:
            frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias(column))
    return frame.select(
        [pl.col(c).cast(pl.String).str.replace(_ESCAPED, "$1").alias(c) for c in COLUMNS]
    )


def write(frame: pl.DataFrame, fmt: str) -> bytes:
    buffer = io.BytesIO()
    if fmt == "xlsx":
        # xlsxwriter writes these cells as strings, never formulas; the apostrophe is for
        # people who copy a cell elsewhere and for csv parity
        neutralise(frame).write_excel(buffer, worksheet="canned_responses", autofit=False)
    else:
        neutralise(frame).write_csv(buffer)
    return buffer.getvalue()


__all__ = ["COLUMNS", "EXPORT_COLUMNS", "FORMULA_START", "detect_format", "map_headers"]
