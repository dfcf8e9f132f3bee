"""The fitted overclaim model as plain arrays, and the scoring path that reads a page with them.

Training (``training/overclaim.py``) fits scikit-learn estimators, then writes them out as a :class:`Scorer`: every
logistic model folded into one weight vector and bias, the TF-IDF vectorizers as vocabularies and IDF weights,
the cue scaler as one scale vector. Scoring needs NumPy and SciPy only, and the artifact is a NumPy ``.npz``
file read without unpickling anything.

1. Every sentence gets a probability for each rubric criterion from one linear model over word n-grams (with
   negation, hedging, research and attribution scope marked), character n-grams of the words stated outright and
   rubric cues, including the claim's structure (:mod:`model.cues`).
2. Each criterion's page probability comes from a small logistic model over that criterion's strongest
   sentence, top-3 mean and count, plus a few page-wide topic figures, and never exceeds twice the strongest
   sentence's (:func:`supported`).
3. Applicability (is the page about stem-cell therapy for MS?) from a logistic model over how much the page
   talks about MS and about cell products, never for a page that does not name MS; the grade from an ordinal
   logistic model over page-wide figures, the criteria probabilities and the rubric's reading of them, averaged
   with one over the whole page's words and word pairs (how the page as a whole reads: who speaks, to whom, to
   sell or to inform), which ranks real pages better than the criteria alone do; the first grade model also reads
   the words model's grade (stacked, fitted on its out-of-fold grades).
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy import sparse
from scipy.special import expit

from model.cues import (CUE_NAMES, cue_matrix, distinct_conditions, forget_sentences, sentence_cues, stated_words,
                        word_ngrams)
from model.ngrams import NgramTfidf, page_words
from model.rubric import load_rubric
from model.sentences import Sentence, split_sentences

FORMAT = "stemclaim-scorer/2"
GRADES = (0, 1, 2, 3)
UNLINKED_APPLICABILITY = 0.45
KNOWN_SENTENCES = 20_000  # sentences whose n-gram scores are kept (a few MB)
KNOWN_PAGES = 10_000  # pages (by digest) whose words' grade probabilities are kept (under 1 MB)
# A page model reads page-wide figures (how much the page talks of MS, cells, prices, testimonials...) beside its
# criterion's sentences; on real pages unlike the corpus those figures alone raised criteria no sentence showed (a
# patient's treatment diary read as disparaging MS drugs). See :func:`supported`.
SUPPORT_RATIO = 2.0
_TOPIC_CUES = ("ms", "cell_product", "hsct", "commercial", "citation", "risk", "attribution", "testimonial")
ANALYZERS = {"word_ngrams": word_ngrams, "stated_words": stated_words, "page_words": page_words}  # by name in the artifact, never pickled


class ScorerFormatError(ValueError):
    """The scorer file is not one this version of stemclaim reads."""


@dataclass
class PagePrediction:
    """Everything the model says about one page's visible text."""

    sentences: list[Sentence]
    sentence_proba: np.ndarray  # (n_sentences, n_criteria)
    criteria_proba: np.ndarray  # (n_criteria,)
    applicable_proba: float
    grade_proba: np.ndarray  # (4,), mixed with applicability: P(grade 0) includes "not applicable"

    @property
    def expected_grade(self) -> float:
        return float(np.dot(self.grade_proba, GRADES))


def sentence_items(sentences: list[Sentence]) -> list[tuple[str, str]]:
    """Each sentence with its context: the two sentences before it and the last lead-in ending in ':' nearby."""
    texts = [s.text for s in sentences]
    items = []
    lead_in, lead_at = "", -10
    for i, text in enumerate(texts):
        context = texts[max(0, i - 2):i]
        if lead_in and i - lead_at > 2 and i - lead_at <= 12:
            context = [lead_in, *context]
        items.append((text, " ".join(context)))
        if text.endswith(":"):
            lead_in, lead_at = text, i
    return items


@dataclass
class PageSummary:
    """Fixed-size description of a page: per criterion (strongest, top-3 mean, count), page-wide figures and what
    the whole page's words say of its grade (read by the first grade model)."""

    per_criterion: np.ndarray  # (n_criteria, 3)
    shared: np.ndarray  # (n_shared,)
    words: np.ndarray = field(default_factory=lambda: np.zeros(0))  # the words model's P(grade >= k), if it has one

    def for_criterion(self, j: int) -> np.ndarray:
        return np.concatenate([self.per_criterion[j], self.shared])

    def flat(self) -> np.ndarray:
        return np.concatenate([self.per_criterion[:, 0], self.per_criterion[:, 2], self.shared, self.words])

    def topic(self) -> np.ndarray:
        """How much the page talks about MS, about cell products or aHSCT, and about both together."""
        ms, cells, hsct, both, sentences = self.shared[[0, 1, 2, 8, 10]]
        return np.array([ms, cells, hsct, both, min(ms, max(cells, hsct)), sentences])


