"""Metrics of an assessor on labelled pages: overall, and per page kind."""

from __future__ import annotations

from collections import defaultdict
from typing import Protocol

import numpy as np
from scipy.stats import spearmanr
from sklearn.metrics import brier_score_loss, roc_auc_score

from model.assessment import Assessment, Assessor
from model.text import normalise


class Labelled(Protocol):
    """A page with labels: a corpus page, or a real page of an external set (grade may be a mean, e.g. 1.5)."""

    kind: str
    grade: float
    criteria: list[str]
    evidence: dict[str, list[str]]
    text: str

    @property
    def applicable(self) -> bool: ...


def assess_pages(assessor: Assessor, pages: list[Labelled]) -> list[Assessment]:
    return [assessor.assess_text(p.text) for p in pages]


def _safe(fn, *args, **kwargs) -> float | None:
    try:
        value = float(fn(*args, **kwargs))
    except ValueError:
        return None
    return None if np.isnan(value) else round(value, 4)


def _varies(values) -> bool:
    return len(np.unique(np.asarray(values))) > 1


def metrics(pages: list[Labelled], results: list[Assessment], red_flags: tuple[str, ...],
            mitigating: tuple[str, ...]) -> dict:
    """Headline metrics for pages and the assessments made of them. A criterion neither labelled nor predicted on
    any page counts as F1 1 (nothing to find, nothing claimed); correlations undefined on constant input are None."""
    grades, scores, ids, truth, hit = _judged(pages, results)
    proba = np.array([[f.probability for f in r.criteria] for r in results])
    red = [ids.index(c) for c in red_flags]
    mit = [ids.index(c) for c in mitigating]
    applicable_truth = np.array([p.applicable for p in pages], dtype=int)
    applicable_pred = np.array([r.applicable for r in results], dtype=int)
    listed = total = 0
    for page, result in zip(pages, results):
        for finding in result.hits:
            wanted = [normalise(e) for e in page.evidence.get(finding.id, [])]
            for ev in finding.evidence:
                total += 1
                listed += any(w in ev.text or ev.text in w for w in wanted)
    return {
        "pages": len(pages),
        "spearman": _safe(lambda: spearmanr(scores, grades).statistic) if _varies(scores) and _varies(grades) else None,
        "auc_grade_ge_2": _safe(roc_auc_score, grades >= 2, scores) if _varies(grades >= 2) else None,
        "grade_accuracy": round(float(np.mean(np.abs(np.array([r.grade for r in results]) - grades) <= 0.5)), 4)
        if len(pages) else None,
        "grade_mae": round(float(np.mean(np.abs(scores * 3 / 100 - grades))), 4) if len(pages) else None,
        "red_flag_macro_f1": _safe(lambda: _f1(truth[:, red], hit[:, red]).mean()),
        "mitigating_macro_f1": _safe(lambda: _f1(truth[:, mit], hit[:, mit]).mean()),
        "criteria_brier": round(float(np.mean((proba - truth) ** 2)), 4) if len(pages) else None,
        "applicability_accuracy": round(float(np.mean(applicable_truth == applicable_pred)), 4) if len(pages) else None,
        "applicability_brier": _safe(brier_score_loss, applicable_truth, [r.applicable_probability for r in results]),
        # Labels without evidence sentences (an external set) say nothing about which sentences are right.
        "evidence_precision": round(listed / total, 4) if total and any(p.evidence for p in pages) else None,
        **verdict_counts(pages, results),
        "per_criterion": criterion_figures(ids, truth, hit),
    }


def _judged(pages: list[Labelled], results: list[Assessment]) -> tuple:
    """Grades, scores, criterion ids, labelled criteria and named criteria (0/1, pages by criteria) as arrays."""
    ids = [f.id for f in results[0].criteria] if results else []
    return (np.array([p.grade for p in pages]), np.array([r.score for r in results]), ids,
            np.array([[c in p.criteria for c in ids] for p in pages], dtype=int),
            np.array([[f.hit for f in r.criteria] for r in results], dtype=int))


INTERVAL_METRICS = ("spearman", "auc_grade_ge_2", "red_flag_macro_f1", "mitigating_macro_f1")


