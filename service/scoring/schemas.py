"""Typed request and response bodies (msgspec structs); the OpenAPI schema is generated from these."""

from __future__ import annotations

from typing import Annotated, Literal, TypedDict

from msgspec import Meta, Struct

from model.assessment import AssessmentJSON

MAX_BATCH_PAGES = 20


class AssessRequest(Struct, forbid_unknown_fields=True):
    """A page to assess: its HTML (or extracted text) and, optionally, its URL."""

    html: str
    url: str | None = None


class BatchRequest(Struct, forbid_unknown_fields=True):
    pages: Annotated[list[AssessRequest], Meta(min_length=1, max_length=MAX_BATCH_PAGES)]


class AssessResponse(AssessmentJSON):
    """``model.Assessment.to_dict()`` plus the page URL without its query string and fragment."""

    url: str | None


class BatchAssessment(AssessResponse):
    """A batch entry for a page that was assessed."""

    outcome: Literal["assessment"]


class BatchProblem(TypedDict):
    """A batch entry for a page that could not be assessed: a problem object (see ``service.problems.Problem``)."""

    type: str
    title: str
    status: int
    detail: str
    outcome: Literal["problem"]


class BatchResponse(TypedDict):
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
    about_ms: bool = False  # about MS itself: never shown on a page that is not about stem-cell therapy for MS


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


class CriterionRecord(Struct):
    """One criterion on the real pages: pages labelled with it, pages the model named it on, and of those the share
    labelled with it (precision) and of the labelled ones the share named (recall)."""

    labelled: int
    named: int
    precision: float | None
    recall: float | None


class RealPagesRecord(Struct):
    """How the model reads real public pages that two careful readers labelled and it was never trained on: the
    figures to quote, with 95% intervals (resampling sites), and each criterion's record."""

    pages: int
    metrics: dict[str, float | None]  # counts (grade-0 pages shown high...) as numbers too: one JSON type per value
    intervals: dict[str, list[float]]
    criteria: dict[str, CriterionRecord]
    # the same figures for one labelling pass against the other, for scale; None when the labels record one pass
    readers: dict[str, float | None] | None = None


class ModelResponse(Struct):
    name: str
    version: str
    sha256: str
    rubric_version: str
    thresholds: Thresholds
    metrics: dict[str, float | None]  # on the corpus's test split, written by the same hands as its training pages
    trained_with: dict[str, str]
    real_pages: RealPagesRecord | None = None  # None for a model not measured on real pages
