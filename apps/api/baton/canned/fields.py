"""The rules every canned response obeys, shared by the REST handlers and the importer."""

from __future__ import annotations

import re

from baton.kit.inputs import bad_text

SHORTCUT_MAX = 64
TITLE_MAX = 200
BODY_MAX = 5_000
CATEGORY_MAX = 64
_SHORTCUT = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")

Problem = tuple[str, str]  # (column, detail)


def clean_shortcut(value: str) -> str:
    """``/Returns `` and ``returns`` are one shortcut: the slash is how you type it."""
    return value.strip().lstrip("/").strip().lower()


def shortcut_problem(shortcut: str) -> str | None:
    if not shortcut:
        return "shortcut is empty"
    if len(shortcut) > SHORTCUT_MAX:
        return f"shortcut is longer than {SHORTCUT_MAX} characters"
    if not _SHORTCUT.match(shortcut):
        return "shortcut may hold only letters, digits, '-', '_' and '.' (no spaces)"
    return None


def problems(shortcut: str, title: str, body: str, category: str | None) -> list[Problem]:
    """Every problem with one response, by column (the importer reports them all)."""
    found: list[Problem] = []
    if (p := shortcut_problem(shortcut)) is not None:
        found.append(("shortcut", p))
    if len(title) > TITLE_MAX:
        found.append(("title", f"title is longer than {TITLE_MAX} characters"))
    if not body.strip():
        found.append(("body", "body is empty"))
    elif len(body) > BODY_MAX:
        found.append(("body", f"body is longer than {BODY_MAX:,} characters"))
    if category is not None and len(category) > CATEGORY_MAX:
        found.append(("category", f"category is longer than {CATEGORY_MAX} characters"))
    for column, value in (("shortcut", shortcut), ("title", title), ("body", body)):
        if (bad := bad_text(value)) is not None:
            found.append((column, f"{column} contains {bad}"))
    if category and (bad := bad_text(category)) is not None:
        found.append(("category", f"category contains {bad}"))
    return found
