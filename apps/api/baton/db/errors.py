"""Which database errors mean "the database cannot answer right now" (a 503, not a 500).

A statement or lock timeout, a pool with no free connection, SQLite's "database is locked",
a server that is shutting down or refusing connections: the request did nothing and may be
retried, so the edge answers ``503 {"error": "database_unavailable"}`` with ``Retry-After``
(kit/http.py). Constraint violations and programming errors stay what they are.
"""

from __future__ import annotations

from sqlalchemy import exc as sa_exc

from baton.db.engine import ConnectFailed

RETRY_AFTER_SECONDS = 5

# PostgreSQL SQLSTATEs: query_canceled (statement_timeout), lock_not_available (lock_timeout),
# too_many_connections, admin/crash shutdown, cannot_connect_now
_UNAVAILABLE_STATES = {
    "57014": "a query took longer than the statement timeout",
    "55P03": "a lock was not granted within the lock timeout",
    "53300": "the database has no free connection",
    "57P01": "the database is shutting down",
    "57P02": "the database is restarting",
    "57P03": "the database is not accepting connections yet",
}
_SQLITE_BUSY = ("database is locked", "database table is locked", "database is busy")


def _sqlstate(error: BaseException) -> str | None:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        state = getattr(current, "sqlstate", None) or getattr(current, "pgcode", None)
        if isinstance(state, str) and state:
            return state
        current = getattr(current, "orig", None) or current.__cause__
    return None


def unavailable_reason(error: BaseException) -> str | None:
    """A short reason when ``error`` means the database is (momentarily) unable to answer."""
    if isinstance(error, sa_exc.TimeoutError):
        return "no database connection became free within the pool timeout"
    if not isinstance(error, sa_exc.DBAPIError):
        return None
    state = _sqlstate(error)
    if state in _UNAVAILABLE_STATES:
        return _UNAVAILABLE_STATES[state]
    if state is not None and state.startswith("08"):
        return "the connection to the database failed"
    message = str(error.orig).lower()
    if any(marker in message for marker in _SQLITE_BUSY):
        return "the database is locked by another writer"
    if isinstance(error.orig, ConnectFailed):  # refused, reset or timed out: no SQLSTATE
        return "the database cannot be reached"
    if error.connection_invalidated:
        return "the connection to the database was lost"
    return None
