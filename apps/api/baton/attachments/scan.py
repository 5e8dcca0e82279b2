"""The scanning hook: off unless ``BATON_SCAN_COMMAND`` names a ClamAV-style command
(``clamdscan --no-summary``, ``clamscan``...). The file's path is appended as the last
argument; exit 0 is clean, 1 infected (refused), anything else (or no answer within the
timeout) a scanner failure (refused too: an unscanned file is not accepted when scanning
is on)."""

from __future__ import annotations

import asyncio
import logging
import shlex
from pathlib import Path
from typing import Literal

from baton.kit.errors import ServiceUnavailable, ValidationFailed

log = logging.getLogger(__name__)
SCAN_TIMEOUT_SECONDS = 120


async def scan(command: str | None, path: Path) -> Literal["skipped", "clean"]:
    if not command:
        return "skipped"
    argv = [*shlex.split(command), str(path)]
    try:
        proc = await asyncio.create_subprocess_exec(
            *argv, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
        )
    except OSError as exc:
        log.error("attachment scanner could not start: %s", exc)
        raise ServiceUnavailable("the file scanner is unavailable", code="scan_failed") from exc
    try:
        async with asyncio.timeout(SCAN_TIMEOUT_SECONDS):
            out, err = await proc.communicate()
    except TimeoutError as exc:
        proc.kill()
        await proc.wait()
        raise ServiceUnavailable("the file scanner did not answer", code="scan_failed") from exc
    if proc.returncode == 0:
        return "clean"
    if proc.returncode == 1:
        log.warning("attachment refused by the scanner: %s", out.decode(errors="replace")[-300:])
        raise ValidationFailed("the file was refused by the virus scanner", code="infected")
    log.error("attachment scanner failed (%s): %s", proc.returncode, err.decode(errors="replace"))
    raise ServiceUnavailable("the file scanner failed", code="scan_failed")
