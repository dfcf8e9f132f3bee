"""Request helpers every controller shares: body decoding, URL cleaning, the rate-limit guard, documented problems."""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

import msgspec
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Example

from service.problems import PROBLEM_JSON, Problem, ProblemError, problem

JSON_TYPE = "application/json"
MAX_URL = 2048  # the longest page URL the report store keeps
_PATH_PARAMETERS = re.compile(r";[^/]*")  # ;jsessionid=... and the like


async def rate_limited(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    """Guard: one token per request from this client, else 429 with Retry-After (a coroutine, so that Litestar runs
    it on the event loop rather than handing it to a thread: it only counts)."""
    charge(connection, 1)


def charge(connection: ASGIConnection, pages: int) -> None:
    """Take ``pages`` rate-limit tokens from this client (the peer address: forwarded headers count only from the
    proxies the service is told to trust); 429 with Retry-After when they are not there."""
    client = connection.client.host if connection.client else "unknown"
    wait = connection.app.state.limiter.retry_after(client, pages)
    if wait is not None:
        raise ProblemError(429, f"Too many requests from this client; try again in {wait} seconds.",
                           {"Retry-After": str(wait)}, kind="rate-limited")


def require_json(media_type: str, what: str) -> None:
    """415 unless the request says it is JSON."""
    if media_type.lower() != JSON_TYPE:
        raise ProblemError(415, f"Send {what} as JSON (application/json).", kind="unsupported-media-type")


def clean_url(url: str | None) -> str | None:
    """The page URL without what can identify its visitor (user:password@, ;path parameters such as a session id,
    query string, fragment); 422 unless it is an absolute http(s) URL of at most ``MAX_URL`` characters."""
    if url is None:
        return None
    try:
        parts = urlsplit(url.strip())
        host, port = parts.hostname, parts.port
    except ValueError:
        host = port = None
    if host is None or parts.scheme.lower() not in ("http", "https") or len(host) > 253 or not host.isprintable():
        raise ProblemError(422, "url must be an absolute http or https URL.", kind="invalid-url")
    netloc = (f"[{host}]" if ":" in host else host) + (f":{port}" if port else "")
    cleaned = urlunsplit((parts.scheme.lower(), netloc, _PATH_PARAMETERS.sub("", parts.path), "", ""))
    if len(cleaned) > MAX_URL or "\x00" in cleaned:
        raise ProblemError(422, f"url must be at most {MAX_URL} characters, with no NUL.", kind="invalid-url")
    return cleaned


def plain_text(value: str | None, field: str) -> str | None:
    """A free-text field as given; 422 if it carries a NUL character (no database keeps one)."""
    if value is not None and "\x00" in value:
        raise ProblemError(422, f"{field} must not contain NUL characters.", kind="invalid-text")
    return value


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


_EXAMPLES = {  # a real problem of each status, as the service sends it
    400: ("malformed-json", "The request body is not valid JSON."),
    401: ("unauthorized", "A valid regulator token is needed (Authorization: Bearer <token>)."),
    404: ("no-such-report", "No report 42."),
    413: ("too-large", "The request body is over the limit of 5,000,000 bytes."),
    415: ("unsupported-media-type", "Send JSON (application/json) or the page itself (text/html)."),
    422: ("invalid-url", "The page URL must be an absolute http or https URL of at most 2,048 characters."),
    429: ("rate-limited", "Too many requests from this client; try again in 12 seconds."),
    503: ("queue-full", "The scoring queue is full; try again shortly."),
}


def problem_responses(*statuses: int) -> dict[int, ResponseSpec]:
    """OpenAPI entries for the problem responses an endpoint can give, each with a real example."""
    return {s: ResponseSpec(Problem, description=_REASONS[s], media_type=PROBLEM_JSON, generate_examples=False,
                            examples=[Example(summary=_EXAMPLES[s][0], value=problem(s, _EXAMPLES[s][1], _EXAMPLES[s][0]))])
            for s in statuses}
