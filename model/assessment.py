"""`Assessor`: HTML in, `Assessment` out. The one object every part of stemclaim scores pages with."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from pathlib import Path

from model import wording
from model.artifact import ARTIFACT_DIR, LoadedArtifact, load_artifact
from model.overclaim import PagePrediction
from model.rubric import Rubric, load_rubric
from model.text import visible_text

MAX_EVIDENCE = 3


class NotTextError(ValueError):
    """The input is not a page at all (not ``str`` or ``bytes``, or binary data with no text)."""


@dataclass(frozen=True)
class Evidence:
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Finding:
    id: str
    kind: str
    title: str
    hit: bool
    probability: float
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True)
class Assessment:
    """How far a page overclaims: score, grade, level, every criterion with its evidence, and banner wording."""

    score: float
    grade: int
    level: str
    applicable: bool
    criteria: tuple[Finding, ...]
    headline: str
    summary: str
    text_length: int
    model: dict
    applicable_probability: float = 1.0
    grade_probabilities: tuple[float, ...] = ()

    @property
    def hits(self) -> list[Finding]:
        return [f for f in self.criteria if f.hit]

    def to_dict(self) -> dict:
        return {
            "score": self.score, "grade": self.grade, "level": self.level, "applicable": self.applicable,
            "criteria": [
                {"id": f.id, "kind": f.kind, "title": f.title, "hit": f.hit, "probability": f.probability,
                 "evidence": [{"text": e.text, "start": e.start, "end": e.end} for e in f.evidence]}
                for f in self.criteria
            ],
            "headline": self.headline, "summary": self.summary, "text_length": self.text_length,
            "model": dict(self.model),
        }


_SURROGATE = re.compile("[\ud800-\udfff]")


def _decode_check(html: object) -> str | bytes:
    """The input as str or bytes, lone surrogates replaced; :class:`NotTextError` for anything else."""
    if isinstance(html, str):
        return _SURROGATE.sub("\ufffd", html)
    if isinstance(html, (bytes, bytearray, memoryview)):
        data = bytes(html)
        if data and b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise NotTextError("input looks like binary data, not an HTML page")
        return data
    raise NotTextError(f"expected HTML as str or bytes, got {type(html).__name__}")


class Assessor:
    """Loads the verified artifact once and assesses pages; safe to share between threads."""

    def __init__(self, artifact: LoadedArtifact, rubric: Rubric | None = None):
        self.artifact = artifact
        self.model = artifact.model
        self.rubric = rubric or load_rubric()
        thresholds = artifact.manifest.get("thresholds", {})
        self.hit_threshold = float(thresholds.get("hit", 0.5))
        self.moderate = float(thresholds.get("moderate", 20.0))
        self.high = float(thresholds.get("high", 50.0))
        self.applicable_threshold = float(thresholds.get("applicable", 0.5))

    @classmethod
    def from_directory(cls, directory: Path = ARTIFACT_DIR) -> "Assessor":
        return cls(load_artifact(directory))

    def assess(self, html: str | bytes, url: str | None = None) -> Assessment:
        """Assess a page's HTML (or already extracted text). Raises :class:`NotTextError` only for non-text input.

        ``url`` is accepted so callers can pass what they have, but the score never depends on it: a page is judged
        by its own words, not by its address."""
        text = visible_text(_decode_check(html))
        return self.assess_text(text)

    def assess_text(self, text: str) -> Assessment:
        prediction = self.model.predict_text(text)
        return self._assessment(prediction, len(text))

    def _assessment(self, p: PagePrediction, text_length: int) -> Assessment:
        applicable = p.applicable_proba >= self.applicable_threshold
        score = round(100.0 * p.expected_grade / 3.0, 1)
        grade = int(p.grade_proba.argmax())
        if not applicable:
            level = "not_applicable"
        elif score >= self.high:
            level = "high"
        elif score >= self.moderate:
            level = "moderate"
        else:
            level = "low"
        findings = tuple(self._finding(j, p) for j in range(len(self.rubric.criteria)))
        red_titles = [f.title for f in sorted(findings, key=lambda f: -f.probability)
                      if f.hit and f.kind == "red_flag"]
        guideline = any(f.hit and f.id == "guideline_concordant_ahsct" for f in findings)
        return Assessment(
            score=score, grade=grade, level=level, applicable=applicable, criteria=findings,
            headline=wording.headline(level), summary=wording.summary(level, red_titles, self.rubric, guideline),
            text_length=text_length, model=self.artifact.info, applicable_probability=round(p.applicable_proba, 4),
            grade_probabilities=tuple(round(float(g), 4) for g in p.grade_proba),
        )

    def _finding(self, j: int, p: PagePrediction) -> Finding:
        criterion = self.rubric.criteria[j]
        probability = float(p.criteria_proba[j])
        hit = probability >= self.hit_threshold
        evidence: tuple[Evidence, ...] = ()
        if hit and len(p.sentences):
            column = p.sentence_proba[:, j]
            ranked = [i for i in column.argsort()[::-1][:MAX_EVIDENCE] if column[i] >= 0.5 * column.max()]
            evidence = tuple(Evidence(p.sentences[i].text, p.sentences[i].start, p.sentences[i].end)
                             for i in sorted(ranked))
        return Finding(criterion.id, criterion.kind, criterion.title, hit, round(probability, 4), evidence)


_lock = threading.Lock()
_default: Assessor | None = None


def default_assessor() -> Assessor:
    """The process-wide assessor for the shipped artifact, loaded once on first use."""
    global _default
    if _default is None:
        with _lock:
            if _default is None:
                _default = Assessor.from_directory()
    return _default


def assess(html: str | bytes, url: str | None = None) -> Assessment:
    """Assess a page with the shipped model: ``assess(html).to_dict()`` is the service's JSON."""
    return default_assessor().assess(html, url)
