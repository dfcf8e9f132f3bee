"""Complaint store API: public `POST /v1/reports`; token-only queue, detail, status changes, export and re-scoring."""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from collections.abc import AsyncIterator, Callable
from datetime import date, datetime, time, timezone
from typing import Annotated, Literal, TypeVar
from urllib.parse import urlsplit

import msgspec
from litestar import Controller, Request, Response, get, patch, post
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.params import FromQuery, JSONBody, PathParameter, QueryParameter
from litestar.response import Stream
from msgspec import Meta, Struct
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from service import store
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIResponse, OpenAPIType, Operation, Schema

from service.api import ReportOperation, clean_url, decode, problem_responses, rate_limited
from service.db import Report
from service.problems import ProblemError
from service.schemas import AssessResponse, Level
from service.snapshot import sanitised_snapshot

T = TypeVar("T")
log = logging.getLogger("stemclaim.service")
Status = Literal["new", "triaged", "escalated", "dismissed"]
Sort = Literal["score", "newest", "count"]
ReportId = Annotated[int, PathParameter(ge=1, le=2**63 - 1, description="Report id")]


class ReportRequest(Struct, forbid_unknown_fields=True):
    url: str
    html: str
    note: Annotated[str, Meta(max_length=5000)] | None = None
    contact: Annotated[str, Meta(max_length=320)] | None = None


class ReportFiled(Struct):
    id: int
    count: int
    new: bool
    assessment: AssessResponse


class ReportSummary(Struct):
    id: int
    url: str
    host: str
    score: float
    level: Level
    grade: int
    status: Status
    count: int
    snapshot_sha256: str
    model_version: str
    created_at: datetime
    last_reported_at: datetime


class ReportPage(Struct):
    items: list[ReportSummary]
    total: int


class AuditItem(Struct):
    actor: str
    at: datetime
    from_status: Status
    to_status: Status
    note: str | None


class HistoryItem(Struct):
    assessed_at: datetime
    model_version: str
    score: float
    level: Level


class SubmissionItem(Struct):
    submitted_at: datetime
    note: str | None
    contact: str | None


class ReportDetail(ReportSummary):
    assessment: AssessResponse
    history: list[HistoryItem]
    audit: list[AuditItem]
    submissions: list[SubmissionItem]
    text: str


class StatusChange(Struct, forbid_unknown_fields=True):
    status: Status
    note: Annotated[str, Meta(max_length=5000)] | None = None


async def in_db(request: Request | ASGIConnection, work: Callable[[Session], T]) -> T:
    """Run ``work`` with a session in a worker thread; a database error becomes a 503 problem, never a 500."""

    def run() -> T:
        with request.app.state.sessions() as session:
            return work(session)

    try:
        return await asyncio.to_thread(run)
    except SQLAlchemyError as exc:
        log.error("database error: %s", type(exc).__name__)
        raise ProblemError(503, "The report store is unavailable; nothing was changed. Try again shortly.",
                           {"Retry-After": "5"}, kind="store-unavailable") from None