def summarise(sentences: list[Sentence], proba: np.ndarray) -> PageSummary:
    n_criteria = proba.shape[1]
    if len(sentences) == 0:
        per = np.zeros((n_criteria, 3))
        cues = np.zeros((1, len(CUE_NAMES)))
    else:
        ordered = -np.sort(-proba, axis=0)
        per = np.column_stack([ordered[0], ordered[:3].mean(axis=0), np.log1p((proba >= 0.5).sum(axis=0))])
        cues = np.vstack([sentence_cues(s.text)[:len(CUE_NAMES)] for s in sentences])
    names = list(CUE_NAMES)
    counts = [math.log1p(cues[:, names.index(c)].sum()) for c in _TOPIC_CUES]
    ms, cells, hsct = (cues[:, names.index(c)] > 0 for c in ("ms", "cell_product", "hsct"))
    conditions = set().union(*(distinct_conditions(sentences[i].text)
                               for i in np.flatnonzero(cues[:, names.index("conditions")])))
    shared = np.array([*counts, math.log1p((ms & (cells | hsct)).sum()), math.log1p(len(conditions)),
                       math.log1p(len(sentences))])
    return PageSummary(per, shared)


def at_least(grade_proba: np.ndarray) -> np.ndarray:
    """P(grade >= k), k = 1..3, from P(grade = 0..3)."""
    return np.cumsum(grade_proba[::-1])[::-1][1:]


def supported(crit: np.ndarray, strongest: np.ndarray) -> np.ndarray:
    """Criteria probabilities held to what the page's sentences show: a criterion is never likelier on a page than
    :data:`SUPPORT_RATIO` times its likeliest sentence, however much the page as a whole reads like pages that show it
    (a grade rests on claims a reader can see). ``strongest`` is each criterion's likeliest sentence, row by row."""
    return np.minimum(crit, SUPPORT_RATIO * strongest)


def grade_features(flat: np.ndarray, crit: np.ndarray, criteria: tuple[str, ...],
                   red_flags: tuple[str, ...]) -> np.ndarray:
    """What the criteria-based grade model reads: page figures, criteria probabilities and the rubric's summary of
    them (how likely an egregious flag is, how many red flags and mitigating signals to expect)."""
    red = [j for j, c in enumerate(criteria) if c in set(red_flags)]
    mitigating = [j for j in range(len(criteria)) if j not in red]
    egregious = [j for j, c in enumerate(criteria) if c in load_rubric().egregious]
    rubric = np.column_stack([crit[:, egregious].max(axis=1), crit[:, red].sum(axis=1), crit[:, mitigating].sum(axis=1)])
    return np.hstack([flat, crit, rubric])


def grade_feature_names(criteria: tuple[str, ...], words: bool) -> list[str]:
    """The name of each column :func:`grade_features` returns, in order: each criterion's strongest sentence
    (``max:``) and count of likely sentences (``count:``), the page figures (``shared:``), the words model's
    P(grade >= k) when the model has one (``words>=k``), the criteria probabilities (``crit:``) and the rubric's
    summary of them."""
    shared = [*_TOPIC_CUES, "ms&cell", "conditions", "sentences"]
    return ([f"max:{c}" for c in criteria] + [f"count:{c}" for c in criteria] + [f"shared:{n}" for n in shared]
            + ([f"words>={k}" for k in GRADES[1:]] if words else []) + [f"crit:{c}" for c in criteria]
            + ["egregious_max", "red_sum", "mitigating_sum"])


def ordinal_proba(at_least_k: list[np.ndarray]) -> np.ndarray:
    """P(grade = 0..3) from P(grade >= k), k = 1..3 (made monotone)."""
    at_least = np.column_stack([np.ones(len(at_least_k[0]))] + at_least_k)
    at_least = np.minimum.accumulate(at_least, axis=1)
    return np.column_stack([at_least[:, :-1] - at_least[:, 1:], at_least[:, -1]])


@dataclass
class Linear:
    """A logistic model as one weight vector and bias (any scaler in front of it folded in), or a constant
    probability for a label that had one class only in training (``w`` is None)."""

    w: np.ndarray | None
    b: float
    p: float | None = None

    def proba(self, X: np.ndarray) -> np.ndarray:
        """P(positive) for each row of ``X``."""
        if self.w is None:
            return np.full(X.shape[0], self.p)
        return expit(X @ self.w + self.b)