def intervals(pages: list[Labelled], results: list[Assessment], red_flags: tuple[str, ...],
              mitigating: tuple[str, ...], groups: list[str], resamples: int = 1000,
              seed: int = 0) -> dict[str, list[float]]:
    """95% intervals of the ranking and F1 figures: their 2.5th and 97.5th percentiles over ``resamples`` draws of
    the ``groups`` (sites) with replacement, each draw taking all of a site's pages, since pages of one site are
    not independent of each other (a cluster bootstrap)."""
    grades, scores, ids, truth, hit = _judged(pages, results)
    red = [ids.index(c) for c in red_flags]
    mit = [ids.index(c) for c in mitigating]
    members: dict[str, list[int]] = defaultdict(list)
    for i, g in enumerate(groups):
        members[g].append(i)
    clusters = [np.array(m) for m in members.values()]
    rng = np.random.default_rng(seed)
    draws = []
    for _ in range(resamples):
        idx = np.concatenate([clusters[k] for k in rng.integers(0, len(clusters), len(clusters))])
        g, s = grades[idx], scores[idx]
        draws.append((spearmanr(s, g).statistic if _varies(s) and _varies(g) else np.nan,
                      auc_grade_ge_2(g, s),
                      _f1(truth[idx][:, red], hit[idx][:, red]).mean(),
                      _f1(truth[idx][:, mit], hit[idx][:, mit]).mean()))
    bounds = np.nanpercentile(np.array(draws, dtype=float), [2.5, 97.5], axis=0)
    return {name: [round(float(bounds[0, k]), 4), round(float(bounds[1, k]), 4)]
            for k, name in enumerate(INTERVAL_METRICS)}


def auc_grade_ge_2(grades: np.ndarray, scores: np.ndarray) -> float:
    """ROC AUC of ``scores`` for grade >= 2, as :func:`metrics` has it; NaN when a resample holds one class only."""
    positive = grades >= 2
    return float(roc_auc_score(positive, scores)) if 0 < positive.sum() < len(positive) else float("nan")


def _f1(truth: np.ndarray, hit: np.ndarray) -> np.ndarray:
    """F1 of each column (criterion) of 0/1 arrays, 1 where a column has neither a label nor a hit, as scikit-learn's
    ``f1_score(..., zero_division=1)`` has it; vectorised, for the bootstrap."""
    tp = (truth & hit).sum(axis=0)
    denominator = truth.sum(axis=0) + hit.sum(axis=0)
    return np.where(denominator > 0, 2 * tp / np.maximum(denominator, 1), 1.0)


def criterion_figures(ids: list[str], truth: np.ndarray, hit: np.ndarray) -> dict[str, dict]:
    """Per criterion: the pages labelled with it and the pages the model names it on; precision (of the pages it is
    named on, the share labelled with it: what a reader of one finding can expect), recall and F1."""
    f1 = _f1(truth, hit)
    out = {}
    for j, c in enumerate(ids):
        labelled, named, both = int(truth[:, j].sum()), int(hit[:, j].sum()), int((truth[:, j] & hit[:, j]).sum())
        out[c] = {"labelled": labelled, "named": named,
                  "precision": round(both / named, 4) if named else None,
                  "recall": round(both / labelled, 4) if labelled else None,
                  "f1": round(float(f1[j]), 4)}
    return out


def verdict_counts(pages: list[Labelled], results: list[Assessment]) -> dict:
    """The failures a reader notices: careful pages shown high, overclaiming pages shown low, egregious pages not
    shown high, and verdicts above low that name no red flag."""
    levels = [r.level for r in results]
    grades = [p.grade for p in pages]
    egregious = [lv for g, lv in zip(grades, levels) if g >= 2.5]
    return {
        "grade_0_shown_high": sum(g == 0 and lv == "high" for g, lv in zip(grades, levels)),
        "grade_ge_2_shown_low": sum(g >= 2 and lv in ("low", "not_applicable") for g, lv in zip(grades, levels)),
        "grade_3_shown_high": round(egregious.count("high") / len(egregious), 4) if egregious else None,
        "verdicts_without_red_flag": sum(r.level in ("moderate", "high")
                                         and not any(f.kind == "red_flag" for f in r.hits) for r in results),
    }


def by_kind(pages: list[Labelled], results: list[Assessment], red_flags, mitigating) -> dict:
    """The headline figures of each page kind (per-criterion figures are for the whole set only)."""
    groups: dict[str, list[int]] = defaultdict(list)
    for i, page in enumerate(pages):
        groups[page.kind].append(i)
    figures = {kind: metrics([pages[i] for i in idx], [results[i] for i in idx], red_flags, mitigating)
               for kind, idx in sorted(groups.items())}
    return {kind: {k: v for k, v in m.items() if k != "per_criterion"} for kind, m in figures.items()}


def report(corpus, split: str, assessor: Assessor) -> str:
    """`stemclaim evaluate`: a model's metrics on one split of the corpus, overall and per kind."""
    from model.rubric import load_rubric
    from training.corpus import load_pages
    from training.model_card import metrics_table

    rubric = load_rubric()
    pages = [p for p in load_pages(corpus) if p.split == split]
    if not pages:
        return f"no pages in the {split} split of {corpus}"
    results = assess_pages(assessor, pages)
    overall = metrics(pages, results, rubric.red_flags, rubric.mitigating)
    kinds = by_kind(pages, results, rubric.red_flags, rubric.mitigating)
    return "\n\n".join([
        f"{split} split of {corpus}: {len(pages)} pages; model {results[0].model['name']} {results[0].model['version']}",
        metrics_table({split: overall}),
        "By page kind:\n" + metrics_table(kinds),
    ])
