"""Helpers for Socket.IO event handlers: validation, a unit of work, and error acks.

Every client event that takes data is acknowledged; a refused event is acked with
``{"error": code, "detail": ...}`` and changes nothing (its unit of work rolls back). A
database that cannot answer (restarting, locked, timed out) is acked
``{"error": "database_unavailable", "detail", "retry_after"}``, REST's 503, not ``internal_error``.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from baton.db.errors import RETRY_AFTER_SECONDS, unavailable_reason
from baton.kit.errors import DomainError
from baton.kit.logging import correlation_id, new_correlation_id

log = logging.getLogger(__name__)

Handler = TypeVar("Handler", bound=Callable[..., Awaitable[Any]])


def error_ack(code: str, detail: Any = None) -> dict[str, Any]:
    return {"error": code, "detail": detail}


def acked(fn: Handler) -> Handler:
    """Turn domain errors into error acks and never let an exception kill the socket."""

    @functools.wraps(fn)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        token = correlation_id.set(f"sio-{new_correlation_id()[:12]}")
        try:
            return await fn(*args, **kwargs)
        except DomainError as exc:
            return exc.body()
        except Exception as exc:
            reason = unavailable_reason(exc)
            if reason is not None:  # as REST's 503: nothing was done, the client retries
                log.warning("database unavailable in %s: %s", fn.__name__, reason)
                return {
                    **error_ack("database_unavailable", reason),
                    "retry_after": RETRY_AFTER_SECONDS,
                }
            log.exception("socket handler failed", extra={"handler": fn.__name__})
            return error_ack("internal_error", "an unexpected error occurred")
        finally:
            correlation_id.reset(token)

    return wrapper  # type: ignore[return-value]