@dataclass
class Scorer:
    """The overclaim model's scoring path: a page's visible text to a :class:`PagePrediction`."""

    criteria: tuple[str, ...]
    red_flags: tuple[str, ...]
    ngrams: dict[str, NgramTfidf]  # the sentence features' n-gram parts, in feature order, before the cues
    cue_scale: np.ndarray
    sentence_w: dict[str, np.ndarray]  # per feature part: (part width, n_criteria)
    sentence_b: np.ndarray
    page: list[Linear]
    applicability: Linear
    grades: list[list[Linear]]  # per grade model (the criteria-based one, then the words one if any): P(grade >= k)
    words: NgramTfidf | None = None  # the whole page's words, read by the last grade model when set
    grade_weights: tuple[float, ...] = ()  # each grade model's share of the grade probabilities (default equal)
    _known_sentences: dict[str, np.ndarray] = field(default_factory=dict, repr=False, compare=False)
    _known_pages: dict[bytes, np.ndarray] = field(default_factory=dict, repr=False, compare=False)

    def sentence_proba(self, sentences: list[Sentence]) -> np.ndarray:
        """Criterion probabilities per sentence, in context; a repeated (sentence, context) is scored once."""
        if not sentences:
            return np.zeros((0, len(self.criteria)))
        items = sentence_items(sentences)
        unique = list(dict.fromkeys(items))
        proba = self._item_proba(unique)
        if len(unique) == len(items):
            return proba
        row = {item: i for i, item in enumerate(unique)}
        return proba[[row[item] for item in items]]

    def _item_proba(self, items: list[tuple[str, str]]) -> np.ndarray:
        """P(criterion) of distinct (sentence, context) items, part by part: the n-gram parts read only the
        sentence, so a sentence the page repeats in other contexts (menus, footers) is counted once; the cues read
        the context."""
        z = self._ngram_scores([text for text, _ in items])
        # sparse, as scikit-learn has it: scipy's own product, not a BLAS call that wakes a thread pool per page
        z += sparse.csr_matrix(cue_matrix(items) * self.cue_scale) @ self.sentence_w["cues"]
        return expit(z + self.sentence_b)

    def _ngram_scores(self, texts: list[str]) -> np.ndarray:
        """The n-gram parts' share of each sentence's scores, (n_texts, n_criteria). It depends on the sentence alone
        and each row is computed on its own, so a sentence read before (a site's menu, its footer) is looked up."""
        known = self._known_sentences
        rows = [known.get(text) for text in texts]
        missing = list(dict.fromkeys(text for text, row in zip(texts, rows) if row is None))
        if missing:
            new = [(text, "") for text in missing]
            z = sum(np.asarray(ngrams.transform(new) @ self.sentence_w[name]) for name, ngrams in self.ngrams.items())
            fresh = dict(zip(missing, z))
            if len(known) + len(fresh) > KNOWN_SENTENCES:
                known.clear()
            known.update(fresh)
            rows = [fresh[text] if row is None else row for text, row in zip(texts, rows)]
        return np.vstack(rows)

    def _words_grade_proba(self, text: str) -> np.ndarray:
        """P(grade = 0..3) from the whole page's words; a page read before (by its digest) is looked up."""
        key = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()
        found = self._known_pages.get(key)
        if found is None:
            words = self.words.transform([text])
            found = ordinal_proba([m.proba(words) for m in self.grades[-1]])[0]
            if len(self._known_pages) >= KNOWN_PAGES:
                self._known_pages.clear()
            self._known_pages[key] = found
        return found

    def forget_sentences(self) -> None:
        """Empty every per-sentence and per-page cache (here and in :mod:`model.cues`), as if no page had been read
        yet; what is known about single words stays. For benchmarks of pages never seen before."""
        self._known_sentences.clear()
        self._known_pages.clear()
        forget_sentences()

    def criteria_proba(self, summary: PageSummary) -> np.ndarray:
        crit = np.array([m.proba(summary.for_criterion(j)[None, :])[0] for j, m in enumerate(self.page)])
        return supported(crit, summary.per_criterion[:, 0])

    def predict_text(self, text: str) -> PagePrediction:
        sentences = split_sentences(text)
        proba = self.sentence_proba(sentences)
        summary = summarise(sentences, proba)
        crit = self.criteria_proba(summary)[None, :]
        words = self._words_grade_proba(text) if self.words is not None else None
        if words is not None:
            summary.words = at_least(words)
        flat = summary.flat()[None, :]
        topic = summary.topic()
        applicable = float(self.applicability.proba(topic[None, :])[0])
        # Scope comes from the text shown: a page that never names MS is not about stem-cell therapy for MS, however
        # its vocabulary reads; one that names MS but no cell product or aHSCT ("the cells", "your infusion") is at
        # most doubtful, below the applicability threshold.
        if topic[0] == 0:
            applicable = 0.0
        elif max(topic[1], topic[2]) == 0:
            applicable = min(applicable, UNLINKED_APPLICABILITY)
        features = grade_features(flat, crit, self.criteria, self.red_flags)
        conditional = [ordinal_proba([m.proba(features) for m in self.grades[0]])[0]]
        if words is not None:
            conditional.append(words)
        conditional = np.average(conditional, axis=0, weights=self.grade_weights or None)
        grade_proba = applicable * conditional
        grade_proba[0] += 1.0 - applicable
        return PagePrediction(sentences, proba, crit[0], applicable, grade_proba)

    # -- the artifact ----------------------------------------------------------------------------------------
    def save(self, path: Path) -> None:
        """Write the scorer as one compressed ``.npz`` of plain arrays (no pickled objects)."""
        arrays: dict[str, np.ndarray] = {"cue_scale": self.cue_scale, "sentence_b": self.sentence_b}
        ngrams = {name: _save_ngrams(arrays, name, part) for name, part in self.ngrams.items()}
        words = _save_ngrams(arrays, "page_words", self.words) if self.words is not None else None
        for name, w in self.sentence_w.items():
            arrays[f"sentence_w.{name}"] = w
        linear = {f"page.{j}": m for j, m in enumerate(self.page)}
        linear["applicability"] = self.applicability
        linear.update({f"grade.{s}.{k}": m for s, models in enumerate(self.grades) for k, m in enumerate(models)})
        constants = {}
        for key, m in linear.items():
            if m.w is None:
                constants[key] = m.p
            else:
                arrays[f"w.{key}"], arrays[f"b.{key}"] = m.w, np.array(m.b)
        config = {"format": FORMAT, "criteria": list(self.criteria), "red_flags": list(self.red_flags),
                  "ngrams": ngrams, "parts": list(self.sentence_w),
                  "grade_sets": len(self.grades), "constants": constants, "words": words,
                  "grade_weights": list(self.grade_weights)}
        arrays["config"] = np.array(json.dumps(config))
        with path.open("wb") as f:
            np.savez_compressed(f, **arrays)

    @classmethod
    def load(cls, path: Path) -> "Scorer":
        """Read a scorer written by :meth:`save`; :class:`ScorerFormatError` for any other file."""
        try:
            with np.load(path, allow_pickle=False) as data:
                arrays = {key: data[key] for key in data.files}
            config = json.loads(str(arrays["config"]))
        except (OSError, ValueError, KeyError) as exc:
            raise ScorerFormatError(f"{path.name} is not a stemclaim scorer: {exc}") from None
        if config.get("format") != FORMAT:
            raise ScorerFormatError(f"{path.name} is a {config.get('format')!r} file; this stemclaim reads {FORMAT}")

        def linear(key: str) -> Linear:
            if key in config["constants"]:
                return Linear(None, 0.0, config["constants"][key])
            return Linear(arrays[f"w.{key}"], float(arrays[f"b.{key}"]))

        ngrams = {name: _load_ngrams(arrays, name, spec) for name, spec in config["ngrams"].items()}
        words = config.get("words")
        criteria = tuple(config["criteria"])
        return cls(criteria=criteria, red_flags=tuple(config["red_flags"]), ngrams=ngrams, cue_scale=arrays["cue_scale"],
                   sentence_w={name: np.ascontiguousarray(arrays[f"sentence_w.{name}"]) for name in config["parts"]},
                   sentence_b=arrays["sentence_b"], page=[linear(f"page.{j}") for j in range(len(criteria))],
                   applicability=linear("applicability"),
                   grades=[[linear(f"grade.{s}.{k}") for k in range(len(GRADES) - 1)]
                           for s in range(config["grade_sets"])],
                   words=_load_ngrams(arrays, "page_words", words) if words else None,
                   grade_weights=tuple(config.get("grade_weights", ())))


def _save_ngrams(arrays: dict[str, np.ndarray], name: str, part: NgramTfidf) -> dict:
    """Put an n-gram part's vocabulary and IDF weights into ``arrays``; its settings, for the config."""
    arrays[f"terms.{name}"] = np.array(sorted(part.vocabulary, key=part.vocabulary.__getitem__), dtype=str)
    arrays[f"idf.{name}"] = part.idf
    return {"analyzer": part.analyzer_name, "char_wb": list(part.n_range) if part.n_range else None,
            "sublinear": part.sublinear, "dtype": np.dtype(part.dtype).name}


def _load_ngrams(arrays: dict[str, np.ndarray], name: str, spec: dict) -> NgramTfidf:
    terms = arrays[f"terms.{name}"].tolist()
    return NgramTfidf(dict(zip(terms, range(len(terms)))), arrays[f"idf.{name}"], ANALYZERS[spec["analyzer"]],
                      tuple(spec["char_wb"]) if spec["char_wb"] else None, spec["sublinear"], np.dtype(spec["dtype"]))
