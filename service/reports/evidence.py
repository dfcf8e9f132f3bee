"""What a regulator takes away from a report: the stored snapshot (checked against its SHA-256) and an evidence
package, one ZIP with everything the store knows about the report."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

import msgspec
from litestar import Response
from sqlalchemy.orm import Session, sessionmaker

from service.problems import ProblemError
from service.reports import store
from service.reports.queries import detail, download, in_db, load_report
from service.reports.tables import Report

README = """stemclaim evidence package for report {id}

snapshot.html      the page as reported, sanitised (what a reader saw; scripts, hidden parts and form values cut)
text.txt           the visible text stemclaim read from it (evidence offsets point into this text)
assessments.json   every assessment of the snapshot, oldest first, each with its model and rubric version
report.json        the report: URL, host, status, counts, submissions (notes, contacts) and the status trail
manifest.json      the SHA-256 of each file above, and the snapshot's SHA-256 as stored when it was reported

The assessments are an automated review of the page's wording against published criteria. They are not a finding
that the provider broke any law. Check every quote on the page itself before citing it.
"""


def checked_snapshot(report: Report) -> str:
    """The stored snapshot, after checking it still has the SHA-256 recorded when it was reported."""
    snapshot = store.decompress(report.snapshot)
    if hashlib.sha256(snapshot.encode("utf-8")).hexdigest() != report.snapshot_sha256:
        raise ProblemError(500, f"The stored snapshot of report {report.id} does not match its SHA-256; it was not "
                                "sent.", kind="snapshot-altered")
    return snapshot


def evidence_package(session: Session, report: Report) -> bytes:
    """The ZIP described in ``README`` above."""
    full = msgspec.to_builtins(detail(session, report))
    snapshot = checked_snapshot(report)
    assessments = [json.loads(row.result) for row in store.history(session, report.id)]
    files = {
        "snapshot.html": snapshot,
        "text.txt": full.pop("text"),
        "assessments.json": json.dumps(assessments, ensure_ascii=False, indent=1),
        "report.json": json.dumps({k: v for k, v in full.items() if k != "assessment"}, ensure_ascii=False, indent=1),
    }
    manifest = {"report": report.id, "snapshot_sha256_as_reported": report.snapshot_sha256,
                "files": {name: hashlib.sha256(body.encode("utf-8")).hexdigest() for name, body in files.items()}}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("README.txt", README.format(id=report.id))
        for name, body in files.items():
            package.writestr(name, body)
        package.writestr("manifest.json", json.dumps(manifest, indent=1))
    return buffer.getvalue()


async def snapshot_response(sessions: sessionmaker, report_id: int) -> Response[str]:
    """The checked snapshot as a sandboxed download (the API's and the triage page's)."""
    html = await in_db(sessions, lambda s: checked_snapshot(load_report(s, report_id)))
    return Response(html, media_type="text/html; charset=utf-8", headers=download(f"report-{report_id}.html"))


async def evidence_response(sessions: sessionmaker, report_id: int) -> Response[bytes]:
    """The evidence package as a download (the API's and the triage page's)."""
    package = await in_db(sessions, lambda s: evidence_package(s, load_report(s, report_id)))
    return Response(package, media_type="application/zip", headers=download(f"stemclaim-report-{report_id}.zip"))
