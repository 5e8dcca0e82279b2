"""HTTP edge helpers: the error handler and the OpenAPI error docs."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, SerializationException, ValidationException
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import (
    OpenAPIFormat,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    Schema,
)
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from baton.db.errors import RETRY_AFTER_SECONDS, unavailable_reason
from baton.kit.errors import DomainError, ErrorBody, RateLimited

log = logging.getLogger(__name__)

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
}


def error_response(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    if isinstance(exc, DomainError):
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else None
        return Response(exc.body(), status_code=exc.status_code, headers=headers)
    if isinstance(exc, ValidationException):
        detail: Any = exc.detail
        if exc.extra:
            detail = {"message": exc.detail, "errors": exc.extra}
        return Response({"error": "validation_error", "detail": detail}, status_code=422)
    if isinstance(exc, HTTPException):
        status = exc.status_code
        if status >= 500:
            log.error("http error %s: %s", status, exc.detail)
        code = _HTTP_CODES.get(status, "error" if status < 500 else "internal_error")
        if isinstance(exc.__cause__, SerializationException):
            code = "invalid_json"
            return Response(
                {"error": code, "detail": f"request body is not valid JSON: {exc.detail}"},
                status_code=400,
            )
        return Response(
            {"error": code, "detail": exc.detail}, status_code=status, headers=exc.headers
        )
    reason = unavailable_reason(exc)
    if reason is not None:
        log.warning(
            "database unavailable on %s %s: %s (%s)",
            request.method,
            request.url.path,
            reason,
            type(exc).__name__,
        )
        return Response(
            {"error": "database_unavailable", "detail": reason},
            status_code=503,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    if isinstance(exc, RecursionError):  # a body nested deeper than the decoder goes
        return Response(
            {"error": "invalid_json", "detail": "request body is nested too deeply"},
            status_code=400,
        )
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return Response(
        {"error": "internal_error", "detail": "an unexpected error occurred"},
        status_code=HTTP_500_INTERNAL_SERVER_ERROR,
    )


_DESCRIPTIONS = {
    400: "Malformed request",
    401: "Missing or invalid credentials",
    403: "Not permitted",
    404: "Not found (or not visible to the caller)",
    409: "Conflicts with the current state",
    413: "Body too large",
    422: "Invalid input",
    429: "Rate limited",
}


def errors(*statuses: int) -> dict[int, ResponseSpec]:
    """OpenAPI documentation of a route's error responses, all shaped like ErrorBody.

    400 (malformed JSON, a NUL in the query, a bad parameter) and 413 (a body over
    ``BATON_MAX_BODY_BYTES``) can answer any route, so they are always there; 400 replaces
    Litestar's own ``{status_code, detail, extra}``, which Baton never sends."""
    return {
        s: ResponseSpec(data_container=ErrorBody, description=_DESCRIPTIONS.get(s, "Error"))
        for s in (400, 401, 413, 422, *statuses)
    }


def page_errors(*statuses: int) -> dict[int, ResponseSpec]:
    """Error responses of a route that answers people with HTML pages: ``statuses`` are
    pages, while 400 (refused at the edge, before the route runs) stays ErrorBody JSON."""
    return {
        **errors(),
        **{
            s: ResponseSpec(
                data_container=str,
                media_type=MediaType.HTML,
                description=_DESCRIPTIONS.get(s, "Error") + " (an HTML page)",
                generate_examples=False,
            )
            for s in statuses
        },
    }


def binary_operation(*media_types: str) -> type[Operation]:
    """An OpenAPI operation whose success response is a file in one of ``media_types``
    (Litestar documents a single media type, and JSON for ``Response[bytes]``)."""

    @dataclass
    class BinaryOperation(Operation):
        def __post_init__(self) -> None:
            for status, response in (self.responses or {}).items():
                if status.startswith("2") and isinstance(response, OpenAPIResponse):
                    binary = Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY)
                    response.content = {
                        t.split(";")[0]: OpenAPIMediaType(schema=binary) for t in media_types
                    }

    return BinaryOperation
