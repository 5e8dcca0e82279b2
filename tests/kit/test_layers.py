"""kit/ and db/ are the foundation every domain builds on: they must not import a domain.

A domain import there makes a cycle waiting to happen (the domain imports kit back) and
drags that domain into every process that only needs the foundation.
"""

from __future__ import annotations

import ast
from pathlib import Path

import baton

PACKAGE = Path(baton.__file__).parent
FOUNDATION = ("kit", "db")
# what the foundation may lean on besides itself: configuration and the process runtime
ALLOWED_TOP_LEVEL = {"kit", "db", "settings", "runtime"}


def _baton_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == "baton" and len(parts) > 1:
                found.add(parts[1])
    return found


def test_foundation_imports_no_domain() -> None:
    offenders = {
        f"{path.relative_to(PACKAGE)} imports baton.{top}"
        for folder in FOUNDATION
        for path in (PACKAGE / folder).rglob("*.py")
        for top in _baton_imports(path) - ALLOWED_TOP_LEVEL
    }
    assert not offenders, sorted(offenders)


def test_the_check_sees_a_domain_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("from baton.auth.principal import Principal\nimport baton.kit.ids\n")
    assert _baton_imports(sample) == {"auth", "kit"}
