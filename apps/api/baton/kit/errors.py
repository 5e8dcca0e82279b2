"""Domain errors carry their HTTP status and a stable code; one handler maps them."""

from __future__ import annotations

from typing import Any, ClassVar

import msgspec


class ErrorBody(msgspec.Struct):
    """The shape of every error response: ``{"error": code, "detail": ...}``."""

    error: str
    detail: Any = None


class DomainError(Exception):
    status_code: ClassVar[int] = 400
    code: ClassVar[str] = "bad_request"

    def __init__(self, detail: Any = None, *, code: str | None = None) -> None:
        super().__init__(detail if isinstance(detail, str) else self.code)
        self.detail = detail
        if code is not None:
            self.code = code  # type: ignore[misc]

    def body(self) -> dict[str, Any]:
        return {"error": self.code, "detail": self.detail}


class BadRequest(DomainError):
    status_code = 400
    code = "bad_request"


class ValidationFailed(DomainError):
    status_code = 422
    code = "validation_error"


class Unauthorized(DomainError):
    status_code = 401
    code = "unauthorized"


class Forbidden(DomainError):
    status_code = 403
    code = "forbidden"


class NotFound(DomainError):
    status_code = 404
    code = "not_found"


class Conflict(DomainError):
    status_code = 409
    code = "conflict"


class PayloadTooLarge(DomainError):
    status_code = 413
    code = "payload_too_large"


class RateLimited(DomainError):
    status_code = 429
    code = "rate_limited"

    def __init__(self, detail: Any = None, *, retry_after: int = 60) -> None:
        super().__init__(detail)
        self.retry_after = retry_after

    def body(self) -> dict[str, Any]:
        return {**super().body(), "retry_after": self.retry_after}


class ServiceUnavailable(DomainError):
    status_code = 503
    code = "unavailable"
