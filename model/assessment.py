"""`Assessor`: HTML in, `Assessment` out. The one object every part of stemclaim scores pages with."""

from __future__ import annotations

import copy
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict

from model import wording
from model.artifact import ARTIFACT_DIR, LoadedArtifact, load_artifact
from model.scoring import PagePrediction
from model.sentences import Sentence
from model.rubric import Kind, Level, Rubric, load_rubric
from model.text import TooManyTagsError, visible_text

MAX_EVIDENCE = 3
CAREFUL_SIGNALS = ("discloses_investigational", "discusses_risks", "cites_evidence")
_QUOTE_MARKS = "\"'\u201c\u201d\u2018\u2019\u00ab\u00bb\u201e "  # stripped from a quote's ends; every display adds its own
# `unproven_as_established` is about investigational cell products (mesenchymal, cord, exosome, fat-derived, fetal...)
# sold as proven. A page that names aHSCT and none of them describes a transplant, not such a product: on the real
# pages (the first 609) that flag was wrong on all 12 such pages it was named on, and labelled on none of the 185.
AHSCT_ONLY_EXCLUDES = "unproven_as_established"
_AHSCT = re.compile(r"\ba?hsct\b|ha?ematopoietic|ha?emopoietic", re.I)
_INVESTIGATIONAL_PRODUCT = re.compile(
    r"mesenchymal|\bmscs?\b|umbilical|cord[- ]blood|cord[- ]tissue|wharton|exosome|fat[- ]derived|adipose|\bsvf\b|"
    r"stromal|fetal|foetal|placent|amniotic|secretome|\bbmac\b|neural stem|neural progenitor", re.I)


class NotTextError(ValueError):
    """The input is not a page at all (not ``str`` or ``bytes``, or binary data with no text)."""


class PageTooComplexError(NotTextError):
    """The input has far more markup than a real page (see :data:`model.text.MAX_TAGS`)."""


class EvidenceJSON(TypedDict):
    text: str
    start: int
    end: int


class FindingJSON(TypedDict):
    id: str
    kind: Kind
    title: str
    hit: bool
    probability: float
    evidence: list[EvidenceJSON]


class ModelJSON(TypedDict):
    name: str
    version: str
    sha256: str
    rubric_version: str


