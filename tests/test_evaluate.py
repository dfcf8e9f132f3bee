"""The figures `stemclaim evaluate` and the model card report: per-criterion precision and recall, and the 95%
intervals of the real-page figures."""

from types import SimpleNamespace

import numpy as np
import pytest
from sklearn.metrics import f1_score

from model.assessment import Finding
from training.evaluate import INTERVAL_METRICS, _f1, criterion_figures, intervals, metrics
from training.model_card import criteria_table, span

IDS = ["cure_claim", "testimonial_evidence", "discusses_risks"]
RED, MITIGATING = ("cure_claim", "testimonial_evidence"), ("discusses_risks",)


def _page(grade: float, criteria: list[str]) -> SimpleNamespace:
    return SimpleNamespace(kind="clinic_ad", grade=grade, criteria=criteria, evidence={}, text="", applicable=True)


def _result(score: float, named: list[str]) -> SimpleNamespace:
    findings = [Finding(c, "red_flag", c, c in named, 0.9 if c in named else 0.1, ()) for c in IDS]
    return SimpleNamespace(score=score, grade=round(score * 3 / 100), level="low", applicable=True,
                           applicable_probability=1.0, criteria=findings, hits=[f for f in findings if f.hit])


def test_criterion_figures_count_pages_and_give_precision_and_recall():
    truth = np.array([[1, 0, 0], [1, 1, 0], [0, 1, 0], [0, 0, 0]])
    hit = np.array([[1, 0, 0], [0, 1, 0], [1, 0, 0], [0, 0, 0]])
    figures = criterion_figures(IDS, truth, hit)
    assert figures["cure_claim"] == {"labelled": 2, "named": 2, "precision": 0.5, "recall": 0.5, "f1": 0.5}
    assert figures["testimonial_evidence"] == {"labelled": 2, "named": 1, "precision": 1.0, "recall": 0.5,
                                               "f1": 0.6667}
    # never labelled, never named: nothing to measure precision or recall on, and nothing missed
    assert figures["discusses_risks"] == {"labelled": 0, "named": 0, "precision": None, "recall": None, "f1": 1.0}


def test_the_vectorised_f1_is_scikit_learns():
    rng = np.random.default_rng(1)
    truth, hit = rng.integers(0, 2, (40, 6)), rng.integers(0, 2, (40, 6))
    truth[:, 0] = hit[:, 0] = 0  # a column with neither
    hit[:, 1] = 0  # a column never named
    ours = _f1(truth, hit)
    theirs = f1_score(truth, hit, average=None, zero_division=1.0)
    assert np.allclose(ours, theirs)
    assert ours[0] == 1.0 and ours[1] == 0.0


def _set(n_sites: int, per_site: int, seed: int = 0, noise: float = 30.0):
    rng = np.random.default_rng(seed)
    grades = rng.choice([0, 1, 2, 3], n_sites * per_site)
    scores = grades * 30 + rng.normal(0, noise, len(grades))
    pages = [_page(g, ["cure_claim"] if g >= 2 else []) for g in grades]
    results = [_result(s, ["cure_claim"] if s >= 60 else []) for s in scores]
    groups = [f"site{i // per_site}" for i in range(len(grades))]
    return pages, results, groups


def test_intervals_hold_the_figure_and_narrow_with_more_sites():
    pages, results, groups = _set(20, 3)
    point = metrics(pages, results, RED, MITIGATING)
    spread = intervals(pages, results, RED, MITIGATING, groups, resamples=400)
    assert set(spread) == set(INTERVAL_METRICS)
    for name in ("spearman", "auc_grade_ge_2", "red_flag_macro_f1"):
        low, high = spread[name]
        assert low <= point[name] <= high and low < high
    big_pages, big_results, big_groups = _set(200, 3)
    big = intervals(big_pages, big_results, RED, MITIGATING, big_groups, resamples=400)
    assert big["spearman"][1] - big["spearman"][0] < spread["spearman"][1] - spread["spearman"][0]
    # the same seed gives the same intervals
    assert intervals(pages, results, RED, MITIGATING, groups, resamples=400) == spread


def test_intervals_draw_a_sites_pages_together():
    """Pages of one site are drawn together: with every page on one site, each draw is the whole set and the interval
    is the figure itself; drawn page by page, it would spread."""
    pages, results, _ = _set(10, 6)
    point = metrics(pages, results, RED, MITIGATING)["spearman"]
    one_site = intervals(pages, results, RED, MITIGATING, ["site"] * len(pages), resamples=50)
    assert one_site["spearman"] == [pytest.approx(point, abs=1e-4)] * 2
    by_page = intervals(pages, results, RED, MITIGATING, [str(i) for i in range(len(pages))], resamples=50)
    assert by_page["spearman"][0] < point < by_page["spearman"][1]


def test_a_criterion_never_named_has_no_precision_in_the_table():
    table = criteria_table(criterion_figures(IDS, np.array([[1, 0, 0]]), np.array([[0, 0, 0]])))
    assert "| `cure_claim` | red flag | 1 | 0 | n/a | 0.000 | 0.000 |" in table
    assert "| `discusses_risks` | mitigating | 0 | 0 | n/a | n/a | 1.000 |" in table
    assert span([0.61234, 0.7]) == "0.612 to 0.700" and span(None) == "n/a" and span([float("nan"), 1.0]) == "n/a"
