"""The overclaim model as scikit-learn fits it: sentence-level criterion detectors stacked under page-level decisions.

What each part reads is described in :mod:`model.scoring`, which scores pages with the fitted model written out as
plain arrays (:func:`to_scorer`). Page models are fitted on out-of-fold sentence probabilities (folds by site), so
they learn how the sentence model behaves on unseen sites, and on page openings as well as whole pages, since a page
is often judged by its first screen.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from joblib import Parallel, delayed
from scipy import sparse
from scipy.optimize import minimize
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin, clone
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import FeatureUnion, Pipeline, make_pipeline
from sklearn.preprocessing import MaxAbsScaler, StandardScaler

from model.cues import cue_matrix, cue_names, stated_words, word_ngrams
from model.ngrams import NgramTfidf, page_words
from model.rubric import load_rubric
from model.scoring import (GRADES, Linear, PagePrediction, PageSummary, Scorer, at_least, grade_feature_names,
                           grade_features, ordinal_proba, sentence_items, summarise, supported)
from model.sentences import Sentence, split_sentences
from model.text import normalise

OPENINGS = (1000, 2000)


@dataclass
class TrainingPage:
    """A labelled page as the model learns from it."""

    text: str
    criteria: frozenset[str]
    evidence: dict[str, list[str]]
    grade: float
    applicable: bool
    group: str
    vocabulary: bool = True  # its words may become features (a real page's never do: see training/real.py)


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


def fit_shared(vectorizer: TfidfVectorizer, texts: list[str], sites: list[str], min_sites: int) -> TfidfVectorizer:
    """Fit ``vectorizer`` on ``texts``, keeping only the terms it would keep that are found in the texts of at least
    ``min_sites`` sites: a site's own words (its name, its menus, its writer's pet phrases) are not the claims. A
    corpus of fewer sites keeps them all."""
    vectorizer.fit(texts)
    if min_sites <= 1 or len(set(sites)) < min_sites:
        return vectorizer
    analyze, known = vectorizer.build_analyzer(), vectorizer.vocabulary_
    found: dict[str, set[str]] = {}
    for text, site in zip(texts, sites):
        for term in set(analyze(text)) & known.keys():
            found.setdefault(term, set()).add(site)
    shared = sorted(term for term, where in found.items() if len(where) >= min_sites)
    return vectorizer.set_params(vocabulary=shared).fit(texts)


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
                 n_jobs: int = 2, words_weight: float = 0.0, words_C: float = 10.0, words_min_sites: int = 1,
                 grade_signs: bool = True):
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
        self.words_weight = words_weight
        self.words_C = words_C
        self.words_min_sites = words_min_sites
        self.grade_signs = grade_signs

    # -- fitting ---------------------------------------------------------------------------------------------
    def fit(self, pages: list[TrainingPage]) -> "OverclaimModel":
        criteria = tuple(self.criteria)
        views = self._views(pages)  # (text, criteria, grade, applicable, weight, page index)
        split = [split_sentences(v[0]) for v in views]
        whole = [i for i, v in enumerate(views) if v[4] == 1.0]

        # Sentence features are computed once: the vectorisers see every training sentence of the pages whose words
        # may become features (no labels), and only the classifiers are refitted per fold.
        items = [sentence_items(sents) for sents in split]
        texts = list(dict.fromkeys(item for page_items in items for item in page_items))
        row = {item: i for i, item in enumerate(texts)}
        features = build_sentence_pipeline(self.sentence_C, self.max_word_features, self.max_char_features,
                                           self.class_weight, tuple(self.char_ngrams), self.random_state)
        features, classifier = features.steps[0][1], features.steps[1][1]
        own = {item for i, v in enumerate(views) if pages[v[5]].vocabulary for item in items[i]}
        X = features.fit([t for t in texts if t in own]).transform(texts).tocsr()
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
        applicable = np.array([v[3] for v in views], dtype=int)
        topics = np.vstack([s.topic() for s in summaries])
        self.applicability_model_ = _fit_binary(topics, applicable, weights, self.page_C)
        crit = self._criteria_proba(summaries)
        mask = applicable.astype(bool)
        grades = np.array([v[2] for v in views])
        self.words_ = words = None
        if self.words_weight:  # one more grade model, over the whole view's words (see model.scoring)
            own_views = [v for v in views if v[4] == 1.0 and pages[v[5]].vocabulary]
            self.words_ = fit_shared(TfidfVectorizer(analyzer=page_words, min_df=3, sublinear_tf=True),
                                     [v[0] for v in own_views], [pages[v[5]].group for v in own_views],
                                     self.words_min_sites)
            words = self.words_.transform([v[0] for v in views]).tocsr()
            # its grade, out of fold like the sentence probabilities, for the first grade model to read
            for _, held_idx in folds:
                held = set(held_idx)
                fit = [i for i, v in enumerate(views) if mask[i] and v[5] not in held]
                model = OrdinalLogistic(C=self.words_C, scaled=False).fit(words[fit], grades[fit], weights[fit])
                out = [i for i, v in enumerate(views) if v[5] in held]
                for i, proba in zip(out, model.predict_proba(words[out])):
                    summaries[i].words = at_least(proba)
        flat = np.vstack([s.flat() for s in summaries])
        bounds = None
        if self.grade_signs:
            names = grade_feature_names(criteria, words is not None)
            bounds = tuple(rubric_bounds(names, tuple(self.red_flags), k) for k in GRADES[1:])
        self.grade_models_ = [
            (OrdinalLogistic(C=self.words_C, scaled=False) if sparse.issparse(G)
             else OrdinalLogistic(C=self.grade_C, bounds=bounds))
            .fit(G[mask], grades[mask], weights[mask])
            for G in self._grade_features(flat, crit, words)]
        return self

    def grade_weights(self) -> tuple[float, ...]:
        """Each grade model's share of the grade probabilities: the words model's ``words_weight``, the criteria-based
        model's the rest."""
        if self.words_ is None:
            return (1.0,)
        return (1.0 - self.words_weight, self.words_weight)

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

    def _grade_features(self, flat: np.ndarray, crit: np.ndarray, words=None) -> list:
        """Feature matrices, one per grade model: the criteria-based one's (see :func:`model.scoring.grade_features`),
        then the pages' words (``words_`` transformed), when the model reads them."""
        features = grade_features(flat, crit, tuple(self.criteria), tuple(self.red_flags))
        return [features] if words is None else [features, words]

    def _criteria_proba(self, summaries: list[PageSummary]) -> np.ndarray:
        crit = np.column_stack([
            model.predict_proba(np.vstack([s.for_criterion(j) for s in summaries]))[:, 1]
            for j, model in enumerate(self.page_models_)])
        return supported(crit, np.vstack([s.per_criterion[:, 0] for s in summaries]))

    # -- scoring ---------------------------------------------------------------------------------------------
    def scorer(self) -> Scorer:
        """The fitted model as the scoring path reads it (:func:`to_scorer`), built once and never pickled."""
        scorer = self.__dict__.get("_scorer_")
        if scorer is None:
            scorer = self.__dict__["_scorer_"] = to_scorer(self)
        return scorer

    def __getstate__(self) -> dict:
        state = super().__getstate__()
        state.pop("_scorer_", None)
        return state

    def predict_text(self, text: str) -> PagePrediction:
        return self.scorer().predict_text(text)


