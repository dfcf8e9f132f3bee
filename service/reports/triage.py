"""Server-rendered triage pages for regulators: sign in, the queue, a report with highlighted evidence, status changes.

Plain HTML forms, no JavaScript; every page-derived text goes through Jinja's autoescaping.
"""

from __future__ import annotations

import secrets
from http import HTTPStatus
from pathlib import Path
from urllib.parse import urlencode
from typing import Annotated

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.exceptions import HTTPException
from litestar.params import Body, FromPath, FromQuery, QueryParameter
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Redirect, Stream, Template
from litestar.template.config import TemplateConfig
from msgspec import Struct
from sqlalchemy.orm import Session, sessionmaker

from model.rubric import LEVELS, load_rubric
from service.problems import ProblemError, problem_detail
from service.reports import store
from service.reports.auth import COOKIE, CREDENTIAL, NotSignedIn, csrf_token, regulator, same_token, token_owner
from service.reports.evidence import evidence_response, snapshot_response
from service.reports.queries import detail, export_stream, filters, in_db, load_report
from service.reports.schemas import MAX_NOTE, ReportId
from service.reports.tables import STATUSES
from service.scoring.reliability import precision_by_criterion
from service.web import plain_text

def _template_globals(engine: JinjaTemplateEngine) -> None:
    engine.engine.globals["level_colours"] = load_rubric().level_colours


TEMPLATES = TemplateConfig(directory=Path(__file__).resolve().parent / "templates", engine=JinjaTemplateEngine,
                           engine_callback=_template_globals)


SIGN_IN_NONCE = "stemclaim_sign_in"  # double-submit cookie for the sign-in form (no session yet to derive one from)


class SignIn(Struct):
    token: str = ""
    csrf: str = ""


class StatusForm(Struct):
    status: str = ""
    note: str = ""
    csrf: str = ""


class SignOut(Struct):
    csrf: str = ""


def sign_in_page(error: str | None = None, status_code: int = 200) -> Template:
    """The sign-in form with a fresh nonce, in the form and in a cookie, that the POST must bring back."""
    nonce = secrets.token_urlsafe(24)
    page = Template("sign_in.html", context={"actor": None, "error": error, "csrf": nonce}, status_code=status_code)
    page.set_cookie(SIGN_IN_NONCE, nonce, httponly=True, samesite="strict", path="/triage")
    return page


def check_csrf(request: Request, given: str) -> None:
    """403 unless a signed-in form brings back the CSRF token of the session it was served in."""
    if not same_token(given, csrf_token(request.cookies.get(COOKIE, ""))):
        raise ProblemError(403, "This form did not come from a stemclaim triage page; reload the page and try again.",
                           kind="csrf")


def highlight(text: str, criteria: list[dict]) -> list[tuple[str, list[str]]]:
    """The text cut into (chunk, titles of the hit criteria whose evidence covers it) pieces, in order. Work grows
    with the number of evidence spans, not with the length of the page."""
    spans = [(max(0, e["start"]), min(len(text), e["end"]), c["title"])
             for c in criteria if c["hit"] for e in c["evidence"]]
    spans = [span for span in spans if span[0] < span[1]]
    cuts = sorted({0, len(text), *(s for s, _, _ in spans), *(e for _, e, _ in spans)})
    pieces: list[tuple[str, list[str]]] = []
    for start, end in zip(cuts, cuts[1:]):
        titles = sorted({title for s, e, title in spans if s <= start and end <= e})
        if pieces and pieces[-1][1] == titles:
            pieces[-1] = (pieces[-1][0] + text[start:end], titles)
        else:
            pieces.append((text[start:end], titles))
    return pieces


def sign_in_first(request: Request, _: NotSignedIn) -> Response:
    """Not signed in: the queue shows the sign-in form; any other triage page sends the reader there."""
    if request.url.path.rstrip("/") == "/triage":
        return sign_in_page()
    return Redirect("/triage", status_code=303)


PAGE_SIZE = 50


def _chosen(level: str, status: str, host: str, q: str, since: str, until: str, sort: str) -> store.Filters:
    """The queue's filters from its form: unknown values are ignored, as a form's blank choice is."""
    return filters(level if level in LEVELS else None, status if status in STATUSES else None,
                   host.strip() or None, q.strip() or None, since.strip() or None, until.strip() or None,
                   sort if sort in store.SORT_ORDERS else "score")


