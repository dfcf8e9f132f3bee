"""The Litestar app factory: `create_app(settings)` builds an app with no globals; the model loads in the lifespan."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from litestar import Litestar
from litestar.config.cors import CORSConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.types import ASGIApp, Receive, Scope, Send
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import sessionmaker

from model.artifact import ArtifactError, verify_artifact
from model.rubric import Rubric, load_rubric
from service.api_docs import assets_router, openapi_config
from service.health import HealthController
from service.problem_pages import ProblemPagesController
from service.problems import EXCEPTION_HANDLERS, SlowBodyError
from service.ratelimit import RateLimiter
from service.reports.api import ReportsController
from service.reports.tables import database_url, make_engine, sessions, upgrade
from service.reports.triage import TEMPLATES, TriageController
from service.scoring.api import SCORING_HANDLERS, AssessController, MetaController
from service.scoring.pool import ScoringPool
from service.settings import Settings

log = logging.getLogger("stemclaim.service")


class StartupError(RuntimeError):
    """The service cannot start (for example, the model artifact fails its check)."""


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """Text safe for a log line: control characters (newlines, terminal escapes) shown as \\xNN escapes."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def access_log(app: ASGIApp) -> ASGIApp:
    """Log method, path, status, duration and the assessed page's host: never bodies, queries or page text."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        started, status = time.perf_counter(), 500

        async def send_status(message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await app(scope, receive, send_status)
        finally:
            host = scope.get("state", {}).get("page_host")
            log.info("%s %s %s %.1fms%s", scope["method"], printable(scope["path"]), status,
                     (time.perf_counter() - started) * 1000, f" host={printable(host)}" if host else "")

    return middleware


def body_deadline(seconds: float) -> Callable[[ASGIApp], ASGIApp]:
    """Middleware: a request body that stops arriving for ``seconds`` gets a 408 instead of holding its connection
    and memory open. Only the body is timed; once it is complete, the app may wait on the connection as it likes."""

    def wrap(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            complete = False

            async def timed_receive():
                nonlocal complete
                if complete:
                    return await receive()
                try:
                    message = await asyncio.wait_for(receive(), seconds)
                except asyncio.TimeoutError:
                    raise SlowBodyError(f"The request body stopped arriving for {seconds:g} seconds.") from None
                complete = message["type"] != "http.request" or not message.get("more_body", False)
                return message

            await app(scope, timed_receive, send)

        return middleware

    return wrap


def _provide_pool(state: State) -> ScoringPool:
    return state.pool


def _provide_sessions(state: State) -> sessionmaker:
    return state.sessions


def _provide_manifest(state: State) -> dict:
    return state.manifest


def _provide_rubric(state: State) -> Rubric:
    return state.rubric


DEPENDENCIES = {name: Provide(provider, sync_to_thread=False) for name, provider in (
    ("pool", _provide_pool), ("sessions", _provide_sessions), ("manifest", _provide_manifest),
    ("rubric", _provide_rubric))}


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        # The web process only verifies the artifact and reads its manifest; each scoring worker loads the model.
        try:
            manifest, _ = verify_artifact(settings.artifact_dir)
        except ArtifactError as exc:
            raise StartupError(f"stemclaim cannot start: {exc}") from None
        url = database_url(settings.database_url, settings.data_dir)
        engine = make_engine(url)
        try:
            upgrade(engine)
        except SQLAlchemyError as exc:
            engine.dispose()
            raise StartupError(f"stemclaim cannot start: the report database is unavailable ({type(exc).__name__}: "
                               f"{exc.orig if getattr(exc, 'orig', None) else exc})") from None
        app.state.sessions = sessions(engine)
        pool = ScoringPool(settings.artifact_dir, settings.scoring_workers, settings.queue_size,
                           settings.request_timeout_seconds)
        pool.warm_up()
        app.state.manifest = manifest
        app.state.pool = pool
        log.info("model %s %s loaded (sha256 %s)", manifest["name"], manifest["version"], manifest["sha256"][:12])
        try:
            yield
        finally:
            pool.close()
            engine.dispose()

    return Litestar(
        route_handlers=[AssessController, MetaController, HealthController, ReportsController, TriageController,
                        ProblemPagesController, assets_router()],
        template_config=TEMPLATES,
        lifespan=[lifespan],
        state=State({"settings": settings, "limiter": RateLimiter(settings.rate_limit_per_minute),
                     "rubric": load_rubric()}),
        dependencies=DEPENDENCIES,
        exception_handlers={**EXCEPTION_HANDLERS, **SCORING_HANDLERS},
        cors_config=CORSConfig(allow_origins=list(settings.cors_origins), allow_methods=["GET", "POST", "OPTIONS"],
                               allow_headers=["Content-Type"]),
        request_max_body_size=settings.max_body_bytes,
        middleware=[access_log, body_deadline(settings.body_timeout_seconds)],
        openapi_config=openapi_config(),
        logging_config=None,
        debug=False,
    )
