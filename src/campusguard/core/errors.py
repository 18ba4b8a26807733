"""Errors as RFC 9457 problem details; every refusal is logged, nothing leaks a 500."""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

log = structlog.get_logger(__name__)

PROBLEM = "application/problem+json"


class ProblemError(Exception):
    """A refusal with a stable machine code that the UI can translate."""

    status: int = 400
    title: str = "Bad request"
    code: str = "bad_request"

    def __init__(self, detail: str = "", *, code: str | None = None, status: int | None = None,
                 extra: dict[str, Any] | None = None, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        if code:
            self.code = code
        if status:
            self.status = status
        self.extra = extra or {}
        self.headers = headers


class BadRequest(ProblemError):
    status, title, code = 400, "Bad request", "bad_request"


class Unauthorized(ProblemError):
    status, title, code = 401, "Unauthorized", "unauthorized"


class Forbidden(ProblemError):
    status, title, code = 403, "Forbidden", "forbidden"


class NotFound(ProblemError):
    status, title, code = 404, "Not found", "not_found"


class Conflict(ProblemError):
    status, title, code = 409, "Conflict", "conflict"


class PayloadTooLarge(ProblemError):
    status, title, code = 413, "Payload too large", "too_large"


class Unprocessable(ProblemError):
    status, title, code = 422, "Unprocessable entity", "invalid"


class TooManyRequests(ProblemError):
    status, title, code = 429, "Too many requests", "rate_limited"


def problem(status: int, title: str, detail: str, code: str, request: Request | None = None,
            headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    """Build a problem+json response."""
    body = {"type": f"https://campusguard.dev/problems/{code}", "title": title, "status": status,
            "detail": detail, "code": code, **extra}
    if request is not None:
        body["instance"] = request.url.path
        rid = getattr(request.state, "request_id", None)
        if rid:
            body["request_id"] = rid
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def install(app: FastAPI) -> None:
    """Route every error path through problem+json."""

    @app.exception_handler(ProblemError)
    async def _problem(request: Request, exc: ProblemError) -> JSONResponse:
        log.info("request.refused", path=request.url.path, status=exc.status, code=exc.code,
                 detail=exc.detail)
        return problem(exc.status, exc.title, exc.detail, exc.code, request, exc.headers, **exc.extra)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"loc": list(e.get("loc", ())), "msg": e.get("msg"), "type": e.get("type")}
                  for e in exc.errors()]
        log.info("request.invalid", path=request.url.path, errors=errors)
        return problem(422, "Unprocessable entity", "the request does not match the schema",
                       "invalid", request, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed", 401: "unauthorized",
                403: "forbidden"}.get(exc.status_code, "http_error")
        return problem(exc.status_code, str(exc.detail), str(exc.detail), code, request,
                       getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("request.crashed", path=request.url.path)
        return problem(500, "Internal error", "an unexpected error was logged", "internal", request)
