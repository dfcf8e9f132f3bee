"""`GET /problems/<kind>`: the page each problem's ``type`` points to, saying what it means and what to do."""

from __future__ import annotations

from html import escape
from http import HTTPStatus

from litestar import Controller, Response, get
from litestar.params import FromPath

from service.problems import KINDS


def _page(title: str, body: str, status: int = 200) -> Response[str]:
    html = (f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{escape(title)} · stemclaim"
            f"</title></head><body><h1>{escape(title)}</h1><p>{escape(body)}</p>"
            "<p><a href=\"/schema\">API reference</a></p></body></html>")
    return Response(html, status_code=status, media_type="text/html")


class ProblemPagesController(Controller):
    path = "/problems"
    include_in_schema = False

    @get("/{kind:str}")
    async def describe(self, kind: FromPath[str]) -> Response[str]:
        if kind in KINDS:
            return _page(kind.replace("-", " ").capitalize(), KINDS[kind])
        phrases = {s.phrase.lower().replace(" ", "-"): s for s in HTTPStatus}
        if kind in phrases:
            return _page(phrases[kind].phrase, phrases[kind].description or phrases[kind].phrase)
        return _page("No such problem", f"stemclaim has no problem called {kind!r}.", 404)
