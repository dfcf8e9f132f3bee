"""The overclaim model: sentence-level criterion detectors stacked under page-level decisions.

1. Every sentence gets a probability for each rubric criterion from one linear model over word n-grams (with
   negation, hedging, research and attribution scope marked), character n-grams of the words stated outright and
   rubric cues, including the claim's structure (:mod:`model.cues`).
2. Each criterion's page probability comes from a small logistic model over that criterion's strongest
   sentence, top-3 mean and count, plus a few page-wide topic figures.
3. Applicability (is the page about stem-cell therapy for MS?) comes from a logistic model over how much the
   page talks about MS and about cell products, and never holds for a page that does not name MS; the grade from
   ordinal logistic models over page-wide figures and the criteria probabilities, and over the rubric's reading
   of them (see :meth:`OverclaimModel._grade_features`).
Page models are fitted on out-of-fold sentence probabilities (folds by site), so they learn how the sentence
model behaves on unseen sites, and on page openings as well as whole pages, since a page is often judged by its
first screen.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.special import expit
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, clone
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import FeatureUnion, Pipeline, make_pipeline
from sklearn.preprocessing import MaxAbsScaler, StandardScaler

from model.rubric import load_rubric
from model.cues import (CUE_NAMES, CueFeatures, cue_matrix, distinct_conditions, sentence_cues, stated_words,
                        word_ngrams)
from model.ngrams import NgramTfidf
from model.sentences import Sentence, split_sentences
from model.text import normalise

GRADES = (0, 1, 2, 3)
UNLINKED_APPLICABILITY = 0.45
OPENINGS = (1000, 2000)
_TOPIC_CUES = ("ms", "cell_product", "hsct", "commercial", "citation", "risk", "attribution", "testimonial")


@dataclass
class TrainingPage:
    """A labelled page as the model learns from it."""

    text: str
    criteria: frozenset[str]
    evidence: dict[str, list[str]]
    grade: int
    applicable: bool
    group: str


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


def build_sentence_pipeline(C: float = 4.0, max_word_features: int = 30000, max_char_features: int = 40000,
                            class_weight: str | None = None, char_ngrams: tuple[int, int] = (4, 4),
                            random_state: int = 0) -> Pipeline:
    """(sentence, context) items to one probability per criterion: n-grams of the sentence plus cues of the
    sentence and its context into one-vs-rest logistic regression."""
    parts = [
        ("words", TfidfVectorizer(analyzer=word_ngrams, min_df=2, max_features=max_word_features, sublinear_tf=True,
                                  dtype=np.float32)),
        ("cues", make_pipeline(CueFeatures(), MaxAbsScaler())),
    ]
    if max_char_features:
        parts.insert(1, ("chars", TfidfVectorizer(preprocessor=stated_words, analyzer="char_wb", ngram_range=char_ngrams,
                                                  min_df=3, max_features=max_char_features, sublinear_tf=True,
                                                  dtype=np.float32)))
    features = FeatureUnion(parts)
    classifier = OneVsRestClassifier(LogisticRegression(C=C, max_iter=2000, solver="liblinear",
                                                        class_weight=class_weight, random_state=random_state))
    return Pipeline([("features", features), ("classifier", classifier)])


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


def sentence_targets(sentences: list[Sentence], evidence: dict[str, list[str]], criteria: tuple[str, ...]) -> np.ndarray:
    """0/1 matrix: does each sentence show each criterion (overlaps one of its evidence sentences)?"""
    targets = np.zeros((len(sentences), len(criteria)), dtype=np.int8)
    wanted = {c: [normalise(e) for e in evidence.get(c, [])] for c in criteria}
    for i, sentence in enumerate(sentences):
        s = sentence.text
        for j, c in enumerate(criteria):
            if any(e in s or (len(s) >= 12 and s in e) for e in wanted[c]):
                targets[i, j] = 1
    return targets


@dataclass
class PageSummary:
    """Fixed-size description of a page: per criterion (strongest, top-3 mean, count) and page-wide figures."""

    per_criterion: np.ndarray  # (n_criteria, 3)
    shared: np.ndarray  # (n_shared,)

    def for_criterion(self, j: int) -> np.ndarray:
        return np.concatenate([self.per_criterion[j], self.shared])

    def flat(self) -> np.ndarray:
        return np.concatenate([self.per_criterion[:, 0], self.per_criterion[:, 2], self.shared])

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
    conditions = set().union(*(distinct_conditions(s.text) for s, row in zip(sentences, cues)
                               if row[names.index("conditions")]))
    shared = np.array([*counts, math.log1p((ms & (cells | hsct)).sum()), math.log1p(len(conditions)),
                       math.log1p(len(sentences))])
    return PageSummary(per, shared)


def window_grade(page_grade: int, criteria: set[str]) -> int:
    """Grade of part of a page from the red flags it still shows (the rubric's ceiling), never above the whole
    page's grade."""
    return min(page_grade, load_rubric().ceiling(criteria))


class OverclaimModel(BaseEstimator):
    """Criteria, applicability and grade of a page from its visible text.

    ``criteria`` and ``red_flags`` are rubric ids; ``fit`` takes :class:`TrainingPage` objects and
    ``predict_text`` a page's visible text.
    """

    def __init__(self, criteria: tuple[str, ...] = (), red_flags: tuple[str, ...] = (), sentence_C: float = 4.0,
                 page_C: float = 1.0, grade_C: float = 0.3, max_word_features: int = 30000,
                 max_char_features: int = 40000, folds: int = 5, opening_weight: float = 0.5,
                 class_weight: str | None = None, char_ngrams: tuple[int, int] = (4, 4), random_state: int = 0,
                 n_jobs: int = 2, grade_features: str = "all"):
        self.criteria = criteria
        self.red_flags = red_flags
        self.sentence_C = sentence_C
        self.page_C = page_C
        self.grade_C = grade_C
        self.max_word_features = max_word_features
        self.max_char_features = max_char_features
        self.folds = folds
        self.opening_weight = opening_weight
        self.class_weight = class_weight
        self.char_ngrams = char_ngrams
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.grade_features = grade_features

    # -- fitting ---------------------------------------------------------------------------------------------
    def fit(self, pages: list[TrainingPage]) -> "OverclaimModel":
        criteria = tuple(self.criteria)
        views = self._views(pages)  # (text, criteria, grade, applicable, weight, page index)
        split = [split_sentences(v[0]) for v in views]
        whole = [i for i, v in enumerate(views) if v[4] == 1.0]

        # Sentence features are computed once: the vectorisers see every training sentence (no labels), and only
        # the classifiers are refitted per fold.
        items = [sentence_items(sents) for sents in split]
        texts = list(dict.fromkeys(item for page_items in items for item in page_items))
        row = {item: i for i, item in enumerate(texts)}
        features = build_sentence_pipeline(self.sentence_C, self.max_word_features, self.max_char_features,
                                           self.class_weight, tuple(self.char_ngrams), self.random_state)
        features, classifier = features.steps[0][1], features.steps[1][1]
        X = features.fit_transform(texts).tocsr()
        rows = {i: np.array([row[item] for item in items[i]], dtype=int) for i in range(len(views))}
        targets = {i: sentence_targets(split[i], pages[views[i][5]].evidence, criteria) for i in whole}

        groups = np.array([p.group for p in pages])
        folds = list(GroupKFold(n_splits=min(self.folds, len(set(groups)))).split(pages, groups=groups))
        jobs = []
        for train_idx, _ in folds:
            members = set(train_idx)
            jobs.append([i for i in whole if views[i][5] in members])
        jobs.append(whole)
        fitted = Parallel(n_jobs=self.n_jobs)(
            delayed(_fit_classifier)(classifier, X, [rows[i] for i in job], [targets[i] for i in job]) for job in jobs)
        self.sentence_model_ = Pipeline([("features", features), ("classifier", fitted[-1])])

        summaries: list[PageSummary | None] = [None] * len(views)
        for model, (_, held_idx) in zip(fitted, folds):
            held = set(held_idx)
            for i, view in enumerate(views):
                if view[5] in held:
                    proba = model.predict_proba(X[rows[i]]) if len(rows[i]) else np.zeros((0, len(criteria)))
                    summaries[i] = summarise(split[i], proba)
        weights = np.array([v[4] for v in views])
        Y = np.array([[c in v[1] for c in criteria] for v in views], dtype=int)
        self.page_models_ = []
        for j in range(len(criteria)):
            P = np.vstack([s.for_criterion(j) for s in summaries])
            self.page_models_.append(_fit_binary(P, Y[:, j], weights, self.page_C))
        flat = np.vstack([s.flat() for s in summaries])
        applicable = np.array([v[3] for v in views], dtype=int)
        topics = np.vstack([s.topic() for s in summaries])
        self.applicability_model_ = _fit_binary(topics, applicable, weights, self.page_C)
        crit = self._criteria_proba(summaries)
        mask = applicable.astype(bool)
        grades = np.array([v[2] for v in views])
        self.grade_models_ = [OrdinalLogistic(C=self.grade_C).fit(G[mask], grades[mask], weights[mask])
                              for G in self._grade_features(flat, crit)]
        return self

    def _views(self, pages: list[TrainingPage]) -> list[tuple]:
        """Whole pages (weight 1) and their openings (``opening_weight``), with the labels each view shows."""
        views = []
        for k, page in enumerate(pages):
            views.append((page.text, set(page.criteria), page.grade, page.applicable, 1.0, k))
            for chars in OPENINGS:
                if len(page.text) <= chars * 1.2:
                    continue
                text = page.text[:chars]  # cut where it falls, as a reader's first screen is
                shown = {c for c, sentences in page.evidence.items() if any(normalise(s) in text for s in sentences)}
                views.append((text, shown, window_grade(page.grade, shown), page.applicable,
                              self.opening_weight, k))
        return views

    def _grade_features(self, flat: np.ndarray, crit: np.ndarray) -> list[np.ndarray]:
        """Feature matrices, one per grade model. ``grade_features`` "all": page figures, criteria probabilities and
        the rubric's summary of them (how likely an egregious flag is, how many red flags and mitigating signals to
        expect); "rubric": the rubric's reading of the criteria alone (P(a red flag supporting grade >= k), k = 1..3,
        and the mitigating signals); "blend": both, their grade probabilities averaged."""
        red = [j for j, c in enumerate(self.criteria) if c in set(self.red_flags)]
        mitigating = [j for j in range(len(self.criteria)) if j not in red]
        egregious = [j for j, c in enumerate(self.criteria) if c in load_rubric().egregious]
        rubric = np.column_stack([crit[:, egregious].max(axis=1), crit[:, red].sum(axis=1),
                                  crit[:, mitigating].sum(axis=1)])
        structured = np.column_stack([rubric_ceiling_proba(crit, self.criteria), crit[:, mitigating].sum(axis=1)])
        if self.grade_features == "rubric":
            return [structured]
        if self.grade_features == "blend":
            return [np.hstack([flat, crit, rubric]), structured]
        return [np.hstack([flat, crit, rubric])]

    def _criteria_proba(self, summaries: list[PageSummary]) -> np.ndarray:
        return np.column_stack([
            model.predict_proba(np.vstack([s.for_criterion(j) for s in summaries]))[:, 1]
            for j, model in enumerate(self.page_models_)])

    # -- prediction ------------------------------------------------------------------------------------------
    def _linear(self) -> "LinearModels":
        """The fitted linear models as plain weight arrays (built on first use after loading, never pickled)."""
        linear = self.__dict__.get("_linear_")
        if linear is None:
            linear = self.__dict__["_linear_"] = LinearModels(self)
        return linear

    def __getstate__(self) -> dict:
        state = super().__getstate__()
        state.pop("_linear_", None)
        return state

    def __setstate__(self, state: dict) -> None:
        super().__setstate__(state)
        if hasattr(self, "sentence_model_"):
            self._linear()  # a loaded model is ready to score: the weights are folded once, here

    def sentence_proba(self, sentences: list[Sentence]) -> np.ndarray:
        """Criterion probabilities per sentence, in context; a repeated (sentence, context) is scored once."""
        if not sentences:
            return np.zeros((0, len(self.criteria)))
        items = sentence_items(sentences)
        unique = list(dict.fromkeys(items))
        proba = self._linear().sentences(unique)
        if len(unique) == len(items):
            return proba
        row = {item: i for i, item in enumerate(unique)}
        return proba[[row[item] for item in items]]

    def predict_text(self, text: str) -> PagePrediction:
        sentences = split_sentences(text)
        proba = self.sentence_proba(sentences)
        summary = summarise(sentences, proba)
        linear = self._linear()
        crit = linear.criteria(summary)[None, :]
        flat = summary.flat()[None, :]
        topic = summary.topic()
        applicable = float(linear.applicability.proba(topic[None, :])[0])
        # Scope comes from the text shown: a page that never names MS is not about stem-cell therapy for MS, however
        # its vocabulary reads; one that names MS but no cell product or aHSCT ("the cells", "your infusion") is at
        # most doubtful, below the applicability threshold.
        if topic[0] == 0:
            applicable = 0.0
        elif max(topic[1], topic[2]) == 0:
            applicable = min(applicable, UNLINKED_APPLICABILITY)
        conditional = np.mean([ordinal_proba([m.proba(G) for m in models])[0] for models, G in
                               zip(linear.grades, self._grade_features(flat, crit))], axis=0)
        grade_proba = applicable * conditional
        grade_proba[0] += 1.0 - applicable
        return PagePrediction(sentences, proba, crit[0], applicable, grade_proba)


def rubric_ceiling_proba(crit: np.ndarray, criteria: tuple[str, ...]) -> np.ndarray:
    """P(the page shows a red flag supporting grade >= k), k = 1..3, treating criteria as independent: the rubric's
    own reading of the criteria probabilities (see :meth:`model.rubric.Rubric.ceiling`)."""
    grades = {c.id: c.grade or 0 for c in load_rubric().criteria}
    levels = np.array([grades.get(c, 0) for c in criteria])
    return np.column_stack([1.0 - np.prod(1.0 - crit[:, levels >= k], axis=1) for k in (1, 2, 3)])


class OrdinalLogistic:
    """Ordinal regression as cumulative logistic models: one for each P(grade >= k), k = 1..3."""

    def __init__(self, C: float = 0.3):
        self.C = C

    def fit(self, X: np.ndarray, grades: np.ndarray, weights: np.ndarray) -> "OrdinalLogistic":
        self.models_ = [_fit_binary(X, (grades >= k).astype(int), weights, self.C) for k in GRADES[1:]]
        return self

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        return ordinal_proba([m.predict_proba(X)[:, 1] for m in self.models_])


def ordinal_proba(at_least_k: list[np.ndarray]) -> np.ndarray:
    """P(grade = 0..3) from P(grade >= k), k = 1..3 (made monotone)."""
    at_least = np.column_stack([np.ones(len(at_least_k[0]))] + at_least_k)
    at_least = np.minimum.accumulate(at_least, axis=1)
    return np.column_stack([at_least[:, :-1] - at_least[:, 1:], at_least[:, -1]])


class Linear:
    """A fitted binary logistic model (behind its StandardScaler, if any) folded into one weight vector and bias:
    scikit-learn's probabilities without its per-call checks, which cost more than the arithmetic on one page."""

    def __init__(self, model):
        if isinstance(model, _Constant):
            self.w, self.b, self.p = None, 0.0, model.p
            return
        steps = [step for _, step in model.steps] if isinstance(model, Pipeline) else [model]
        regression = steps[-1]
        w, b = regression.coef_[0].astype(np.float64), float(regression.intercept_[0])
        for scaler in reversed(steps[:-1]):  # (x - mean) / scale . w + b == x . (w / scale) + (b - mean . w / scale)
            scale = scaler.scale_ if scaler.scale_ is not None else 1.0
            mean = scaler.mean_ if scaler.mean_ is not None else 0.0
            w = w / scale
            b = b - float(np.dot(mean, w))
        self.w, self.b, self.p = w, b, None

    def proba(self, X: np.ndarray) -> np.ndarray:
        """P(positive) for each row of ``X``."""
        if self.w is None:
            return np.full(X.shape[0], self.p)
        return expit(X @ self.w + self.b)


class LinearModels:
    """Every linear model of a fitted :class:`OverclaimModel` as :class:`Linear` weights, and the sentence
    classifier's one-vs-rest logistic regressions as one weight matrix."""

    def __init__(self, model: "OverclaimModel"):
        self.page = [Linear(m) for m in model.page_models_]
        self.applicability = Linear(model.applicability_model_)
        self.grades = [[Linear(m) for m in ordinal.models_] for ordinal in model.grade_models_]
        parts = model.sentence_model_.steps[0][1].transformer_list
        self.ngrams = {name: NgramTfidf(part) for name, part in parts if isinstance(part, TfidfVectorizer)}
        # the cue pipeline's MaxAbsScaler as scikit-learn applies it to a sparse matrix: times 1 / max |value|
        self.cue_scale = 1.0 / dict(parts)["cues"].steps[-1][1].scale_
        estimators = model.sentence_model_.steps[1][1].estimators_
        weights = np.vstack([e.coef_[0] for e in estimators]).T  # (features, criteria)
        widths = [len(part.vocabulary_) if isinstance(part, TfidfVectorizer) else len(self.cue_scale)
                  for _, part in parts]
        ends = np.cumsum(widths)
        if ends[-1] != len(weights):
            raise ValueError("the sentence classifier's weights do not match its features")
        self.sentence_w = {name: np.ascontiguousarray(weights[end - width:end])
                           for (name, _), width, end in zip(parts, widths, ends)}
        self.sentence_b = np.array([e.intercept_[0] for e in estimators])

    def sentences(self, items: list[tuple[str, str]]) -> np.ndarray:
        """P(criterion) of distinct (sentence, context) items. The feature union's parts are scored one by one: the
        n-gram parts read only the sentence, so a sentence the page repeats in other contexts (menus, footers) is
        counted once, and the cues read the context."""
        texts = list(dict.fromkeys(text for text, _ in items))
        sentence_only = [(text, "") for text in texts]
        z = sum(np.asarray(ngrams.transform(sentence_only) @ self.sentence_w[name])
                for name, ngrams in self.ngrams.items())
        if len(texts) != len(items):
            index = {text: i for i, text in enumerate(texts)}
            z = z[[index[text] for text, _ in items]]
        # sparse, as scikit-learn has it: scipy's own product, not a BLAS call that wakes a thread pool per page
        z += sparse.csr_matrix(cue_matrix(items) * self.cue_scale) @ self.sentence_w["cues"]
        return expit(z + self.sentence_b)

    def criteria(self, summary: PageSummary) -> np.ndarray:
        return np.array([m.proba(summary.for_criterion(j)[None, :])[0] for j, m in enumerate(self.page)])


def _fit_classifier(template, X, rows: list[np.ndarray], targets: list[np.ndarray]):
    """A fresh copy of the sentence classifier fitted on the given sentence rows of ``X``."""
    return clone(template).fit(X[np.concatenate(rows)], np.vstack(targets))


def _fit_binary(X: np.ndarray, y: np.ndarray, weights: np.ndarray, C: float):
    if 0 < y.sum() < len(y):
        model = make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=5000))
        return model.fit(X, y, logisticregression__sample_weight=weights)
    return _Constant(float(y.mean()))


class _Constant:
    """Stand-in page model for a label with one class only in the training data."""

    def __init__(self, p: float):
        self.p = p

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        return np.tile([1.0 - self.p, self.p], (len(X), 1))
