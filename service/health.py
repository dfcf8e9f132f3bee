"""`GET /health`: is each part the service depends on working, and which model answers."""

from __future__ import annotations

from typing import Literal

from litestar import Controller, Response, get
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from msgspec import Struct
from sqlalchemy import text
from sqlalchemy.orm import sessionmaker

from service.problems import ProblemError
from service.reports.queries import in_db
from service.scoring.pool import ScoringPool

Check = Literal["ok", "busy", "unavailable"]


class Checks(Struct):
    scoring: Check
    store: Check


class HealthResponse(Struct):
    service: Literal["stemclaim"]  # what answers here: the extension checks it before sending a page
    status: Literal["ok", "unavailable"]
    model_version: str
    checks: Checks


class HealthController(Controller):
    tags = ["about"]

    @get("/health", summary="Each dependency's state and the model version; 503 unless all are ok",
         responses={503: ResponseSpec(HealthResponse, description="A dependency is down or busy", generate_examples=False)})
    async def health(self, pool: NamedDependency[ScoringPool], sessions: NamedDependency[sessionmaker],
                     manifest: NamedDependency[dict]) -> Response[HealthResponse]:
        try:
            await in_db(sessions, lambda s: s.execute(text("SELECT 1")))
            store: Check = "ok"
        except ProblemError:
            store = "unavailable"
        checks = Checks(scoring=pool.state(), store=store)
        ok = checks.scoring == "ok" and checks.store == "ok"
        body = HealthResponse(service="stemclaim", status="ok" if ok else "unavailable", model_version=manifest["version"], checks=checks)
        return Response(body, status_code=200 if ok else 503)
