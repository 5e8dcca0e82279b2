"""Fuzzy search over shortcut, title and body with rapidfuzz.

The picker asks on every keystroke, so only the four columns are read (no ORM objects)
and rapidfuzz scores them in C. A shortcut that starts with the query always ranks first:
typing ``/ret`` must offer ``/returns`` before a body that merely mentions "retail".
"""

from __future__ import annotations

import uuid
from typing import Any

from rapidfuzz import fuzz, process, utils
from sqlalchemy import select

from baton.auth.principal import Principal
from baton.canned.models import CannedResponse
from baton.canned.service import visible
from baton.kit.uow import UnitOfWork

CUTOFF = 60.0


async def search(
    uow: UnitOfWork, principal: Principal, query: str, *, limit: int
) -> list[CannedResponse]:
    q = query.strip().lstrip("/").strip().lower()
    rows: list[Any] = list(
        await uow.session.execute(
            visible(
                select(
                    CannedResponse.id,
                    CannedResponse.shortcut,
                    CannedResponse.title,
                    CannedResponse.body,
                ),
                principal,
            )
        )
    )
    if not rows or not q:
        return []
    scores: dict[int, float] = {}

    def take(choices: list[str], scorer: Any, weight: float) -> None:
        for _, score, index in process.extract(
            q,
            choices,
            scorer=scorer,
            processor=utils.default_process,
            limit=None,
            score_cutoff=CUTOFF,
        ):
            scores[index] = max(scores.get(index, 0.0), score * weight)

    shortcuts = [r.shortcut for r in rows]
    take(shortcuts, fuzz.WRatio, 1.0)
    take([r.title for r in rows], fuzz.partial_ratio, 0.95)
    take([r.body[:500] for r in rows], fuzz.partial_ratio, 0.85)
    for index, shortcut in enumerate(shortcuts):
        if shortcut.startswith(q):
            scores[index] = 200.0 - len(shortcut) / 100  # shorter exact prefixes first
    best = sorted(scores.items(), key=lambda item: (-item[1], shortcuts[item[0]]))[:limit]
    ids: list[uuid.UUID] = [rows[i].id for i, _ in best]
    if not ids:
        return []
    loaded = {
        c.id: c
        for c in await uow.session.scalars(select(CannedResponse).where(CannedResponse.id.in_(ids)))
    }
    return [loaded[i] for i in ids if i in loaded]