def to_scorer(model: OverclaimModel) -> Scorer:
    """A fitted :class:`OverclaimModel` as plain arrays: each logistic model (and the StandardScaler before it) folded
    into one weight vector and bias, the TF-IDF vectorizers as vocabularies and IDF weights, the cue scaler as one
    scale vector, the sentence classifier's one-vs-rest models as one weight matrix per feature part."""
    parts = model.sentence_model_.steps[0][1].transformer_list
    ngrams = {name: ngram_tfidf(part) for name, part in parts if isinstance(part, TfidfVectorizer)}
    # the cue pipeline's MaxAbsScaler as scikit-learn applies it to a sparse matrix: times 1 / max |value|
    cue_scale = 1.0 / dict(parts)["cues"].steps[-1][1].scale_
    estimators = model.sentence_model_.steps[1][1].estimators_
    weights = np.vstack([e.coef_[0] for e in estimators]).T  # (features, criteria)
    widths = [len(part.vocabulary_) if isinstance(part, TfidfVectorizer) else len(cue_scale) for _, part in parts]
    ends = np.cumsum(widths)
    if ends[-1] != len(weights) or parts[-1][0] != "cues":
        raise ValueError("the sentence classifier's weights do not match its features")
    return Scorer(criteria=tuple(model.criteria), red_flags=tuple(model.red_flags), ngrams=ngrams, cue_scale=cue_scale,
                  sentence_w={name: np.ascontiguousarray(weights[end - width:end])
                              for (name, _), width, end in zip(parts, widths, ends)},
                  sentence_b=np.array([e.intercept_[0] for e in estimators]),
                  page=[fold(m) for m in model.page_models_], applicability=fold(model.applicability_model_),
                  grades=[[fold(m) for m in ordinal.models_] for ordinal in model.grade_models_],
                  words=ngram_tfidf(model.words_) if model.words_ is not None else None,
                  grade_weights=model.grade_weights())


