"""Schemathesis on the attachment routes alone (the suite-wide fuzz covers them too, with
less time each): generated requests as an admin find no 5xx. Half the suite-wide budget: the
attachment routes are a handful of the suite-wide run's operations."""

from __future__ import annotations

import httpx

from baton.runtime import Runtime
from tests.api.test_schema_fuzz import SAFETY_SECONDS, _run
from tests.factories import user_headers
from tests.support import LiveServer


async def test_attachment_routes_never_answer_5xx(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    _, headers = await user_headers(client, runtime, "admin")
    token = headers["Authorization"].removeprefix("Bearer ")
    seconds = str(max(int(SAFETY_SECONDS) // 2, 5))
    code, output = await _run(
        server, token, "--include-path-regex", "^/api/v1/attachments", seconds=seconds
    )
    tail = "\n".join(output.splitlines()[-60:])
    assert code == 0, f"schemathesis found server errors:\n{tail}"
    assert "No issues found" in output and " generated, " in output, tail
