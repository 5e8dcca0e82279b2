"""Counting the SQL a piece of work issues: the data statements run by tasks whose coroutine
matches, in order (transaction control left out: BEGIN/SAVEPOINT differ between backends)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from baton.runtime import Runtime

VERBS = ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")


@contextmanager
def task_statements(runtime: Runtime, of_task: Callable[[str], bool]) -> Iterator[list[str]]:
    """``of_task(qualname)`` picks the tasks (by their coroutine's ``__qualname__``)."""
    seen: list[str] = []

    def record(_c: Any, _cur: Any, statement: str, *_: Any) -> None:
        task = asyncio.current_task()
        coro = getattr(task.get_coro(), "__qualname__", "") if task is not None else ""
        words = statement.split()
        if of_task(coro) and words and words[0].upper() in VERBS:
            seen.append(" ".join(words))

    engine = runtime.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)
