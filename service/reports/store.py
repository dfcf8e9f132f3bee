"""Complaint-store operations: file a report, query the queue, change status with an audit trail, export, tokens."""

from __future__ import annotations

import hashlib
import re
import json
import secrets
import zlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from model.text import visible_text
from service.export import flat_hits, hit_evidence
from service.reports.tables import STATUSES, Assessment, AuditEntry, Report, Submission, Token, utcnow

SORTS = {"score": (Report.score.desc(), Report.id.desc()), "newest": (Report.created_at.desc(), Report.id.desc()),
         "count": (Report.count.desc(), Report.id.desc())}
SORT_ORDERS = tuple(SORTS)
_LIKE_SPECIALS = re.compile(r"[\\%_]")


def compress(html: str) -> bytes:
    return zlib.compress(html.encode("utf-8"), 6)


def decompress(blob: bytes) -> str:
    return zlib.decompress(blob).decode("utf-8")


def file_report(session: Session, url: str, host: str, snapshot: str, assessment: dict, note: str | None,
                contact: str | None) -> tuple[Report, bool]:
    """Store a report, or add to the count of the same URL with the same snapshot. Returns (report, is_new)."""
    digest = hashlib.sha256(snapshot.encode("utf-8")).hexdigest()
    now = utcnow()
    values = dict(url=url, host=host, snapshot_sha256=digest, snapshot=compress(snapshot), count=1, status="new",
                  score=assessment["score"], level=assessment["level"], grade=assessment["grade"],
                  model_version=assessment["model"]["version"], created_at=now, last_reported_at=now)
    insert = pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
    statement = insert(Report).values(**values).on_conflict_do_update(
        index_elements=["url", "snapshot_sha256"],
        set_={"count": Report.count + 1, "last_reported_at": now},
    ).returning(Report.id, Report.count)
    report_id, count = session.execute(statement).one()
    session.add(Submission(report_id=report_id, note=note, contact=contact, submitted_at=now))
    if count == 1:
        session.add(_assessment_row(report_id, assessment, now))
    session.commit()
    return session.get(Report, report_id, populate_existing=True), count == 1


def _assessment_row(report_id: int, assessment: dict, at: datetime) -> Assessment:
    return Assessment(report_id=report_id, assessed_at=at, model_version=assessment["model"]["version"],
                      score=assessment["score"], level=assessment["level"], result=json.dumps(assessment))


@dataclass(frozen=True)
class Filters:
    level: str | None = None
    status: str | None = None
    host: str | None = None
    q: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    sort: str = "score"


def _contains(column, text: str):
    """``column`` holds ``text`` as a plain substring: % and _ match themselves."""
    return column.like("%" + _LIKE_SPECIALS.sub(r"\\\g<0>", text) + "%", escape="\\")


def _filtered(filters: Filters):
    query = select(Report)
    if filters.level:
        query = query.where(Report.level == filters.level)
    if filters.status:
        query = query.where(Report.status == filters.status)
    if filters.host:  # "clinic.example" finds www.clinic.example and ms.clinic.example; "clinic" any host with it
        query = query.where(_contains(Report.host, filters.host.strip().lower().removeprefix("www.")))
    if filters.q:
        noted = select(Submission.report_id).where(_contains(func.lower(Submission.note), filters.q.lower()))
        query = query.where(or_(_contains(func.lower(Report.url), filters.q.lower()), Report.id.in_(noted)))
    if filters.since:
        query = query.where(Report.created_at >= filters.since)
    if filters.until:
        query = query.where(Report.created_at <= filters.until)
    return query


def list_reports(session: Session, filters: Filters, limit: int, offset: int) -> tuple[list[Report], int]:
    query = _filtered(filters)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.scalars(query.order_by(*SORTS[filters.sort]).limit(limit).offset(offset)).all()
    return list(rows), int(total or 0)


def iter_reports(session: Session, filters: Filters):
    yield from session.scalars(_filtered(filters).order_by(*SORTS[filters.sort])).yield_per(200)


def latest_assessment(session: Session, report_id: int) -> dict:
    row = session.scalars(select(Assessment).where(Assessment.report_id == report_id)
                          .order_by(Assessment.id.desc()).limit(1)).one()
    return json.loads(row.result)


def history(session: Session, report_id: int) -> list[Assessment]:
    return list(session.scalars(select(Assessment).where(Assessment.report_id == report_id).order_by(Assessment.id)))


def trail(session: Session, report_id: int) -> list[AuditEntry]:
    return list(session.scalars(select(AuditEntry).where(AuditEntry.report_id == report_id).order_by(AuditEntry.id)))


