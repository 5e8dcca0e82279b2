"""The schemathesis command line, with one guard against a CPython 3.11 bug.

Hypothesis describes strategies (for its messages) by parsing the source of their lambdas;
``ast.parse`` deep in the stack of a recursive JSON strategy can raise ``SystemError: AST
constructor recursion depth mismatch`` on CPython 3.11.7. That is a tool error, not a
finding: the description falls back to hypothesis' own "unknown" and the run goes on.
Run as ``python -m tests.api.schemathesis_cli run ...``.
"""

from __future__ import annotations

import sys
from typing import Any

from hypothesis.internal import lambda_sources
from schemathesis.cli import schemathesis

_describe: Any = lambda_sources._lambda_description


def _described(f: Any, *args: Any, **kwargs: Any) -> str:
    try:
        return str(_describe(f, *args, **kwargs))
    except SystemError:
        return "lambda: <unknown>"


lambda_sources._lambda_description = _described  # type: ignore[assignment]

if __name__ == "__main__":
    sys.argv[0] = "schemathesis"
    sys.exit(schemathesis())
