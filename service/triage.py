"""Server-rendered triage pages for regulators: sign in, the queue, a report with highlighted evidence, status changes.

Plain HTML forms, no JavaScript; every page-derived text goes through Jinja's autoescaping.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from litestar import Controller, Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromQuery
from litestar.response import Redirect, Template
from litestar.template.config import TemplateConfig
from litestar.plugins.jinja import JinjaTemplateEngine
import msgspec
from msgspec import Struct
from sqlalchemy.orm import Session

from service import store
from service.db import STATUSES
from service.problems import ProblemError
from service.reports_api import ReportId, detail, filters, in_db, load_report

COOKIE = "stemclaim_token"
TEMPLATES = TemplateConfig(directory=Path(__file__).resolve().parent / "templates", engine=JinjaTemplateEngine)
LEVELS = ("high", "moderate", "low", "not_applicable")


class SignIn(Struct):
    token: str = ""


class StatusForm(Struct):
    status: str = ""
    note: str = ""


def highlight(text: str, criteria: list[dict]) -> list[tuple[str, list[str]]]:
    """The text cut into (chunk, titles of the hit criteria whose evidence covers it) pieces, in order."""
    marks: dict[int, list[str]] = {}
    for c in criteria:
        if c["hit"]:
            for e in c["evidence"]:
                for i in range(max(0, e["start"]), min(len(text), e["end"])):
                    marks.setdefault(i, []).append(c["title"])
    pieces: list[tuple[str, list[str]]] = []
    start = 0
    for i in range(1, len(text) + 1):
        if i == len(text) or marks.get(i) != marks.get(start):
            pieces.append((text[start:i], sorted(set(marks.get(start, [])))))
            start = i
    return pieces


async def signed_in(request: Request) -> str | None:
    token = request.cookies.get(COOKIE)
    return await in_db(request, lambda s: store.token_owner(s, token)) if token else None


class TriageController(Controller):
    path = "/triage"
    include_in_schema = False

    @get("/")
    async def queue(self, request: Request, level: FromQuery[str] = "", status: FromQuery[str] = "",
                    host: FromQuery[str] = "", q: FromQuery[str] = "", sort: FromQuery[str] = "score") -> Template:
        actor = await signed_in(request)
        if actor is None:
            return Template("sign_in.html", context={"actor": None, "error": None})
        chosen = filters(level if level in LEVELS else None, status if status in STATUSES else None,
                         host.strip() or None, q.strip() or None, None, None,
                         sort if sort in store.SORTS else "score")
        rows, total = await in_db(request, lambda s: store.list_reports(s, chosen, 200, 0))
        return Template("queue.html", context={"actor": actor, "reports": rows, "total": total, "filters": chosen,
                                               "levels": LEVELS, "statuses": STATUSES, "sorts": tuple(store.SORTS)})

    @post("/sign-in", status_code=303)
    async def sign_in(self, request: Request, data: Annotated[SignIn, Body(
            media_type=RequestEncodingType.URL_ENCODED)]) -> Response:
        token = data.token.strip()
        if not token or await in_db(request, lambda s: store.token_owner(s, token)) is None:
            return Template("sign_in.html", context={"actor": None, "error": "That token is not valid."},
                            status_code=401)
        response = Redirect("/triage", status_code=303)
        response.set_cookie(COOKIE, token, httponly=True, samesite="strict", path="/")
        return response

    @post("/sign-out", status_code=303)
    async def sign_out(self) -> Redirect:
        response = Redirect("/triage", status_code=303)
        response.delete_cookie(COOKIE, path="/")
        return response

    @get("/reports/{report_id:int}")
    async def report(self, request: Request, report_id: ReportId) -> Response:
        actor = await signed_in(request)
        if actor is None:
            return Redirect("/triage", status_code=303)

        def work(session: Session):
            report = load_report(session, report_id)
            return report, detail(session, report)

        report, full = await in_db(request, work)
        assessment = msgspec.to_builtins(full.assessment)
        return Template("report.html", context={
            "actor": actor, "report": report, "assessment": assessment, "audit": full.audit,
            "submissions": full.submissions, "history": full.history, "statuses": STATUSES,
            "segments": highlight(full.text, assessment["criteria"]),
        })

    @post("/reports/{report_id:int}/status", status_code=303)
    async def change(self, request: Request, report_id: ReportId, data: Annotated[StatusForm, Body(
            media_type=RequestEncodingType.URL_ENCODED)]) -> Redirect:
        actor = await signed_in(request)
        if actor is None:
            return Redirect("/triage", status_code=303)
        if data.status not in STATUSES:
            raise ProblemError(422, f"status must be one of {', '.join(STATUSES)}.", kind="invalid-status")

        def work(session: Session) -> None:
            store.change_status(session, load_report(session, report_id), data.status, actor, data.note.strip() or None)

        await in_db(request, work)
        return Redirect(f"/triage/reports/{report_id}", status_code=303)

