"""Who may read the complaint queue: one guard for the API (bearer token) and the triage pages (sign-in cookie)."""

from __future__ import annotations

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from service.problems import ProblemError
from service.reports import store
from service.reports.queries import in_db

COOKIE = "stemclaim_token"


class NotSignedIn(ProblemError):
    """401: no valid regulator token. The triage pages answer it with their sign-in form."""

    def __init__(self) -> None:
        super().__init__(401, "A valid regulator token is needed (Authorization: Bearer <token>).",
                         {"WWW-Authenticate": "Bearer"}, kind="unauthorized")


async def token_owner(connection: ASGIConnection, token: str) -> str | None:
    """The name behind an active token, or None."""
    return await in_db(connection.app.state.sessions, lambda s: store.token_owner(s, token)) if token else None


async def regulator(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    """Guard: a valid bearer token or sign-in cookie; the owner's name goes to ``request.state.actor``."""
    header = connection.headers.get("authorization", "")
    token = header[7:].strip() if header.lower().startswith("bearer ") else connection.cookies.get(COOKIE, "")
    owner = await token_owner(connection, token)
    if owner is None:
        raise NotSignedIn()
    connection.state.actor = owner
