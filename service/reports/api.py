"""Complaint store API: public `POST /v1/reports`; token-only queue, detail, status changes, export and re-scoring."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal
from urllib.parse import urlsplit

import msgspec
from litestar import Controller, Request, Response, get, patch, post
from litestar.di import NamedDependency
from litestar.openapi.spec import (
    OpenAPIMediaType, OpenAPIResponse, OpenAPIType, Operation, RequestBody, Schema,
)
from litestar.params import FromQuery, JSONBody, QueryParameter
from litestar.response import Stream
from sqlalchemy.orm import Session, sessionmaker

from model.rubric import Level
from service.reports import store
from service.reports.auth import REGULATOR_TOKEN, regulator
from service.reports.evidence import evidence_response, snapshot_response
from service.reports.queries import detail, export_stream, filters, in_db, load_report, summary
from service.reports.schemas import (
    ReportDetail, ReportId, ReportReceived, ReportPage, ReportRequest, Sort, Status, StatusChange,
)
from service.reports.snapshot import snapshot_and_assess
from service.scoring.pool import ScoringPool
from service.scoring.schemas import AssessResponse
from service.web import clean_url, decode, plain_text, problem_responses, rate_limited, require_json

_TEXT = Schema(one_of=[Schema(type=OpenAPIType.STRING), Schema(type=OpenAPIType.NULL)])
_REPORT = Schema(type=OpenAPIType.OBJECT, required=["url", "html"], properties={
    "url": Schema(type=OpenAPIType.STRING, format="uri"), "html": Schema(type=OpenAPIType.STRING),
    "note": _TEXT, "contact": _TEXT})


@dataclass
class ReportOperation(Operation):
    """`POST /v1/reports` reads its own body (JSON only)."""

    def __post_init__(self) -> None:
        self.request_body = RequestBody(required=True, content={"application/json": OpenAPIMediaType(schema=_REPORT)})


REGULATOR_ONLY = {"guards": [regulator], "security": [{REGULATOR_TOKEN: []}]}
TRIAGE_PROBLEMS = problem_responses(400, 401, 404, 422, 503)


@dataclass
class ExportOperation(Operation):
    """The export's 200 comes as CSV or JSON Lines, by its `format` parameter."""

    def __post_init__(self) -> None:
        text = OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING))
        self.responses = {**(self.responses or {}), "200": OpenAPIResponse(
            description="One row per report", content={"text/csv": text, "application/x-ndjson": text})}


class ReportsController(Controller):
    path = "/v1/reports"
    tags = ["reports"]

    @post("/", guards=[rate_limited], status_code=202, summary="Report a page (public)",
          operation_class=ReportOperation, responses=problem_responses(400, 413, 415, 422, 429, 503),
          description="Stores the sanitised page, its SHA-256 and its assessment, and answers with the assessment "
                      "only: whether the page was reported before, and under which id, is for regulators to see.")
    async def file(self, request: Request, pool: NamedDependency[ScoringPool],
                   sessions: NamedDependency[sessionmaker]) -> ReportReceived:
        require_json(request.content_type[0], "the report")
        body = decode(await request.body(), ReportRequest)
        url = clean_url(body.url)
        note, contact = plain_text(body.note, "note"), plain_text(body.contact, "contact")
        snapshot, assessment = await pool.run(snapshot_and_assess, body.html)
        host = (urlsplit(url).hostname or "").lower()
        request.state["page_host"] = host
        await in_db(sessions, lambda s: store.file_report(s, url, host, snapshot, assessment, note, contact))
        return ReportReceived(received=True, assessment=msgspec.convert({**assessment, "url": url}, AssessResponse))

    @get("/", **REGULATOR_ONLY, summary="The queue, filtered and sorted", responses=TRIAGE_PROBLEMS)
    async def queue(self, sessions: NamedDependency[sessionmaker], level: FromQuery[Level | None] = None,
                    status: FromQuery[Status | None] = None, host: FromQuery[str | None] = None,
                    q: FromQuery[str | None] = None, since: FromQuery[str | None] = None,
                    until: FromQuery[str | None] = None, sort: FromQuery[Sort] = "score",
                    limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
                    offset: Annotated[int, QueryParameter(ge=0, le=2**62)] = 0) -> ReportPage:
        chosen = filters(level, status, host, q, since, until, sort)
        rows, total = await in_db(sessions, lambda s: store.list_reports(s, chosen, limit, offset))
        return ReportPage(items=[summary(r) for r in rows], total=total)

    @get("/export", **REGULATOR_ONLY, summary="Every matching report as CSV or JSON Lines",
         responses=TRIAGE_PROBLEMS, operation_class=ExportOperation)
    async def export(self, sessions: NamedDependency[sessionmaker], format: FromQuery[Literal["csv", "jsonl"]] = "csv",
                     level: FromQuery[Level | None] = None, status: FromQuery[Status | None] = None,
                     host: FromQuery[str | None] = None, q: FromQuery[str | None] = None,
                     since: FromQuery[str | None] = None, until: FromQuery[str | None] = None,
                     sort: FromQuery[Sort] = "score") -> Stream:
        return await export_stream(sessions, filters(level, status, host, q, since, until, sort), format)

    @get("/{report_id:int}", **REGULATOR_ONLY, summary="One report: assessment, history, audit trail, snapshot text",
         responses=TRIAGE_PROBLEMS)
    async def one(self, sessions: NamedDependency[sessionmaker], report_id: ReportId) -> ReportDetail:
        return await in_db(sessions, lambda s: detail(s, load_report(s, report_id)))

    @get("/{report_id:int}/snapshot", **REGULATOR_ONLY, media_type="text/html", responses=TRIAGE_PROBLEMS,
         summary="The stored snapshot, as reported (sanitised), checked against its SHA-256")
    async def snapshot(self, sessions: NamedDependency[sessionmaker], report_id: ReportId) -> Response[str]:
        return await snapshot_response(sessions, report_id)

    @get("/{report_id:int}/evidence.zip", **REGULATOR_ONLY, media_type="application/zip", responses=TRIAGE_PROBLEMS,
         summary="Evidence package: snapshot, its text, every assessment, submissions and the status trail, hashed")
    async def evidence(self, sessions: NamedDependency[sessionmaker], report_id: ReportId) -> Response[bytes]:
        return await evidence_response(sessions, report_id)

    @patch("/{report_id:int}", **REGULATOR_ONLY, summary="Change a report's status (recorded in its audit trail)",
           responses=TRIAGE_PROBLEMS)
    async def change(self, request: Request, sessions: NamedDependency[sessionmaker], report_id: ReportId,
                     data: JSONBody[StatusChange]) -> ReportDetail:
        actor = request.state.actor

        def work(session: Session) -> ReportDetail:
            report = load_report(session, report_id)
            store.change_status(session, report, data.status, actor, plain_text(data.note, "note"))
            return detail(session, report)

        return await in_db(sessions, work)

    @post("/{report_id:int}/rescore", **REGULATOR_ONLY, status_code=200, responses=TRIAGE_PROBLEMS,
          summary="Re-score the stored snapshot with the current model (the earlier assessment stays in history)")
    async def rescore(self, pool: NamedDependency[ScoringPool], sessions: NamedDependency[sessionmaker], report_id: ReportId) -> ReportDetail:
        report = await in_db(sessions, lambda s: load_report(s, report_id))
        assessment = await pool.assess(store.decompress(report.snapshot))

        def work(session: Session) -> ReportDetail:
            current = load_report(session, report_id)
            store.add_assessment(session, current, assessment)
            return detail(session, current)

        return await in_db(sessions, work)
