"""Structured (JSON) logs carrying a request or job correlation id, with personal data
(emails, phone and card numbers, IBANs, SSNs) masked unless ``BATON_LOG_REDACT_PII=false``."""

from __future__ import annotations

import json
import logging
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from baton.kit.redact import DEFAULT_REGION, redact, redact_value

correlation_id: ContextVar[str | None] = ContextVar("correlation_id", default=None)

_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    def __init__(self, *, redact_pii: bool = True, region: str = DEFAULT_REGION) -> None:
        super().__init__()
        self.redact_pii, self.region = redact_pii, region

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        if cid := correlation_id.get():
            entry["correlation_id"] = cid
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        if self.redact_pii:  # before encoding: JSON escapes would hide what follows them
            entry = {k: _scrub(v, self.region) for k, v in entry.items()}
        return json.dumps(entry, default=str)


def _scrub(value: Any, region: str) -> Any:
    if isinstance(value, str | dict | list | tuple):
        return redact_value(value, region=region)
    if value is None or isinstance(value, bool | int | float):
        return value
    return redact(str(value), region=region)


class TextFormatter(logging.Formatter):
    def __init__(
        self, fmt: str | None = None, *, redact_pii: bool = True, region: str = DEFAULT_REGION
    ) -> None:
        super().__init__(fmt)
        self.redact_pii, self.region = redact_pii, region

    def format(self, record: logging.LogRecord) -> str:
        cid = correlation_id.get()
        prefix = f"[{cid[:8]}] " if cid else ""
        line = f"{record.levelname:<7} {record.name}: {prefix}{super().format(record)}"
        return redact(line, region=self.region) if self.redact_pii else line


def configure_logging(
    level: str = "INFO",
    as_json: bool = True,
    *,
    redact_pii: bool = True,
    region: str = DEFAULT_REGION,
) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        JsonFormatter(redact_pii=redact_pii, region=region)
        if as_json
        else TextFormatter("%(message)s", redact_pii=redact_pii, region=region)
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("engineio.server", "socketio.server", "httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def new_correlation_id() -> str:
    return uuid.uuid4().hex


@contextmanager
def job_context(job_name: str) -> Iterator[str]:
    cid = f"job-{job_name}-{new_correlation_id()[:12]}"
    token = correlation_id.set(cid)
    try:
        yield cid
    finally:
        correlation_id.reset(token)
