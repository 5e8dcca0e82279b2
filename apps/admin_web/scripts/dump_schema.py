"""Print the api's OpenAPI schema as JSON without running a server (used by `npm run gen:api`)."""

from __future__ import annotations

import os
import sys
import tempfile

import msgspec

os.environ.setdefault("BATON_DATA_DIR", tempfile.mkdtemp(prefix="baton-schema-"))

from baton.app import create_app

app, _sio, _runtime = create_app()
sys.stdout.buffer.write(msgspec.json.format(msgspec.json.encode(app.openapi_schema.to_schema())))
sys.stdout.buffer.write(b"\n")
