"""Request helpers every controller shares: body decoding, URL cleaning, the rate-limit guard, documented problems."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import msgspec
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.openapi.datastructures import ResponseSpec

from service.problems import PROBLEM_JSON, Problem, ProblemError

JSON_TYPE = "application/json"


def rate_limited(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    """Guard: one token per request from this client, else 429 with Retry-After."""
    client = connection.client.host if connection.client else "unknown"
    wait = connection.app.state.limiter.retry_after(client)
    if wait is not None:
        raise ProblemError(429, f"Too many requests from this client; try again in {wait} seconds.",
                           {"Retry-After": str(wait)}, kind="rate-limited")


def require_json(media_type: str, what: str) -> None:
    """415 unless the request says it is JSON."""
    if media_type.lower() != JSON_TYPE:
        raise ProblemError(415, f"Send {what} as JSON (application/json).", kind="unsupported-media-type")


def clean_url(url: str | None) -> str | None:
    """The page URL without query string and fragment; 422 unless it is an absolute http(s) URL."""
    if url is None:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        parts = None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ProblemError(422, "url must be an absolute http or https URL.", kind="invalid-url")
    return urlunsplit((parts.scheme.lower(), parts.netloc, parts.path, "", ""))


def decode(body: bytes, kind: type):
    """JSON body into ``kind``: 400 if it is not JSON, 422 if it does not fit the schema."""
    try:
        return msgspec.json.decode(body, type=kind)
    except msgspec.ValidationError as exc:
        raise ProblemError(422, f"The request body does not match the schema: {exc}", kind="invalid-body") from None
    except msgspec.DecodeError:
        raise ProblemError(400, "The request body is not valid JSON.", kind="malformed-json") from None


_REASONS = {400: "Malformed JSON or query", 401: "No valid regulator token", 404: "No such report",
            413: "Body over the size limit", 415: "Unsupported content type",
            422: "Body, URL or page not acceptable", 429: "Rate limited (see Retry-After)",
            503: "Busy, too slow or store unavailable (see Retry-After)"}


def problem_responses(*statuses: int) -> dict[int, ResponseSpec]:
    """OpenAPI entries for the problem responses an endpoint can give."""
    return {s: ResponseSpec(Problem, description=_REASONS[s], media_type=PROBLEM_JSON) for s in statuses}
