"""One error format everywhere: RFC 9457 problem+json (``type``, ``title``, ``status``, ``detail``)."""

from __future__ import annotations

import logging
from http import HTTPStatus

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from msgspec import Struct

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("stemclaim.service")


class Problem(Struct):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str


class ProblemError(Exception):
    """Raise to answer with a problem response."""

    def __init__(self, status: int, detail: str, headers: dict[str, str] | None = None, kind: str | None = None):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.headers = headers or {}
        self.kind = kind


def problem(status: int, detail: str, kind: str | None = None) -> dict:
    """The problem object for a status: ``type`` is a stable URI naming the kind of problem."""
    title = HTTPStatus(status).phrase
    slug = kind or title.lower().replace(" ", "-")
    return {"type": f"https://stemclaim.org/problems/{slug}", "title": title, "status": status, "detail": detail}


def _response(status: int, detail: str, headers: dict[str, str] | None = None, kind: str | None = None) -> Response:
    return Response(content=problem(status, detail, kind), status_code=status, media_type=PROBLEM_JSON,
                    headers=headers or {})


def handle_problem(_: Request, exc: ProblemError) -> Response:
    return _response(exc.status, exc.detail, exc.headers, exc.kind)


def problem_detail(exc: HTTPException) -> str:
    """What went wrong, in words, for any framework error (validation names the field, never the value)."""
    if isinstance(exc, ValidationException):
        return _validation_detail(exc)
    return exc.detail or HTTPStatus(exc.status_code).phrase


def handle_http_exception(request: Request, exc: HTTPException) -> Response:
    if isinstance(exc, ValidationException):
        return _response(400, problem_detail(exc), kind="invalid-request")
    if exc.status_code == 413:
        limit = request.app.request_max_body_size
        return _response(413, f"The request body is over the limit of {limit:,} bytes.", kind="too-large")
    return _response(exc.status_code, problem_detail(exc), dict(exc.headers or {}))


def handle_unexpected(request: Request, exc: Exception) -> Response:
    """Anything else is our fault: log its type and where (never the request body), answer 500 as a problem."""
    log.error("unhandled %s on %s %s", type(exc).__name__, request.method, request.url.path)
    return _response(500, "The service failed while handling this request.")


def _validation_detail(exc: ValidationException) -> str:
    """Validation messages name the field and the expected type, never the submitted value."""
    extra = exc.extra if isinstance(exc.extra, list) else []
    parts = [f"{e.get('key') or 'body'}: {e.get('message')}" for e in extra if isinstance(e, dict) and e.get("message")]
    return "; ".join(parts) or "The request body is not valid."


EXCEPTION_HANDLERS = {ProblemError: handle_problem, HTTPException: handle_http_exception, Exception: handle_unexpected}
