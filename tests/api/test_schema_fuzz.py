"""Schemathesis against the live OpenAPI schema (``/schema/openapi.json``), as an admin:
generated requests, valid and not, to every REST operation find no 5xx, and every response
is what the schema documents (status code, content type, body).

Bounded so it fits the suite (under a minute per backend): a fixed seed, no
example database (the same cases every run), ``BATON_FUZZ_EXAMPLES`` examples per
operation, no shrinking, and ``BATON_FUZZ_SECONDS`` for the fuzzing phase (30 on PostgreSQL;
15 on the embedded default, which serves the same routes, so there the run looks for what
SQLite alone would break), which on a loaded machine is what ends it (the cases come from
the seed in the same order, so a slower run tests a prefix of the same sequence). ``BATON_FUZZ_PHASES`` adds schemathesis'
``coverage`` phase (boundary values of every parameter, about a minute more),
``BATON_FUZZ_SEED`` another seed; the security review ran the same at 168k requests. A
failure prints schemathesis' reproduction.
"""

from __future__ import annotations

import asyncio
import os
import sys

import httpx

from baton.runtime import Runtime
from tests.factories import user_headers
from tests.support import LiveServer, uses_postgres

EXAMPLES = os.environ.get("BATON_FUZZ_EXAMPLES", "4")
PHASES = os.environ.get("BATON_FUZZ_PHASES", "examples,fuzzing,stateful")
SEED = os.environ.get("BATON_FUZZ_SEED", "20261202")
SAFETY_SECONDS = os.environ.get("BATON_FUZZ_SECONDS", "30" if uses_postgres() else "15")
# no 5xx, and every response (status, content type, body) as the schema documents it
CHECKS = ",".join(
    (
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
    )
)
# routes that end the caller's own session would make the rest of the run anonymous
SELF_ENDING = "^/api/v1/(auth/logout|me/password)"


async def _run(
    server: LiveServer, token: str, *extra: str, seconds: str = SAFETY_SECONDS
) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.api.schemathesis_cli",  # the CLI with a guard for a CPython 3.11 bug
        "run",
        f"{server.base_url}/schema/openapi.json",
        "--checks", os.environ.get("BATON_FUZZ_CHECKS", CHECKS),
        "--header", f"Authorization: Bearer {token}",
        "--max-examples", EXAMPLES,
        "--seed", SEED,
        "--generation-database", "none",  # no replays of earlier runs: the same cases each time
        "--max-time", seconds,
        "--request-timeout", "20",
        "--workers", "2",
        "--no-shrink",
        "--warnings", "off",
        "--generation-allow-x00", "true",
        "--phases", PHASES,
        *extra,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env={**os.environ, "NO_COLOR": "1", "SCHEMATHESIS_TELEMETRY": "false"},
    )  # fmt: skip
    out, _ = await process.communicate()
    return process.returncode or 0, out.decode(errors="replace")


async def test_every_operation_answers_as_documented_and_never_5xx(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    _, headers = await user_headers(client, runtime, "admin")
    token = headers["Authorization"].removeprefix("Bearer ")
    code, output = await _run(server, token, "--exclude-path-regex", SELF_ENDING)
    # request bodies can be megabytes: cut each line of the report
    tail = "\n".join(line[:400] for line in output.splitlines()[-80:])
    assert code == 0, f"schemathesis found server errors or schema mismatches:\n{tail}"
    assert "No issues found" in output and " generated, " in output, tail  # it really ran
    summary = [ln for ln in output.splitlines() if " generated, " in ln or "(in " in ln]
    print("\n" + "\n".join(summary))
