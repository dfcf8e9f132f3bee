"""HTTP API: scoring (`/v1/assess`, `/v1/assess/batch`) and the rubric, model and health endpoints; how the scoring
pool's errors read as problems."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlsplit

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIType, Operation, RequestBody, Schema
from litestar.params import QueryParameter

from model.assessment import NotTextError, PageTooComplexError
from model.rubric import Rubric
from service.problems import ProblemError, handle_problem, problem
from service.scoring.pool import ScoringError, ScoringPool
from service.scoring.reliability import real_pages
from service.scoring.schemas import (
    AssessRequest, AssessResponse, BatchAssessment, BatchProblem, BatchRequest, BatchResponse,
    MAX_BATCH_PAGES, ModelResponse, RubricResponse, Thresholds,
)
from service.settings import HTML_TYPES
from service.web import JSON_TYPE, charge, clean_url, decode, problem_responses, rate_limited, require_json

_URL = Schema(one_of=[Schema(type=OpenAPIType.STRING, format="uri"), Schema(type=OpenAPIType.NULL)])
_PAGE = Schema(type=OpenAPIType.OBJECT, required=["html"], properties={"html": Schema(type=OpenAPIType.STRING),
                                                                       "url": _URL})


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


SCORING_PROBLEMS = problem_responses(400, 413, 415, 422, 429, 503)


def scoring_problem(exc: ScoringError | NotTextError) -> ProblemError:
    """The problem a scoring failure is answered with: 422 for input that is not a page, else 503 with Retry-After."""
    if isinstance(exc, PageTooComplexError):
        return ProblemError(422, str(exc), kind="page-too-complex")
    if isinstance(exc, NotTextError):
        return ProblemError(422, str(exc), kind="not-a-page")
    return ProblemError(503, str(exc), {"Retry-After": str(exc.retry_after)}, kind=exc.kind)


def handle_scoring_error(request: Request, exc: ScoringError | NotTextError) -> Response:
    return handle_problem(request, scoring_problem(exc))


SCORING_HANDLERS = {ScoringError: handle_scoring_error, NotTextError: handle_scoring_error}


async def _assess_page(request: Request, pool: ScoringPool, html: str | bytes, url: str | None) -> AssessResponse:
    url = clean_url(url)
    result = await pool.assess(html)
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
    async def assess(self, request: Request, pool: NamedDependency[ScoringPool], url: Annotated[str | None, QueryParameter(
            description="The page URL, for a raw text/html body")] = None) -> AssessResponse:
        body = await request.body()
        media_type, options = request.content_type
        if media_type.lower() == JSON_TYPE:
            page = decode(body, AssessRequest)
            return await _assess_page(request, pool, page.html, page.url)
        if media_type.lower() in HTML_TYPES:
            return await _assess_page(request, pool, _decode_html(body, options.get("charset")), url)
        raise ProblemError(415, "Send JSON (application/json) or the page itself (text/html).",
                           kind="unsupported-media-type")

    @post("/batch", operation_class=BatchOperation, status_code=200, summary="Assess up to 20 pages",
          responses=SCORING_PROBLEMS,
          description="Results come back in the same order; a page that fails gets its own problem object.")
    async def batch(self, request: Request, pool: NamedDependency[ScoringPool]) -> BatchResponse:
        require_json(request.content_type[0], "the batch")
        batch = decode(await request.body(), BatchRequest)
        charge(request, len(batch.pages) - 1)  # one token per page: the guard took the first
        outcomes = await asyncio.gather(*(_assess_page(request, pool, page.html, page.url) for page in batch.pages),
                                        return_exceptions=True)
        results: list[BatchAssessment | BatchProblem] = []
        for outcome in outcomes:
            if isinstance(outcome, (ScoringError, NotTextError)):
                outcome = scoring_problem(outcome)
            if isinstance(outcome, ProblemError):
                results.append(BatchProblem(**problem(outcome.status, outcome.detail, outcome.kind), outcome="problem"))
            elif isinstance(outcome, BaseException):
                raise outcome
            else:
                results.append(BatchAssessment(**outcome, outcome="assessment"))
        return BatchResponse(results=results)


class MetaController(Controller):
    tags = ["about"]

    @get("/v1/criteria", summary="The rubric: criteria, grades, sources and wording")
    async def criteria(self, rubric: NamedDependency[Rubric]) -> RubricResponse:
        return msgspec.convert(rubric.to_dict(), RubricResponse)

    @get("/v1/model", summary="The loaded model: version, SHA-256, thresholds, its figures on the corpus and on real "
                              "pages, and how often each criterion it names is right on real pages")
    async def model(self, manifest: NamedDependency[dict]) -> ModelResponse:
        m = manifest
        test = m.get("metrics", {}).get("test", {})
        headline = {k: test.get(k) for k in ("spearman", "auc_grade_ge_2", "red_flag_macro_f1", "mitigating_macro_f1",
                                             "evidence_precision", "criteria_brier")}
        return ModelResponse(name=m["name"], version=m["version"], sha256=m["sha256"],
                             rubric_version=m["rubric_version"], thresholds=msgspec.convert(m["thresholds"], Thresholds),
                             metrics=headline, trained_with=dict(m.get("environment", {})), real_pages=real_pages(m))