def submissions(session: Session, report_id: int) -> list[Submission]:
    return list(session.scalars(select(Submission).where(Submission.report_id == report_id).order_by(Submission.id)))


def snapshot_text(report: Report) -> str:
    return visible_text(decompress(report.snapshot))


def change_status(session: Session, report: Report, status: str, actor: str, note: str | None) -> AuditEntry | None:
    """Set a report's status and add the change to its audit trail, in one transaction. The update only lands if
    the status is still the one the trail records as ``from`` (compare and set), so concurrent changes leave a
    trail where each entry starts where the last one ended; a change to the current status adds nothing."""
    if status not in STATUSES:
        raise ValueError(f"status must be one of {', '.join(STATUSES)}")
    while True:
        session.refresh(report)
        current = report.status
        if current == status:
            return None
        moved = session.execute(update(Report).where(Report.id == report.id, Report.status == current)
                                .values(status=status).execution_options(synchronize_session=False)).rowcount
        if moved:
            entry = AuditEntry(report_id=report.id, actor=actor, at=utcnow(), from_status=current, to_status=status,
                               note=note)
            session.add(entry)
            session.commit()
            session.refresh(report)
            return entry
        session.rollback()


def add_assessment(session: Session, report: Report, assessment: dict) -> bool:
    """Record a new assessment of the report (earlier ones stay in its history) and rank it by this one; an
    assessment identical to the latest one (same model, same result) adds nothing. Returns whether it was added."""
    if assessment == latest_assessment(session, report.id):
        return False
    session.add(_assessment_row(report.id, assessment, utcnow()))
    report.score, report.level, report.grade = assessment["score"], assessment["level"], assessment["grade"]
    report.model_version = assessment["model"]["version"]
    session.commit()
    return True


# -- export ---------------------------------------------------------------------------------------------------------
EXPORT_FIELDS = ("id", "url", "host", "score", "level", "hit_criteria", "evidence", "status", "count",
                 "snapshot_sha256", "model_version", "created_at", "last_reported_at")


def export_row(report: Report, assessment: dict) -> dict:
    evidence = hit_evidence(assessment["criteria"])
    return {
        "id": report.id, "url": report.url, "host": report.host, "score": report.score, "level": report.level,
        "hit_criteria": list(evidence), "evidence": {k: v for k, v in evidence.items() if v},
        "status": report.status, "count": report.count, "snapshot_sha256": report.snapshot_sha256,
        "model_version": report.model_version, "created_at": report.created_at.isoformat(),
        "last_reported_at": report.last_reported_at.isoformat(),
    }


def flat_row(row: dict) -> dict:
    """An export row with its hits flattened into CSV cells."""
    return {**row, **flat_hits({c: row["evidence"].get(c, "") for c in row["hit_criteria"]})}


# -- tokens ---------------------------------------------------------------------------------------------------------
def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(session: Session, name: str) -> str:
    """A new token for ``name``; only its hash is stored, so this is the one time it can be seen."""
    if not name or len(name) > 100:
        raise ValueError("a token name must be 1 to 100 characters")
    row = session.scalar(select(Token).where(Token.name == name))
    if row is not None and row.revoked_at is None:
        raise ValueError(f"a token named {name!r} already exists (use `stemclaim tokens rotate {name}` to replace it)")
    if row is None:
        row = Token(name=name)
        session.add(row)
    return _new_secret(session, row)  # a revoked name is reused: the trail keeps its name, its old token stays dead


def rotate_token(session: Session, name: str) -> str | None:
    """A new token for the active token ``name``, which stops working at once; None if there is no such token."""
    row = session.scalar(select(Token).where(Token.name == name, Token.revoked_at.is_(None)))
    return _new_secret(session, row) if row is not None else None


def _new_secret(session: Session, row: Token) -> str:
    token = "sc_" + secrets.token_urlsafe(32)
    row.token_hash, row.created_at, row.revoked_at = _hash(token), utcnow(), None
    session.commit()
    return token


def token_owner(session: Session, token: str) -> str | None:
    """The name of an active token, or None."""
    row = session.scalar(select(Token).where(Token.token_hash == _hash(token), Token.revoked_at.is_(None)))
    return row.name if row else None


def list_tokens(session: Session) -> list[Token]:
    return list(session.scalars(select(Token).order_by(Token.id)))


def revoke_token(session: Session, name: str) -> bool:
    row = session.scalar(select(Token).where(Token.name == name, Token.revoked_at.is_(None)))
    if row is None:
        return False
    row.revoked_at = utcnow()
    session.commit()
    return True