def ngram_tfidf(part: TfidfVectorizer) -> NgramTfidf:
    """A fitted TF-IDF vectorizer as the scoring path's :class:`NgramTfidf`."""
    if part.norm != "l2" or part.binary or part.input != "content":
        raise ValueError("only l2-normalised, non-binary vectorizers of content are supported")
    if callable(part.analyzer):
        analyzer, char_wb = part.analyzer, None
    elif part.analyzer == "char_wb" and part.preprocessor is not None:
        analyzer, char_wb = part.preprocessor, tuple(part.ngram_range)
    else:
        raise ValueError(f"analyzer {part.analyzer!r} is not supported")
    return NgramTfidf(part.vocabulary_, part.idf_, analyzer, char_wb, part.sublinear_tf, part.dtype)


def fold(model) -> Linear:
    """A fitted binary logistic model (behind its StandardScaler, if any) as one weight vector and bias."""
    if isinstance(model, _Constant):
        return Linear(None, 0.0, model.p)
    steps = [step for _, step in model.steps] if isinstance(model, Pipeline) else [model]
    regression = steps[-1]
    w, b = regression.coef_[0].astype(np.float64), float(regression.intercept_[0])
    for scaler in reversed(steps[:-1]):  # (x - mean) / scale . w + b == x . (w / scale) + (b - mean . w / scale)
        scale = scaler.scale_ if scaler.scale_ is not None else 1.0
        mean = scaler.mean_ if scaler.mean_ is not None else 0.0
        w = w / scale
        b = b - float(np.dot(mean, w))
    return Linear(w, b)


def rubric_bounds(names: list[str], red_flags: tuple[str, ...], k: int) -> list[tuple[float | None, float | None]]:
    """The signs the rubric gives the criteria-based grade model's weights in its model of P(grade >= k), by feature
    name (:func:`model.scoring.grade_feature_names`). More of a red flag (its strongest sentence, its count, its
    probability, the rubric's sums of them) or a higher grade from the page's words never lowers the grade. More of a
    mitigating signal never raises P(grade >= 2) or P(grade >= 3), since mitigation lowers a grade; it may go either
    way for P(grade >= 1), since a seller's disclaimer sits on a grade-1 page. Page figures are free."""
    def bound(name: str) -> tuple[float | None, float | None]:
        kind, _, criterion = name.partition(":")
        if name in ("egregious_max", "red_sum") or kind.startswith("words>=") or (
                kind in ("max", "count", "crit") and criterion in red_flags):
            return (0.0, None)
        if k >= 2 and (name == "mitigating_sum" or (kind in ("max", "count", "crit") and criterion not in red_flags)):
            return (None, 0.0)
        return (None, None)
    return [bound(name) for name in names]


