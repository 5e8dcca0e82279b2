"""Writers for each export format, fed one polars frame (a batch of rows) at a time, so an
export of any size holds one batch in memory.

CSV and XLSX are opened by spreadsheets, which run a cell that starts with ``=``, ``+``,
``-``, ``@`` (or a tab or carriage return) as a formula: such text cells are prefixed with
an apostrophe (OWASP's CSV-injection advice). JSON and NDJSON carry the data unchanged.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any, Protocol

import polars as pl

FORMATS = ("csv", "json", "ndjson", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "ndjson": "application/x-ndjson",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
XLSX_MAX_ROWS = 1_048_575  # a worksheet's rows, less the header
FORMULA_START = r"^[=+\-@\t\r]"


def neutralise(frame: pl.DataFrame) -> pl.DataFrame:
    """Prefix text cells a spreadsheet would run as a formula with an apostrophe."""
    exprs = [
        pl.when(pl.col(name).str.contains(FORMULA_START))
        .then(pl.lit("'") + pl.col(name))
        .otherwise(pl.col(name))
        .alias(name)
        for name, dtype in frame.schema.items()
        if dtype == pl.String
    ]
    return frame.with_columns(exprs) if exprs else frame


def neutralise_value(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


class Writer(Protocol):
    def write(self, frame: pl.DataFrame) -> None: ...

    def close(self) -> None: ...


class CsvWriter:
    def __init__(self, path: Path, columns: list[str]) -> None:
        self.fh: IO[bytes] = path.open("wb")
        self.columns = columns
        self.header = True

    def write(self, frame: pl.DataFrame) -> None:
        neutralise(frame).write_csv(self.fh, include_header=self.header)
        self.header = False

    def close(self) -> None:
        if self.header:  # no rows: still a valid CSV with its header
            pl.DataFrame({c: [] for c in self.columns}).write_csv(self.fh)
        self.fh.close()


class NdjsonWriter:
    def __init__(self, path: Path, columns: list[str]) -> None:
        self.fh: IO[bytes] = path.open("wb")

    def write(self, frame: pl.DataFrame) -> None:
        if frame.height:
            frame.write_ndjson(self.fh)

    def close(self) -> None:
        self.fh.close()


class JsonWriter:
    """One JSON array, written element by element."""

    def __init__(self, path: Path, columns: list[str]) -> None:
        self.fh: IO[bytes] = path.open("wb")
        self.fh.write(b"[")
        self.first = True

    def write(self, frame: pl.DataFrame) -> None:
        if not frame.height:
            return
        lines = frame.write_ndjson().rstrip("\n").split("\n")
        if not self.first:
            self.fh.write(b",\n")
        self.fh.write(",\n".join(lines).encode())
        self.first = False

    def close(self) -> None:
        self.fh.write(b"]\n")
        self.fh.close()


class XlsxWriter:
    """xlsxwriter in constant-memory mode: each row is flushed as it is written."""

    def __init__(self, path: Path, columns: list[str]) -> None:
        import xlsxwriter

        self.book = xlsxwriter.Workbook(
            str(path),
            {
                "constant_memory": True,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
            },
        )
        self.sheet = self.book.add_worksheet("export")
        self.sheet.write_row(0, 0, columns)
        self.row = 1

    def write(self, frame: pl.DataFrame) -> None:
        if self.row + frame.height > XLSX_MAX_ROWS + 1:
            raise ValueError(f"an xlsx sheet holds at most {XLSX_MAX_ROWS:,} rows; use csv")
        for values in frame.iter_rows():
            self.sheet.write_row(self.row, 0, [neutralise_value(v) for v in values])
            self.row += 1

    def close(self) -> None:
        self.book.close()


def open_writer(fmt: str, path: Path, columns: list[str]) -> Writer:
    cls: Any = {"csv": CsvWriter, "json": JsonWriter, "ndjson": NdjsonWriter, "xlsx": XlsxWriter}[
        fmt
    ]
    writer: Writer = cls(path, columns)
    return writer
