"""The rubric's signs on the criteria-based grade model: the bounded logistic regression and the bounds it is given."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from model.rubric import load_rubric
from model.scoring import PageSummary, grade_feature_names, grade_features
from training.overclaim import BoundedLogistic, rubric_bounds


@pytest.fixture
def data():
    rng = np.random.default_rng(7)
    X = rng.normal(size=(400, 4))
    y = (X @ [1.5, -2.0, 0.5, 0.0] + rng.normal(size=400) > 0).astype(int)
    return X, y, rng.uniform(0.5, 2.0, size=400)


def test_without_bounds_it_is_scikit_learns_logistic_regression(data):
    X, y, weight = data
    ours = BoundedLogistic(C=0.7).fit(X, y, sample_weight=weight)
    theirs = LogisticRegression(C=0.7, tol=1e-10, max_iter=10000).fit(X, y, sample_weight=weight)
    assert np.allclose(ours.coef_, theirs.coef_, atol=1e-4)
    assert np.allclose(ours.intercept_, theirs.intercept_, atol=1e-4)
    assert np.allclose(ours.predict_proba(X), theirs.predict_proba(X), atol=1e-4)


def test_a_bound_holds_where_the_data_would_cross_it(data):
    X, y, weight = data
    free = BoundedLogistic(C=0.7).fit(X, y, sample_weight=weight).coef_[0]
    held = BoundedLogistic(C=0.7, bounds=[(None, None), (0.0, None), (None, 0.0), (None, None)]).fit(
        X, y, sample_weight=weight).coef_[0]
    assert free[1] < -0.5 and free[2] > 0.1  # the data pull these weights across their bounds...
    assert held[1] == pytest.approx(0.0, abs=1e-9) and held[2] == pytest.approx(0.0, abs=1e-9)  # ...which hold
    assert held[0] > 0.5


def test_the_names_follow_the_grade_features_columns():
    rubric = load_rubric()
    n = len(rubric.ids)
    summary = PageSummary(np.zeros((n, 3)), np.zeros(11), np.zeros(3))
    for words in (True, False):
        flat = summary.flat() if words else summary.flat()[:-3]
        width = grade_features(flat[None, :], np.zeros((1, n)), rubric.ids, rubric.red_flags).shape[1]
        names = grade_feature_names(rubric.ids, words)
        assert len(names) == width and len(set(names)) == width
    assert names[0] == f"max:{rubric.ids[0]}" and names[-1] == "mitigating_sum"


@pytest.mark.parametrize("name, k, bound", [
    ("max:cure_claim", 1, (0.0, None)), ("count:commercial_pressure", 3, (0.0, None)), ("red_sum", 2, (0.0, None)),
    ("crit:testimonial_evidence", 2, (0.0, None)), ("words>=3", 1, (0.0, None)), ("egregious_max", 3, (0.0, None)),
    ("crit:discusses_risks", 1, (None, None)), ("crit:discusses_risks", 2, (None, 0.0)),
    ("mitigating_sum", 1, (None, None)), ("mitigating_sum", 3, (None, 0.0)), ("max:cites_evidence", 3, (None, 0.0)),
    ("shared:sentences", 2, (None, None)), ("shared:commercial", 3, (None, None)),
])
def test_red_flags_never_lower_a_grade_and_mitigation_never_raises_it_past_one(name, k, bound):
    rubric = load_rubric()
    assert rubric_bounds([name], rubric.red_flags, k) == [bound]