def error_page(request: Request, exc: ProblemError | HTTPException) -> Template:
    """Errors inside the triage pages are pages too (the API answers with problem+json)."""
    status = exc.status if isinstance(exc, ProblemError) else exc.status_code
    detail = exc.detail if isinstance(exc, ProblemError) else problem_detail(exc)
    return Template("error.html", status_code=status, context={
        "actor": getattr(request.state, "actor", None), "title": HTTPStatus(status).phrase, "detail": detail,
        "csrf": csrf_token(request.cookies.get(COOKIE, ""))})


class TriageController(Controller):
    path = "/triage"
    include_in_schema = False
    exception_handlers = {NotSignedIn: sign_in_first, ProblemError: error_page, HTTPException: error_page}
    opt = {CREDENTIAL: "cookie"}

    @get("/", guards=[regulator])
    async def queue(self, request: Request, sessions: NamedDependency[sessionmaker], level: FromQuery[str] = "",
                    status: FromQuery[str] = "", host: FromQuery[str] = "", q: FromQuery[str] = "",
                    since: FromQuery[str] = "", until: FromQuery[str] = "", sort: FromQuery[str] = "score",
                    page: Annotated[int, QueryParameter(ge=1, le=2**31)] = 1) -> Template:
        chosen = _chosen(level, status, host, q, since, until, sort)
        rows, total = await in_db(sessions, lambda s: store.list_reports(s, chosen, PAGE_SIZE, (page - 1) * PAGE_SIZE))
        pages = max(1, -(-total // PAGE_SIZE))
        kept = {"level": level, "status": status, "host": host, "q": q, "since": since, "until": until, "sort": sort}
        link = lambda path, **extra: f"{path}?{urlencode({k: v for k, v in {**kept, **extra}.items() if v})}"
        return Template("queue.html", context={
            "actor": request.state.actor, "reports": rows, "total": total, "filters": chosen, "since": since,
            "until": until, "levels": LEVELS, "statuses": STATUSES, "sorts": store.SORT_ORDERS, "page": page,
            "pages": pages, "first": (page - 1) * PAGE_SIZE + 1 if rows else 0,
            "last": (page - 1) * PAGE_SIZE + len(rows),
            "previous": link("/triage", page=page - 1) if page > 1 else None,
            "next": link("/triage", page=page + 1) if page < pages else None,
            "csv": link("/triage/export", format="csv"), "jsonl": link("/triage/export", format="jsonl"),
            "back": link("/triage", page=page),
            "csrf": csrf_token(request.cookies.get(COOKIE, ""))})

    @get("/hosts/{host:str}", guards=[regulator])
    async def host(self, request: Request, sessions: NamedDependency[sessionmaker], host: FromPath[str]) -> Template:
        """Every report of one site, each with its scores over time (one line per assessment)."""
        chosen = _chosen("", "", host, "", "", "", "newest")

        def work(session: Session):
            rows, total = store.list_reports(session, chosen, 500, 0)
            return [(r, store.history(session, r.id)) for r in rows if r.host.removeprefix("www.") ==
                    host.strip().lower().removeprefix("www.")]

        reports = await in_db(sessions, work)
        return Template("host.html", context={"actor": request.state.actor, "host": host, "reports": reports,
                                              "csrf": csrf_token(request.cookies.get(COOKIE, ""))})

    @get("/export", guards=[regulator])
    async def export(self, sessions: NamedDependency[sessionmaker], format: FromQuery[str] = "csv",
                     level: FromQuery[str] = "", status: FromQuery[str] = "", host: FromQuery[str] = "",
                     q: FromQuery[str] = "", since: FromQuery[str] = "", until: FromQuery[str] = "",
                     sort: FromQuery[str] = "score") -> Stream:
        """The queue's current filter as a download, for the signed-in regulator (the API's export takes a token)."""
        if format not in ("csv", "jsonl"):
            raise ProblemError(400, "format must be csv or jsonl.", kind="invalid-format")
        return await export_stream(sessions, _chosen(level, status, host, q, since, until, sort), format)

    @post("/sign-in", status_code=303)
    async def sign_in(self, request: Request, data: Annotated[SignIn, Body(
            media_type=RequestEncodingType.URL_ENCODED)]) -> Response:
        if not same_token(data.csrf, request.cookies.get(SIGN_IN_NONCE, "")):
            return sign_in_page("This sign-in form did not come from this page; please sign in again.", 403)
        token = data.token.strip()
        if await token_owner(request, token) is None:
            return sign_in_page("That token is not valid.", 401)
        response = Redirect("/triage", status_code=303)
        response.set_cookie(COOKIE, token, httponly=True, samesite="strict", path="/")
        response.delete_cookie(SIGN_IN_NONCE, path="/triage")
        return response

    @post("/sign-out", status_code=303)
    async def sign_out(self, request: Request, data: Annotated[SignOut, Body(
            media_type=RequestEncodingType.URL_ENCODED)]) -> Redirect:
        check_csrf(request, data.csrf)
        response = Redirect("/triage", status_code=303)
        response.delete_cookie(COOKIE, path="/")
        return response

    @get("/reports/{report_id:int}", guards=[regulator])
    async def report(self, request: Request, sessions: NamedDependency[sessionmaker], manifest: NamedDependency[dict],
                     report_id: ReportId) -> Template:
        actor = request.state.actor

        def work(session: Session):
            report = load_report(session, report_id)
            return report, detail(session, report)

        report, full = await in_db(sessions, work)
        assessment = msgspec.to_builtins(full.assessment)
        # how often each finding is right on real pages, as far as the loaded model's record speaks for this assessment
        same_model = assessment["model"]["version"] == manifest["version"]
        return Template("report.html", context={
            "precision": precision_by_criterion(manifest) if same_model else {},
            "actor": actor, "report": report, "assessment": assessment, "audit": full.audit,
            "submissions": full.submissions, "history": full.history, "statuses": STATUSES,
            "segments": highlight(full.text, assessment["criteria"]),
            "csrf": csrf_token(request.cookies.get(COOKIE, "")),
        })

    @get("/reports/{report_id:int}/snapshot", guards=[regulator], media_type="text/html")
    async def snapshot(self, sessions: NamedDependency[sessionmaker], report_id: ReportId) -> Response[str]:
        return await snapshot_response(sessions, report_id)

    @get("/reports/{report_id:int}/evidence.zip", guards=[regulator], media_type="application/zip")
    async def evidence(self, sessions: NamedDependency[sessionmaker], report_id: ReportId) -> Response[bytes]:
        return await evidence_response(sessions, report_id)

    @post("/bulk-status", status_code=303, guards=[regulator])
    async def bulk_status(self, request: Request, sessions: NamedDependency[sessionmaker]) -> Redirect:
        """One status and one note for every selected report; each change goes into that report's trail."""
        form = await request.form()
        check_csrf(request, str(form.get("csrf", "")))
        status, note = str(form.get("status", "")), str(form.get("note", ""))
        if status not in STATUSES:
            raise ProblemError(422, f"status must be one of {', '.join(STATUSES)}.", kind="invalid-status")
        if len(note) > MAX_NOTE:
            raise ProblemError(422, f"A note is at most {MAX_NOTE} characters.", kind="invalid-text")
        try:
            ids = sorted({int(value) for value in form.getall("ids")} if "ids" in form else set())
        except ValueError:
            raise ProblemError(422, "Report ids must be numbers.", kind="invalid-id") from None
        if not ids or ids[0] < 1 or ids[-1] > 2**31 - 1:
            raise ProblemError(422, "Select at least one report.", kind="invalid-id")
        actor, note = request.state.actor, plain_text(note.strip(), "note") or None

        def work(session: Session) -> None:
            for report_id in ids:
                store.change_status(session, load_report(session, report_id), status, actor, note)

        await in_db(sessions, work)
        back = str(form.get("back", ""))
        return Redirect(back if back.startswith("/triage?") or back == "/triage" else "/triage", status_code=303)

    @post("/reports/{report_id:int}/status", status_code=303, guards=[regulator])
    async def change(self, request: Request, sessions: NamedDependency[sessionmaker], report_id: ReportId, data: Annotated[
            StatusForm, Body(media_type=RequestEncodingType.URL_ENCODED)]) -> Redirect:
        actor = request.state.actor
        check_csrf(request, data.csrf)
        if data.status not in STATUSES:
            raise ProblemError(422, f"status must be one of {', '.join(STATUSES)}.", kind="invalid-status")
        if len(data.note) > MAX_NOTE:
            raise ProblemError(422, f"A note is at most {MAX_NOTE} characters.", kind="invalid-text")
        note = plain_text(data.note.strip(), "note") or None

        def work(session: Session) -> None:
            store.change_status(session, load_report(session, report_id), data.status, actor, note)

        await in_db(sessions, work)
        return Redirect(f"/triage/reports/{report_id}", status_code=303)