class BoundedLogistic(ClassifierMixin, BaseEstimator):
    """Weighted L2-penalised logistic regression whose weights keep to ``bounds`` (one (low, high) pair per feature,
    None for no bound), fitted by L-BFGS-B; its objective is scikit-learn's ``LogisticRegression``'s."""

    def __init__(self, C: float = 1.0, bounds: list[tuple[float | None, float | None]] | None = None):
        self.C = C
        self.bounds = bounds

    def fit(self, X: np.ndarray, y: np.ndarray, sample_weight: np.ndarray | None = None) -> "BoundedLogistic":
        X, y = np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64)
        weight = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)

        def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
            w, b = theta[:-1], theta[-1]
            z = X @ w + b
            loss = self.C * float(np.sum(weight * (np.logaddexp(0.0, z) - y * z))) + 0.5 * float(w @ w)
            slope = self.C * weight * (expit(z) - y)
            return loss, np.append(X.T @ slope + w, slope.sum())

        bounds = list(self.bounds or [(None, None)] * X.shape[1]) + [(None, None)]
        theta = minimize(objective, np.zeros(X.shape[1] + 1), jac=True, method="L-BFGS-B", bounds=bounds,
                         options={"maxiter": 5000}).x
        self.coef_, self.intercept_, self.classes_ = theta[None, :-1], theta[-1:], np.array([0, 1])
        return self

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        p = expit(np.asarray(X, dtype=np.float64) @ self.coef_[0] + self.intercept_[0])
        return np.column_stack([1.0 - p, p])


class OrdinalLogistic:
    """Ordinal regression as cumulative logistic models: one for each P(grade >= k), k = 1..3, each with its own
    weight bounds if ``bounds`` gives them (one list per k; see :func:`rubric_bounds`)."""

    def __init__(self, C: float = 0.3, scaled: bool = True, bounds: tuple[list, ...] | None = None):
        self.C = C
        self.scaled = scaled
        self.bounds = bounds

    def fit(self, X: np.ndarray, grades: np.ndarray, weights: np.ndarray) -> "OrdinalLogistic":
        self.models_ = [_fit_binary(X, (grades >= k).astype(int), weights, self.C, self.scaled,
                                    self.bounds[i] if self.bounds else None)
                        for i, k in enumerate(GRADES[1:])]
        return self

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        return ordinal_proba([m.predict_proba(X)[:, 1] for m in self.models_])


def _fit_classifier(template, X, rows: list[np.ndarray], targets: list[np.ndarray]):
    """A fresh copy of the sentence classifier fitted on the given sentence rows of ``X``."""
    return clone(template).fit(X[np.concatenate(rows)], np.vstack(targets))


def _fit_binary(X, y: np.ndarray, weights: np.ndarray, C: float, scaled: bool = True, bounds=None):
    """Weighted logistic regression, behind a StandardScaler when ``scaled`` (not for sparse word counts), its
    weights within ``bounds`` if given (a scaler keeps their signs)."""
    if not 0 < y.sum() < len(y):
        return _Constant(float(y.mean()))
    if not scaled:
        return LogisticRegression(C=C, max_iter=5000).fit(X, y, sample_weight=weights)
    regression = BoundedLogistic(C, bounds) if bounds is not None else LogisticRegression(C=C, max_iter=5000)
    model = make_pipeline(StandardScaler(), regression)
    return model.fit(X, y, **{f"{model.steps[-1][0]}__sample_weight": weights})


class _Constant:
    """Stand-in page model for a label with one class only in the training data."""

    def __init__(self, p: float):
        self.p = p

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        return np.tile([1.0 - self.p, self.p], (len(X), 1))


class CueFeatures(BaseEstimator, TransformerMixin):
    """Transformer: (sentence, context) items to a sparse matrix of cue features (:func:`model.cues.cue_matrix`)."""

    def fit(self, items, y=None):
        return self

    def transform(self, items) -> sparse.csr_matrix:
        if not len(items):
            return sparse.csr_matrix((0, len(cue_names())))
        return sparse.csr_matrix(cue_matrix(items))

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        return np.asarray([f"cue:{n}" for n in cue_names()], dtype=object)
