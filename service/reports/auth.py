"""Who may read the complaint queue: one guard for the API (bearer token only) and the triage pages (sign-in cookie
only), and the CSRF tokens the triage forms carry."""

from __future__ import annotations

import hashlib
import hmac

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from service.problems import ProblemError
from service.reports import store
from service.reports.queries import in_db

COOKIE = "stemclaim_token"
REGULATOR_TOKEN = "regulatorToken"  # the OpenAPI security scheme of the queue's endpoints
CREDENTIAL = "credential"  # a handler's ``opt`` key: "cookie" for the triage pages, else a bearer token


class NotSignedIn(ProblemError):
    """401: no valid regulator token. The triage pages answer it with their sign-in form."""

    def __init__(self) -> None:
        super().__init__(401, "A valid regulator token is needed (Authorization: Bearer <token>).",
                         {"WWW-Authenticate": "Bearer"}, kind="unauthorized")


async def token_owner(connection: ASGIConnection, token: str) -> str | None:
    """The name behind an active token, or None."""
    return await in_db(connection.app.state.sessions, lambda s: store.token_owner(s, token)) if token else None


async def regulator(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    """Guard: a valid regulator token, from the sign-in cookie on the triage pages and from the Authorization
    header everywhere else (so a cross-site form can never reach the API on a regulator's cookie); the owner's name
    goes to ``request.state.actor``."""
    if handler.opt.get(CREDENTIAL) == "cookie":
        token = connection.cookies.get(COOKIE, "")
    else:
        header = connection.headers.get("authorization", "")
        token = header[7:].strip() if header.lower().startswith("bearer ") else ""
    owner = await token_owner(connection, token)
    if owner is None:
        raise NotSignedIn()
    connection.state.actor = owner


def csrf_token(session_token: str) -> str:
    """The CSRF token the triage forms of a signed-in regulator carry: derived from their sign-in token, which a
    cross-site page cannot read, so it cannot forge it either."""
    return hashlib.sha256(f"stemclaim-csrf:{session_token}".encode()).hexdigest()


def same_token(given: str, expected: str) -> bool:
    return bool(given) and bool(expected) and hmac.compare_digest(given.encode(), expected.encode())
