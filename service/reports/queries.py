"""The database seam of the reports domain: run store work off the event loop, find a report, assemble its detail."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Callable
from datetime import date, datetime, time, timezone
from typing import TypeVar

import msgspec
from litestar.response import Stream
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from service import export
from service.problems import ProblemError
from service.web import plain_text
from service.reports import store
from service.reports.schemas import AuditItem, HistoryItem, ReportDetail, ReportSummary, SubmissionItem
from service.reports.tables import Report
from service.scoring.schemas import AssessResponse

T = TypeVar("T")
log = logging.getLogger("stemclaim.service")


async def in_db(sessions: sessionmaker, work: Callable[[Session], T]) -> T:
    """Run ``work`` with a session in a worker thread; a database error becomes a 503 problem, never a 500."""

    def run() -> T:
        with sessions() as session:
            return work(session)

    try:
        return await asyncio.to_thread(run)
    except SQLAlchemyError as exc:
        log.error("database error: %s", type(exc).__name__)
        raise ProblemError(503, "The report store is unavailable; nothing was changed. Try again shortly.",
                           {"Retry-After": "5"}, kind="store-unavailable") from None


def utc(moment: datetime) -> datetime:
    """Stored times are naive UTC; the API gives them with their offset (RFC 3339)."""
    return moment.replace(tzinfo=timezone.utc)


def summary(report: Report) -> ReportSummary:
    return ReportSummary(id=report.id, url=report.url, host=report.host, score=report.score, level=report.level,
                         grade=report.grade, status=report.status, count=report.count,
                         snapshot_sha256=report.snapshot_sha256, model_version=report.model_version,
                         created_at=utc(report.created_at), last_reported_at=utc(report.last_reported_at))


def detail(session: Session, report: Report) -> ReportDetail:
    """Everything about a report: summary, latest assessment, history, audit trail, submissions, snapshot text."""
    return ReportDetail(
        **msgspec.structs.asdict(summary(report)),
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
        moment = datetime.fromisoformat(value)
        # stored times are naive UTC: a moment with an offset is converted, one without is taken as UTC
        return moment.astimezone(timezone.utc).replace(tzinfo=None) if moment.tzinfo else moment
    except ValueError:
        raise ProblemError(400, f"{value!r} is not an ISO date (YYYY-MM-DD) or date-time.", kind="invalid-date") from None


def filters(level: str | None, status: str | None, host: str | None, q: str | None, since: str | None,
            until: str | None, sort: str) -> store.Filters:
    return store.Filters(level=level, status=status, host=plain_text(host, "host"), q=plain_text(q, "q"),
                         since=_moment(since, False), until=_moment(until, True), sort=sort)


def load_report(session: Session, report_id: int) -> Report:
    """The report, or a 404 problem."""
    report = session.get(Report, report_id)
    if report is None:
        raise ProblemError(404, f"No report {report_id}.", kind="no-such-report")
    return report


async def export_stream(sessions: sessionmaker, chosen: store.Filters, format: str) -> Stream:
    """Every report matching ``chosen`` as a CSV or JSON Lines download (the API's export and the triage button)."""

    def rows(session: Session) -> list[dict]:
        return [store.export_row(r, store.latest_assessment(session, r.id)) for r in store.iter_reports(session, chosen)]

    exported = await in_db(sessions, rows)

    async def lines() -> AsyncIterator[str]:
        if format == "csv":
            yield export.csv_line(store.EXPORT_FIELDS)
        for row in exported:
            yield (export.csv_line(store.EXPORT_FIELDS, store.flat_row(row)) if format == "csv"
                   else json.dumps(row, ensure_ascii=False) + "\n")

    media = "text/csv" if format == "csv" else "application/x-ndjson"
    return Stream(lines(), media_type=media, headers=download(f"stemclaim-reports.{format}"))


def download(filename: str) -> dict[str, str]:
    """Headers that make a browser save the response as ``filename``, and never run it if it shows it anyway (a
    stored page is third-party HTML)."""
    return {"Content-Disposition": f'attachment; filename="{filename}"', "Content-Security-Policy": "sandbox",
            "X-Content-Type-Options": "nosniff"}
