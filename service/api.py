"""HTTP API: scoring (`/v1/assess`, `/v1/assess/batch`) and the rubric, model and health endpoints."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlsplit, urlunsplit

import msgspec
from litestar import Controller, Request, get, post
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import QueryParameter
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIType, Operation, RequestBody, Schema

from service.problems import PROBLEM_JSON, ProblemError, problem
from service.schemas import (
    AssessRequest, AssessResponse, BatchAssessment, BatchProblem, BatchRequest, BatchResponse, HealthResponse,
    MAX_BATCH_PAGES, ModelResponse, Problem, RubricResponse, Thresholds,
)

HTML_TYPES = ("text/html", "application/xhtml+xml")
_URL = Schema(one_of=[Schema(type=OpenAPIType.STRING, format="uri"), Schema(type=OpenAPIType.NULL)])
_TEXT = Schema(one_of=[Schema(type=OpenAPIType.STRING), Schema(type=OpenAPIType.NULL)])
_PAGE = Schema(type=OpenAPIType.OBJECT, required=["html"], properties={"html": Schema(type=OpenAPIType.STRING),
                                                                       "url": _URL})
_REPORT = Schema(type=OpenAPIType.OBJECT, required=["url", "html"], properties={
    "url": Schema(type=OpenAPIType.STRING, format="uri"), "html": Schema(type=OpenAPIType.STRING),
    "note": _TEXT, "contact": _TEXT})


@dataclass
class AssessOperation(Operation):
    """`/v1/assess` reads its own body, so its two accepted forms are declared here."""

    def __post_init__(self) -> None:
        self.request_body = RequestBody(required=True, content={
            "application/json": OpenAPIMediaType(schema=_PAGE),
            "text/html": OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING)),
        })


@dataclass
class BatchOperation(Operation):
    def __post_init__(self) -> None:
        pages = Schema(type=OpenAPIType.ARRAY, items=_PAGE, min_items=1, max_items=MAX_BATCH_PAGES)
        self.request_body = RequestBody(required=True, content={"application/json": OpenAPIMediaType(
            schema=Schema(type=OpenAPIType.OBJECT, required=["pages"], properties={"pages": pages}))})


def problem_responses(*statuses: int) -> dict[int, ResponseSpec]:
    """OpenAPI entries for the problem responses an endpoint can give."""
    reasons = {400: "Malformed JSON or query", 401: "No valid regulator token", 404: "No such report",
               413: "Body over the size limit", 415: "Unsupported content type",
               422: "Body, URL or page not acceptable", 429: "Rate limited (see Retry-After)",
               503: "Busy, too slow or store unavailable (see Retry-After)"}
    return {s: ResponseSpec(Problem, description=reasons[s], media_type=PROBLEM_JSON) for s in statuses}


SCORING_PROBLEMS = problem_responses(400, 413, 415, 422, 429, 503)


@dataclass
class ReportOperation(Operation):
    """`POST /v1/reports` reads its own body (JSON only)."""

    def __post_init__(self) -> None:
        self.request_body = RequestBody(required=True, content={"application/json": OpenAPIMediaType(schema=_REPORT)})


def rate_limited(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    """Guard: one token per request from this client, else 429 with Retry-After."""
    client = connection.client.host if connection.client else "unknown"
    wait = connection.app.state.limiter.retry_after(client)
    if wait is not None:
        raise ProblemError(429, f"Too many requests from this client; try again in {wait} seconds.",
                           {"Retry-After": str(wait)}, kind="rate-limited")


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


async def _assess_page(request: Request, html: str | bytes, url: str | None) -> AssessResponse:
    url = clean_url(url)
    result = await request.app.state.pool.assess(html)
    if url:
        request.state["page_host"] = urlsplit(url).hostname
    return msgspec.convert({**result, "url": url}, AssessResponse)


def _decode_html(body: bytes, charset: str | None) -> str | bytes:
    """A raw page body: decoded by the Content-Type charset if one is named, else left to the page's meta charset."""
    if not charset:
        return body
    try:
        return body.decode(charset, "replace")
    except (LookupError, UnicodeError):  # unknown, or not a text encoding (idna, punycode, rot13...)
        return body


class AssessController(Controller):
    path = "/v1/assess"
    guards = [rate_limited]
    tags = ["scoring"]

    @post("/", operation_class=AssessOperation, status_code=200, summary="Assess one page",
          responses=SCORING_PROBLEMS,
          description="Body: JSON `{\"html\", \"url\"?}`, or the raw page with `Content-Type: text/html` (and the "
                      "page URL, if any, in the `url` query parameter).")
    async def assess(self, request: Request, url: Annotated[str | None, QueryParameter(
            description="The page URL, for a raw text/html body")] = None) -> AssessResponse:
        body = await request.body()
        media_type, options = request.content_type
        if media_type.lower() == "application/json":
            page = decode(body, AssessRequest)
            return await _assess_page(request, page.html, page.url)
        if media_type.lower() in HTML_TYPES:
            return await _assess_page(request, _decode_html(body, options.get("charset")), url)
        raise ProblemError(415, "Send JSON (application/json) or the page itself (text/html).",
                           kind="unsupported-media-type")

    @post("/batch", operation_class=BatchOperation, status_code=200, summary="Assess up to 20 pages",
          responses=SCORING_PROBLEMS,
          description="Results come back in the same order; a page that fails gets its own problem object.")
    async def batch(self, request: Request) -> BatchResponse:
        if request.content_type[0].lower() != "application/json":
            raise ProblemError(415, "Send the batch as JSON (application/json).", kind="unsupported-media-type")
        batch = decode(await request.body(), BatchRequest)
        outcomes = await asyncio.gather(*(_assess_page(request, page.html, page.url) for page in batch.pages),
                                        return_exceptions=True)
        results: list[BatchAssessment | BatchProblem] = []
        for outcome in outcomes:
            if isinstance(outcome, ProblemError):
                results.append(BatchProblem(**problem(outcome.status, outcome.detail, outcome.kind)))
            elif isinstance(outcome, BaseException):
                raise outcome
            else:
                results.append(BatchAssessment(**msgspec.structs.asdict(outcome)))
        return BatchResponse(results=results)


class MetaController(Controller):
    tags = ["about"]

    @get("/v1/criteria", summary="The rubric: criteria, grades, sources and wording")
    async def criteria(self, request: Request) -> RubricResponse:
        return msgspec.convert(request.app.state.rubric.to_dict(), RubricResponse)

    @get("/v1/model", summary="The loaded model: version, SHA-256, thresholds, headline metrics")
    async def model(self, request: Request) -> ModelResponse:
        m = request.app.state.manifest
        test = m.get("metrics", {}).get("test", {})
        headline = {k: test.get(k) for k in ("spearman", "auc_grade_ge_2", "red_flag_macro_f1", "mitigating_macro_f1",
                                             "evidence_precision", "criteria_brier")}
        return ModelResponse(name=m["name"], version=m["version"], sha256=m["sha256"],
                             rubric_version=m["rubric_version"], thresholds=msgspec.convert(m["thresholds"], Thresholds),
                             metrics=headline, trained_with=dict(m.get("environment", {})))

    @get("/health", summary="Ready, with the model version")
    async def health(self, request: Request) -> HealthResponse:
        return HealthResponse(status="ok", model_version=request.app.state.manifest["version"])
