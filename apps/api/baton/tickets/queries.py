from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, or_, select

from baton.auth.principal import Principal
from baton.kit.errors import ValidationFailed
from baton.kit.uow import UnitOfWork
from baton.tickets.models import Ticket
from baton.tickets.state import STATUSES


async def list_tickets(
    uow: UnitOfWork,
    principal: Principal,
    *,
    status: str | None,
    assignee: str | None,
    q: str | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[Ticket], str | None]:
    """Newest first; ``cursor`` is the last item's id (ids are time-ordered)."""
    stmt = select(Ticket).order_by(Ticket.id.desc())
    if status:
        wanted = [s.strip() for s in status.split(",") if s.strip()]
        bad = [s for s in wanted if s not in STATUSES]
        if bad:
            raise ValidationFailed(
                f"status must be among {', '.join(STATUSES)}", code="invalid_status"
            )
        stmt = stmt.where(Ticket.status.in_(wanted))
    if assignee == "me":
        stmt = stmt.where(Ticket.assignee_id == principal.user_id)
    elif assignee == "none":
        stmt = stmt.where(Ticket.assignee_id.is_(None))
    elif assignee:
        try:
            stmt = stmt.where(Ticket.assignee_id == uuid.UUID(assignee))
        except ValueError:
            raise ValidationFailed(
                "assignee is me, none or a user id", code="invalid_assignee"
            ) from None
    if q and q.strip():
        term = q.strip().lstrip("#")
        like = f"%{term.lower()}%"
        clauses: list[ColumnElement[bool]] = [
            Ticket.subject.ilike(like),
            Ticket.requester_email.ilike(like),
            Ticket.requester_name.ilike(like),
        ]
        if term.isdigit() and len(term) < 10:
            clauses.append(Ticket.number == int(term))
        stmt = stmt.where(or_(*clauses))
    if cursor:
        try:
            stmt = stmt.where(Ticket.id < uuid.UUID(cursor))
        except ValueError:
            raise ValidationFailed("bad cursor", code="invalid_cursor") from None
    rows = list(await uow.session.scalars(stmt.limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (str(rows[-1].id) if more and rows else None)
