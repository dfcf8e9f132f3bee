"""Typed request and response bodies (msgspec structs); the OpenAPI schema is generated from these."""

from __future__ import annotations

from typing import Annotated, Literal

from msgspec import Meta, Struct

from model.rubric import Level
from service.problems import Problem

MAX_BATCH_PAGES = 20


class AssessRequest(Struct, forbid_unknown_fields=True):
    """A page to assess: its HTML (or extracted text) and, optionally, its URL."""

    html: str
    url: str | None = None


class BatchRequest(Struct, forbid_unknown_fields=True):
    pages: Annotated[list[AssessRequest], Meta(min_length=1, max_length=MAX_BATCH_PAGES)]


class Evidence(Struct):
    text: str
    start: int
    end: int


class CriterionResult(Struct):
    id: str
    kind: Literal["red_flag", "mitigating"]
    title: str
    hit: bool
    probability: float
    evidence: list[Evidence]


class ModelInfo(Struct):
    name: str
    version: str
    sha256: str
    rubric_version: str


class AssessResponse(Struct):
    """`model.Assessment.to_dict()` plus the page URL without its query string and fragment."""

    score: Annotated[float, Meta(ge=0, le=100)]
    grade: Annotated[int, Meta(ge=0, le=3)]
    level: Level
    applicable: bool
    criteria: list[CriterionResult]
    headline: str
    summary: str
    text_length: int
    model: ModelInfo
    url: str | None = None


class BatchAssessment(AssessResponse, tag_field="outcome", tag="assessment"):
    """A batch entry for a page that was assessed."""


class BatchProblem(Problem, tag_field="outcome", tag="problem"):
    """A batch entry for a page that could not be assessed."""


class BatchResponse(Struct):
    """One entry per page, in order; ``outcome`` tells an assessment from a problem."""

    results: list[BatchAssessment | BatchProblem]


class CriterionInfo(Struct):
    id: str
    kind: Literal["red_flag", "mitigating"]
    title: str
    description: str
    regulator_note: str
    sources: list[str]
    grade: int | None = None  # red flags: the highest page grade the flag supports on its own


class GradeInfo(Struct):
    grade: int
    name: str
    description: str


class Link(Struct):
    title: str
    url: str


class RubricResponse(Struct):
    rubric_version: str
    rubric_date: str
    criteria: list[CriterionInfo]
    grades: list[GradeInfo]
    neutral_sources: list[Link]
    disclaimer: str


class Thresholds(Struct):
    hit: float
    applicable: float
    moderate: float
    high: float


class ModelResponse(Struct):
    name: str
    version: str
    sha256: str
    rubric_version: str
    thresholds: Thresholds
    metrics: dict[str, float | None]
    trained_with: dict[str, str]


class HealthResponse(Struct):
    status: Literal["ok"]
    model_version: str
