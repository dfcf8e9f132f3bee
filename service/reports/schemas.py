"""Typed bodies of the complaint store's API (msgspec structs); the vocabulary comes from the tables and the model."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from litestar.params import PathParameter
from msgspec import Meta, Struct

from model.rubric import Level
from service.reports.store import SORT_ORDERS
from service.reports.tables import STATUSES
from service.scoring.schemas import AssessResponse

Status = Literal[STATUSES]
Sort = Literal[SORT_ORDERS]
ReportId = Annotated[int, PathParameter(ge=1, le=2**31 - 1, description="Report id")]  # both databases' INTEGER
MAX_NOTE = 5000


class ReportRequest(Struct, forbid_unknown_fields=True):
    url: str
    html: str
    note: Annotated[str, Meta(max_length=MAX_NOTE)] | None = None
    contact: Annotated[str, Meta(max_length=320)] | None = None


class ReportReceived(Struct):
    """What a reporter gets back: an acknowledgement and the page's assessment, never the store's internals."""

    received: Literal[True]
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
    note: Annotated[str, Meta(max_length=MAX_NOTE)] | None = None