class AssessmentJSON(TypedDict):
    """The wire shape of an assessment (``Assessment.to_dict()``): the service's responses, stored reports and audit
    rows are all this, so it is written down once, here."""

    score: float
    grade: int
    level: Level
    applicable: bool
    criteria: list[FindingJSON]
    headline: str
    summary: str
    text_length: int
    model: ModelJSON


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
    level: Level
    applicable: bool
    criteria: tuple[Finding, ...]
    headline: str
    summary: str
    text_length: int
    model: dict
    applicable_probability: float = 1.0

    @property
    def hits(self) -> list[Finding]:
        return [f for f in self.criteria if f.hit]

    def to_dict(self) -> AssessmentJSON:
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
        if "\x00" in html[:4096]:
            raise NotTextError("input looks like binary data, not an HTML page")
        if not html.isascii():
            try:
                html.encode("utf-8")  # fails only on a lone surrogate; far quicker than scanning for one
            except UnicodeEncodeError:
                html = _SURROGATE.sub("\ufffd", html)
        return html
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
        # A criterion may need stronger evidence than the rest before it is shown (see the model card).
        by_criterion = thresholds.get("hit_by_criterion", {})
        self._hit_at = [float(by_criterion.get(c.id, self.hit_threshold)) for c in self.rubric.criteria]
        self.moderate = float(thresholds.get("moderate", 20.0))
        self.high = float(thresholds.get("high", 50.0))
        self.applicable_threshold = float(thresholds.get("applicable", 0.5))
        self.support_threshold = float(thresholds.get("support", 0.3))
        self.careful_mitigation = float(thresholds.get("careful_mitigation", 1.0))
        self.careful_sales = float(thresholds.get("careful_sales", 0.2))
        ids = self.rubric.ids
        self._ahsct = self.rubric.with_role("ahsct_option").id
        # A careful page's caveats are about the treatment itself: its investigational status, its risks, the studies.
        # Eligibility and "ask your neurologist" (defers_to_neurologist) are also quoted by brokers that overclaim, and
        # a page describing aHSCT as guidelines do is not thereby careful about what it sells.
        self._caveats = [ids.index(c) for c in CAREFUL_SIGNALS]
        self._sales = ids.index(self.rubric.with_role("sales").id)
        self._weight = {c.id: c.grade or 0 for c in self.rubric.criteria}  # red flags ordered by it in the summary

    @classmethod
    def from_directory(cls, directory: Path = ARTIFACT_DIR) -> "Assessor":
        return cls(load_artifact(directory))

    def with_levels(self, moderate: float, high: float) -> "Assessor":
        """This assessor with other score cut-offs for `moderate` and `high` (to choose them on labelled pages)."""
        other = copy.copy(self)
        other.moderate, other.high = float(moderate), float(high)
        return other

    def assess(self, html: str | bytes, url: str | None = None) -> Assessment:
        """Assess a page's HTML (or already extracted text). Raises :class:`NotTextError` only for non-text input.

        ``url`` is accepted so callers can pass what they have, but the score never depends on it: a page is judged
        by its own words, not by its address."""
        try:
            text = visible_text(_decode_check(html))
        except TooManyTagsError as exc:
            raise PageTooComplexError(str(exc)) from None
        return self.assess_text(text)

    def assess_text(self, text: str) -> Assessment:
        prediction = self.model.predict_text(text)
        return self.assess_prediction(prediction, len(text))

    def assess_prediction(self, p: PagePrediction, text_length: int) -> Assessment:
        """The verdict on a page the model has read (``self.model.predict_text``): a prediction can be judged at
        other cut-offs (:meth:`with_levels`) without reading the page again."""
        # A page with no sentences has nothing to judge: not applicable, like any page not about stem cells for MS.
        applicable = bool(p.sentences) and p.applicable_proba >= self.applicable_threshold
        score = round(100.0 * p.expected_grade / 3.0, 1)
        shown = self._showable(p, applicable)
        hit = [h and ok for h, ok in zip(self._hits(p.criteria_proba, score if applicable else 0.0), shown)]
        # A verdict rests on claims a reader can see: no red flag, no more than low; only minor ones (a price, a
        # testimonial), no more than moderate. A page that sells nothing and shows its caveats (investigational
        # status, risks, studies) is never shown high, whatever words of a cure it uses:
        # the rubric's "one slip on a careful page".
        ceiling = self._ceiling(hit)
        if self._careful(p):
            ceiling = min(ceiling, 1)
        if ceiling == 0:
            score = min(score, round(self.moderate - 0.1, 1))
        elif ceiling == 1:
            score = min(score, round(self.high - 0.1, 1))
        if not applicable:
            level: Level = "not_applicable"
        elif score >= self.high:
            level = "high"
        elif score >= self.moderate:
            level = "moderate"
        else:
            level = "low"
        hit = [h and ok for h, ok in zip(self._settle(hit, p.criteria_proba, level), shown)]
        grade = min(int(p.grade_proba.argmax()), ceiling, self._ceiling(hit)) if applicable else 0
        findings = tuple(self._finding(j, p, hit[j]) for j in range(len(self.rubric.criteria)))
        red_titles = [f.title for f in sorted(findings, key=lambda f: (-self._weight[f.id], -f.probability))
                      if f.hit and f.kind == "red_flag"]
        guideline = any(f.hit and f.id == self._ahsct for f in findings)
        return Assessment(
            score=score, grade=grade, level=level, applicable=applicable, criteria=findings,
            headline=wording.headline(level), summary=wording.summary(level, red_titles, self.rubric, guideline),
            text_length=text_length, model=self.artifact.info, applicable_probability=round(p.applicable_proba, 4),
        )

    def _showable(self, p: PagePrediction, applicable: bool) -> list[bool]:
        """The criteria this page can show at all. A page not about stem cells for MS claims no MS cure, MS
        treatment or MS study; a page about aHSCT alone sells no investigational product as established."""
        if not applicable:
            return [not c.about_ms for c in self.rubric.criteria]
        if ahsct_only(p.sentences):
            return [c.id != AHSCT_ONLY_EXCLUDES for c in self.rubric.criteria]
        return [True] * len(self.rubric.criteria)

    def _careful(self, p: PagePrediction) -> bool:
        return (p.criteria_proba[self._sales] < self.careful_sales
                and p.criteria_proba[self._caveats].sum() >= self.careful_mitigation)

    def _hits(self, proba, score: float) -> list[bool]:
        """Criteria hit: probability at the hit threshold; and where the page's score calls for more red flags than
        that shows, the likeliest further red flags at the lower support threshold, strongest first."""
        hit = [float(q) >= at for q, at in zip(proba, self._hit_at)]
        wanted = 2 if score >= self.high else 1 if score >= self.moderate else 0
        red = sorted((j for j, c in enumerate(self.rubric.criteria)
                      if c.kind == "red_flag" and not hit[j] and proba[j] >= self.support_threshold),
                     key=lambda j: -proba[j])
        for j in red:
            if self._ceiling(hit) >= wanted:
                break
            hit[j] = True
        return hit

    def _settle(self, hit: list[bool], proba, level: Level) -> list[bool]:
        """The red flags a verdict shows. A page shown `low` shows none that alone would make it overclaim (grade 2
        or more): the page's grade and that flag disagree, and on the real pages the flag was the one wrong 35 times
        in 39. A page shown `high` shows every red flag at the support threshold, not just enough to back its
        grade: a reader checking a high verdict wants all the claims behind it."""
        if level == "low":
            return [h and not (c.kind == "red_flag" and (c.grade or 0) >= 2) for h, c in zip(hit, self.rubric.criteria)]
        if level == "high":
            return [h or (c.kind == "red_flag" and float(q) >= self.support_threshold)
                    for h, c, q in zip(hit, self.rubric.criteria, proba)]
        return hit

    def _ceiling(self, hit: list[bool]) -> int:
        """The highest grade the hit red flags support (see :meth:`model.rubric.Rubric.ceiling`)."""
        return self.rubric.ceiling({c.id for c, h in zip(self.rubric.criteria, hit) if h})

    def _finding(self, j: int, p: PagePrediction, hit: bool) -> Finding:
        criterion = self.rubric.criteria[j]
        probability = float(p.criteria_proba[j])
        evidence: tuple[Evidence, ...] = ()
        if hit and len(p.sentences):
            column = p.sentence_proba[:, j]
            ranked: dict[str, int] = {}  # a sentence the page repeats is quoted once, where it first stands
            for i in column.argsort(kind="stable")[::-1]:
                if len(ranked) == MAX_EVIDENCE or column[i] < 0.5 * column.max():
                    break
                text = p.sentences[i].text
                ranked[text] = min(i, ranked.get(text, i))
            # Best fit first: the first quote is the one a summary or banner shows.
            best_first = sorted(ranked.values(), key=lambda i: (-column[i], i))
            evidence = tuple(_quotable(p.sentences[i].text, p.sentences[i].start) for i in best_first)
        return Finding(criterion.id, criterion.kind, criterion.title, hit, round(probability, 4), evidence)


def ahsct_only(sentences: list[Sentence]) -> bool:
    """Does the page name aHSCT and no investigational cell product?"""
    text = " ".join(s.text for s in sentences)
    return bool(_AHSCT.search(text)) and not _INVESTIGATIONAL_PRODUCT.search(text)


def _quotable(text: str, start: int) -> Evidence:
    """A sentence as evidence, without the quotation marks around it (a testimonial's own), so that a display that
    quotes it shows one pair; the offsets still point at exactly this text."""
    lead = len(text) - len(text.lstrip(_QUOTE_MARKS))
    core = text[lead:].rstrip(_QUOTE_MARKS) or text
    if core is text:
        lead = 0
    return Evidence(core, start + lead, start + lead + len(core))


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
