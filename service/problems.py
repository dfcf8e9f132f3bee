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


KINDS = {
    "malformed-json": "The request body is not valid JSON.",
    "invalid-body": "The JSON does not have the fields the endpoint expects (see /schema).",
    "invalid-request": "A query parameter or field is missing or of the wrong type; the detail names it.",
    "invalid-url": "The page URL must be an absolute http or https URL of at most 2,048 characters.",
    "invalid-text": "A note, contact or filter contains a NUL character, or a note is over 5,000 characters.",
    "invalid-date": "since and until take an ISO date (YYYY-MM-DD) or date-time; a time with an offset is converted "
                    "to UTC.",
    "invalid-status": "A report's status is one of new, triaged, escalated and dismissed.",
    "invalid-id": "Report ids are whole numbers from 1 to 2,147,483,647; bulk changes need at least one.",
    "invalid-format": "Exports are csv or jsonl.",
    "unsupported-media-type": "Send JSON (application/json), or a page itself as text/html to /v1/assess.",
    "too-large": "The request body is over the service's size limit (STEMCLAIM_MAX_BODY_BYTES).",
    "slow-body": "The request body stopped arriving for longer than the service waits (STEMCLAIM_BODY_TIMEOUT_SECONDS); "
                 "send it again in one go.",
    "slow-headers": "The request headers did not arrive within the time the service waits "
                    "(STEMCLAIM_HEADER_TIMEOUT_SECONDS); the connection was closed.",
    "not-a-page": "The input is not a page: binary data, or not text at all.",
    "page-too-complex": "The page has far more markup than a real page (over 100,000 tags once scripts and styles "
                        "are cut), so it was not read.",
    "rate-limited": "Too many pages from this client for now; wait the seconds Retry-After gives.",
    "queue-full": "Every scoring worker is busy and the queue is full; try again after Retry-After.",
    "scoring-timeout": "The page took longer to score than the service allows; its worker was replaced.",
    "scoring-unavailable": "The scoring workers are starting or were restarted; try again after Retry-After.",
    "store-unavailable": "The report store could not be reached; nothing was changed. Try again after Retry-After.",
    "unauthorized": "The queue is for regulators: send Authorization: Bearer <token> (from stemclaim tokens "
                    "create), or sign in at /triage.",
    "csrf": "A triage form must come from a triage page of this service; reload the page and try again.",
    "no-such-report": "There is no report with that id.",
    "snapshot-altered": "A stored snapshot no longer matches the SHA-256 recorded when it was reported, so it is not "
                        "handed out as the page that was reported.",
}


def problem(status: int, detail: str, kind: str | None = None) -> dict:
    """The problem object for a status: ``type`` names the kind of problem and resolves to a page of this service
    describing it (``/problems/<kind>``)."""
    title = HTTPStatus(status).phrase
    slug = kind or title.lower().replace(" ", "-")
    return {"type": f"/problems/{slug}", "title": title, "status": status, "detail": detail}


def _response(status: int, detail: str, headers: dict[str, str] | None = None, kind: str | None = None) -> Response:
    return Response(content=problem(status, detail, kind), status_code=status, media_type=PROBLEM_JSON,
                    headers=headers or {})


class SlowBodyError(Exception):
    """The client stopped sending its request body part-way (see :func:`service.app.body_deadline`)."""


def handle_slow_body(_: Request, exc: SlowBodyError) -> Response:
    return _response(408, str(exc), {"Connection": "close"}, kind="slow-body")


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


EXCEPTION_HANDLERS = {ProblemError: handle_problem, SlowBodyError: handle_slow_body,
                      HTTPException: handle_http_exception, Exception: handle_unexpected}
