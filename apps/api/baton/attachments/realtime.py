"""No socket events of its own (attachments ride on messages); the api's start-up is where
the download links' signing key is set from this runtime's settings."""

from __future__ import annotations

from typing import Any

from baton.attachments import urls


def register(sio: Any, runtime: Any) -> None:
    urls.configure(runtime.settings)
