"""Import target for ASGI servers: ``baton.asgi:app``."""

from baton.app import build_asgi

app = build_asgi()