async def regulator(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    """Guard: a valid bearer token (or the triage sign-in cookie); 401 otherwise."""
    header = connection.headers.get("authorization", "")
    token = header[7:].strip() if header.lower().startswith("bearer ") else connection.cookies.get("stemclaim_token")
    owner = await in_db(connection, lambda s: store.token_owner(s, token)) if token else None
    if owner is None:
        raise ProblemError(401, "A valid regulator token is needed (Authorization: Bearer <token>).",
                           {"WWW-Authenticate": "Bearer"}, kind="unauthorized")
    connection.scope.setdefault("state", {})["actor"] = owner


def utc(moment: datetime) -> datetime:
    """Stored times are naive UTC; the API gives them with their offset (RFC 3339)."""
    return moment.replace(tzinfo=timezone.utc)


def _summary(report: Report) -> ReportSummary:
    return ReportSummary(id=report.id, url=report.url, host=report.host, score=report.score, level=report.level,
                         grade=report.grade, status=report.status, count=report.count,
                         snapshot_sha256=report.snapshot_sha256, model_version=report.model_version,
                         created_at=utc(report.created_at), last_reported_at=utc(report.last_reported_at))


def detail(session: Session, report: Report) -> ReportDetail:
    """Everything about a report: summary, latest assessment, history, audit trail, submissions, snapshot text."""
    return ReportDetail(
        **msgspec.structs.asdict(_summary(report)),
        assessment=msgspec.convert({**store.latest_assessment(session, report.id), "url": report.url}, AssessResponse),
        history=[HistoryItem(utc(a.assessed_at), a.model_version, a.score, a.level)
                 for a in store.history(session, report.id)],
        audit=[AuditItem(e.actor, utc(e.at), e.from_status, e.to_status, e.note) for e in store.trail(session, report.id)],
        submissions=[SubmissionItem(utc(s.submitted_at), s.note, s.contact)
                     for s in store.submissions(session, report.id)],
        text=store.snapshot_text(report),
    )


def _moment(value: str | None, end_of_day: bool) -> datetime | None:
    if not value:
        return None
    try:
        if len(value) == 10:
            return datetime.combine(date.fromisoformat(value), time.max if end_of_day else time.min)
        return datetime.fromisoformat(value).replace(tzinfo=None)
    except ValueError:
        raise ProblemError(400, f"{value!r} is not an ISO date (YYYY-MM-DD) or date-time.", kind="invalid-date") from None


def filters(level: Level | None, status: Status | None, host: str | None, q: str | None, since: str | None,
            until: str | None, sort: Sort) -> store.Filters:
    return store.Filters(level=level, status=status, host=host, q=q, since=_moment(since, False),
                         until=_moment(until, True), sort=sort)


def load_report(session: Session, report_id: int) -> Report:
    """The report, or a 404 problem."""
    report = session.get(Report, report_id)
    if report is None:
        raise ProblemError(404, f"No report {report_id}.", kind="no-such-report")
    return report


TRIAGE_PROBLEMS = problem_responses(400, 401, 404, 503)


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

    @post("/", guards=[rate_limited], status_code=201, summary="Report a page (public)",
          operation_class=ReportOperation,
          responses={200: ResponseSpec(ReportFiled, description="Added to an existing report's count"),
                     **problem_responses(400, 413, 415, 422, 429, 503)},
          description="Stores the sanitised page, its SHA-256 and its assessment. The same URL with the same content "
                      "adds to the existing report's count (200) instead of making a new one (201).")
    async def file(self, request: Request) -> Response[ReportFiled]:
        if request.content_type[0].lower() != "application/json":
            raise ProblemError(415, "Send the report as JSON (application/json).", kind="unsupported-media-type")
        body = decode(await request.body(), ReportRequest)
        url = clean_url(body.url)
        snapshot = await asyncio.to_thread(sanitised_snapshot, body.html)
        assessment = await request.app.state.pool.assess(snapshot)
        host = (urlsplit(url).hostname or "").lower()
        request.state["page_host"] = host
        report, new = await in_db(request, lambda s: store.file_report(
            s, url, host, snapshot, assessment, body.note, body.contact))
        filed = ReportFiled(id=report.id, count=report.count, new=new,
                            assessment=msgspec.convert({**assessment, "url": url}, AssessResponse))
        return Response(filed, status_code=201 if new else 200)

    @get("/", guards=[regulator], summary="The queue, filtered and sorted", responses=TRIAGE_PROBLEMS)
    async def queue(self, request: Request, level: FromQuery[Level | None] = None,
                    status: FromQuery[Status | None] = None, host: FromQuery[str | None] = None,
                    q: FromQuery[str | None] = None, since: FromQuery[str | None] = None,
                    until: FromQuery[str | None] = None, sort: FromQuery[Sort] = "score",
                    limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
                    offset: Annotated[int, QueryParameter(ge=0, le=2**62)] = 0) -> ReportPage:
        chosen = filters(level, status, host, q, since, until, sort)
        rows, total = await in_db(request, lambda s: store.list_reports(s, chosen, limit, offset))
        return ReportPage(items=[_summary(r) for r in rows], total=total)

    @get("/export", guards=[regulator], summary="Every matching report as CSV or JSON Lines",
         responses=TRIAGE_PROBLEMS, operation_class=ExportOperation)
    async def export(self, request: Request, format: FromQuery[Literal["csv", "jsonl"]] = "csv",
                     level: FromQuery[Level | None] = None, status: FromQuery[Status | None] = None,
                     host: FromQuery[str | None] = None, q: FromQuery[str | None] = None,
                     since: FromQuery[str | None] = None, until: FromQuery[str | None] = None,
                     sort: FromQuery[Sort] = "score") -> Stream:
        chosen = filters(level, status, host, q, since, until, sort)

        def rows(session: Session) -> list[dict]:
            return [store.export_row(r, store.latest_assessment(session, r.id)) for r in store.iter_reports(session, chosen)]

        exported = await in_db(request, rows)

        async def lines() -> AsyncIterator[str]:
            if format == "csv":
                yield store.csv_line(None)
            for row in exported:
                yield store.csv_line(row) if format == "csv" else json.dumps(row, ensure_ascii=False) + "\n"

        media = "text/csv" if format == "csv" else "application/x-ndjson"
        return Stream(lines(), media_type=media,
                      headers={"Content-Disposition": f'attachment; filename="stemclaim-reports.{format}"'})

    @get("/{report_id:int}", guards=[regulator], summary="One report: assessment, history, audit trail, snapshot text",
         responses=TRIAGE_PROBLEMS)
    async def one(self, request: Request, report_id: ReportId) -> ReportDetail:
        return await in_db(request, lambda s: detail(s, load_report(s, report_id)))

    @patch("/{report_id:int}", guards=[regulator], summary="Change a report's status (recorded in its audit trail)",
           responses=TRIAGE_PROBLEMS)
    async def change(self, request: Request, report_id: ReportId, data: JSONBody[StatusChange]) -> ReportDetail:
        actor = request.scope["state"]["actor"]

        def work(session: Session) -> ReportDetail:
            report = load_report(session, report_id)
            store.change_status(session, report, data.status, actor, data.note)
            return detail(session, report)

        return await in_db(request, work)

    @post("/{report_id:int}/rescore", guards=[regulator], status_code=200, responses=TRIAGE_PROBLEMS,
          summary="Re-score the stored snapshot with the current model (the earlier assessment stays in history)")
    async def rescore(self, request: Request, report_id: ReportId) -> ReportDetail:
        report = await in_db(request, lambda s: load_report(s, report_id))
        assessment = await request.app.state.pool.assess(store.decompress(report.snapshot))

        def work(session: Session) -> ReportDetail:
            current = load_report(session, report_id)
            store.add_assessment(session, current, assessment)
            return detail(session, current)

        return await in_db(request, work)

