"""The rubric (criteria, grades, wording) as data, read from ``criteria.json``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

Kind = Literal["red_flag", "mitigating"]
LEVELS = ("high", "moderate", "low", "not_applicable")  # most severe first; colours in criteria.json
Level = Literal[LEVELS]


@dataclass(frozen=True, slots=True)
class Criterion:
    """One rubric criterion: a red flag or a mitigating signal."""

    id: str
    kind: Kind
    title: str
    description: str
    regulator_note: str
    sources: tuple[str, ...]
    grade: int | None = None  # red flags: the highest page grade this flag supports on its own
    # "sales": the page sells (a careful page sells nothing); "ahsct_option": the page describes aHSCT as guidelines
    # do (the banner adds a note on it, and it is not a caveat that makes a page careful)
    role: str | None = None
    # the criterion is about MS itself (a cure of MS, an MS treatment, MS studies): never shown on a page that is not
    # about stem-cell therapy for MS, whatever its sentences read like
    about_ms: bool = False


@dataclass(frozen=True, slots=True)
class Rubric:
    """The whole rubric: version, criteria in their fixed order, grades and people-facing wording."""

    version: str
    date: str
    criteria: tuple[Criterion, ...]
    grades: tuple[dict, ...]
    neutral_sources: tuple[dict, ...]
    disclaimer: str
    level_colours: dict[str, str]

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.criteria)

    @property
    def red_flags(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.criteria if c.kind == "red_flag")

    @property
    def mitigating(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.criteria if c.kind == "mitigating")

    @property
    def egregious(self) -> frozenset[str]:
        """Red flags that alone make a page grade 3 (cure, guarantee, approval, no risk, stop your drugs...)."""
        return frozenset(c.id for c in self.criteria if c.grade == 3)

    def with_role(self, role: str) -> Criterion:
        return next(c for c in self.criteria if c.role == role)

    def ceiling(self, red_flags: set[str] | frozenset[str]) -> int:
        """The highest grade a page can have when these are the red flags it shows: none 0, only minor ones
        (a testimonial, a price) 1, an overclaim 2, an egregious claim 3. A grade rests on claims one can see."""
        return max((c.grade or 0 for c in self.criteria if c.id in red_flags), default=0)

    def to_dict(self) -> dict:
        return {
            "rubric_version": self.version,
            "rubric_date": self.date,
            "criteria": [
                {
                    "id": c.id, "kind": c.kind, "title": c.title, "description": c.description,
                    "regulator_note": c.regulator_note, "sources": list(c.sources),
                    **({"grade": c.grade} if c.grade is not None else {}),
                    "about_ms": c.about_ms,
                }
                for c in self.criteria
            ],
            "grades": list(self.grades),
            "neutral_sources": list(self.neutral_sources),
            "disclaimer": self.disclaimer,
        }


@cache
def load_rubric() -> Rubric:
    """The rubric shipped with the package."""
    data = json.loads(resources.files("model").joinpath("criteria.json").read_text("utf-8"))
    if tuple(level["id"] for level in data["levels"]) != LEVELS:
        raise ValueError("criteria.json lists levels other than model.rubric.LEVELS")
    criteria = tuple(
        Criterion(
            id=c["id"], kind=c["kind"], title=c["title"], description=c["description"],
            regulator_note=c["regulator_note"], sources=tuple(c["sources"]), grade=c.get("grade"),
            role=c.get("role"), about_ms=bool(c.get("about_ms", False)),
        )
        for c in data["criteria"]
    )
    return Rubric(
        version=data["rubric_version"], date=data["rubric_date"], criteria=criteria,
        grades=tuple(data["grades"]), neutral_sources=tuple(data["neutral_sources"]),
        disclaimer=data["disclaimer"], level_colours={level["id"]: level["colour"] for level in data["levels"]},
    )
