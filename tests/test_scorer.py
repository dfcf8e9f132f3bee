"""The scorer file `model` loads against the fitted scikit-learn estimator training made it from: the same
probabilities on the corpus test split, the same TF-IDF matrices, and a file that is never unpickled."""

import numpy as np
import pytest

from model.assessment import default_assessor
from model.ngrams import page_words
from model.scoring import SUPPORT_RATIO, Linear, at_least, sentence_items, summarise
from model.sentences import split_sentences
from model.text import visible_text
from servers import ROOT
from training.artifact import load_estimator
from training.corpus import load_pages
from training.overclaim import fold


@pytest.fixture(scope="module")
def estimator():
    return load_estimator()


@pytest.fixture(scope="module")
def scorer():
    return default_assessor().model


def check_against_scikit_learn(scorer, estimator, text: str, atol: float) -> None:
    """The scoring path (folded weights, its own n-gram counts, part-by-part sentence scores) against the fitted
    scikit-learn estimators, on one page's visible text."""
    fast = scorer.predict_text(text)
    sentences = split_sentences(text)
    if not sentences:
        assert fast.grade_proba[0] == 1.0
        return
    reference = estimator.sentence_model_.predict_proba(sentence_items(sentences))
    summary = summarise(sentences, reference)
    words = estimator.words_.transform([text]) if estimator.words_ is not None else None
    if words is not None:
        summary.words = at_least(estimator.grade_models_[-1].predict_proba(words)[0])
    criteria = estimator._criteria_proba([summary])
    flat = summary.flat()[None, :]
    grades = np.average([g.predict_proba(G)[0] for g, G in zip(estimator.grade_models_,
                                                                estimator._grade_features(flat, criteria, words))],
                        axis=0, weights=estimator.grade_weights())
    assert np.allclose(fast.sentence_proba, reference, rtol=0, atol=atol)
    assert np.allclose(fast.criteria_proba, criteria[0], rtol=0, atol=atol)
    topic = summary.topic()[None, :]
    applicability = estimator.applicability_model_
    assert np.allclose(fold(applicability).proba(topic), applicability.predict_proba(topic)[:, 1], rtol=0, atol=atol)
    assert np.allclose(fast.grade_proba[1:], fast.applicable_proba * grades[1:], rtol=0, atol=atol)


@pytest.mark.parametrize("name", ["clinic_overclaim", "hospital_careful", "irrelevant_knee", "hostile"])
def test_the_scorer_gives_scikit_learns_probabilities(fixture_html, scorer, estimator, name):
    check_against_scikit_learn(scorer, estimator, visible_text(fixture_html(name)), atol=1e-9)


def test_the_scorer_scores_the_corpus_test_split_as_scikit_learn_does(scorer, estimator):
    """Every speed-up of the scoring path keeps the shipped model's scores, to 1e-6, on the corpus test split."""
    pages = [p for p in load_pages(ROOT / "training" / "corpus") if p.split == "test"]
    assert len(pages) > 150
    for page in pages:
        check_against_scikit_learn(scorer, estimator, page.text, atol=1e-6)


def test_a_sentence_repeated_in_other_contexts_scores_as_scikit_learn_scores_it(scorer, estimator):
    """The n-gram features of a repeated sentence are computed once and shared; the cues still read each context."""
    menu = "Book a free consultation today."
    text = "\n".join([menu, "Our stem cells cure multiple sclerosis.", menu, "There is no cure for MS.", "Results:", menu,
                      "Talk to your neurologist.", menu, "Only 3 places left.", menu])
    items = sentence_items(split_sentences(text))
    assert len({t for t, _ in items}) < len(set(items))  # the same sentence, in different contexts
    reference = estimator.sentence_model_.predict_proba(items)
    assert np.allclose(scorer.predict_text(text).sentence_proba, reference, rtol=0, atol=1e-12)


def test_the_ngram_counts_are_scikit_learns_exactly(scorer, estimator):
    """The scorer's TF-IDF transform (model/ngrams.py, read from the file) gives scikit-learn's matrix bit for bit."""
    texts = ["Our stem cells cure multiple sclerosis.", "", "MS", "a b c", "Ünïcödé stem-cells, 94% — guaranteed!!",
             "It may one day repair myelin, but it cannot now.", "word " * 400, "Talk to your MS neurologist."]
    items = [(t, "") for t in texts] * 2
    parts = dict(estimator.sentence_model_.steps[0][1].transformer_list)
    assert set(scorer.ngrams) == set(parts) - {"cues"}
    for name, ngrams in scorer.ngrams.items():
        fast, reference = ngrams.transform(items), parts[name].transform(items)
        assert fast.dtype == reference.dtype and fast.shape == reference.shape
        assert (fast != reference).nnz == 0 and np.array_equal(fast.indices, reference.indices)
    pages = [text for text, _ in items]
    fast, reference = scorer.words.transform(pages), estimator.words_.transform(pages)
    assert fast.dtype == reference.dtype and (fast != reference).nnz == 0


def test_a_page_is_read_word_by_word_as_scikit_learns_default_analyzer_reads_it():
    from sklearn.feature_extraction.text import TfidfVectorizer

    default = TfidfVectorizer(ngram_range=(1, 2)).build_analyzer()
    for text in ["Stem cells CURE MS!", "It's 100% a-ok: café naïve_x, I/O", "", "a b", "Ünïcödé\nline\tbreak"]:
        assert page_words(text) == default(text)


def test_the_words_model_has_the_share_of_the_grade_it_was_trained_with(scorer, estimator):
    assert estimator.words_weight > 0 and scorer.words is not None
    assert scorer.grade_weights == estimator.grade_weights()
    assert scorer.grade_weights[-1] == estimator.words_weight and np.isclose(sum(scorer.grade_weights), 1.0)


def test_a_constant_page_model_stays_constant():
    assert np.array_equal(Linear(None, 0.0, 0.25).proba(np.zeros((3, 4))), [0.25] * 3)


def test_sentences_read_before_score_exactly_as_new_ones(scorer):
    """A page's n-gram scores are looked up for sentences already seen (menus, footers), whichever page they were
    first scored with: bit for bit what scoring them with this page gives."""
    menu = "Home. Treatments. Book a free consultation today. Our stem cells cure multiple sclerosis."
    first, second = f"{menu}\nThere is no cure for MS.", f"Talk to your neurologist.\n{menu}\nOnly 3 places left."
    scorer.forget_sentences()
    fresh = scorer.predict_text(second)
    scorer.forget_sentences()
    scorer.predict_text(first)
    assert all(s.text in scorer._known_sentences for s in split_sentences(menu))
    again = scorer.predict_text(second)
    assert np.array_equal(fresh.sentence_proba, again.sentence_proba)
    assert np.array_equal(fresh.grade_proba, again.grade_proba)


def test_a_page_read_before_gets_its_words_grade_looked_up_exactly(scorer, estimator):
    """The words model's grade probabilities are kept per page (by digest): a page read again scores bit for bit as
    when new, and a page that differs by one word is read afresh."""
    page = "Our stem cells cure multiple sclerosis. Book your place today. Talk to your neurologist."
    scorer.forget_sentences()
    fresh = scorer.predict_text(page)
    assert len(scorer._known_pages) == 1
    again = scorer.predict_text(page)
    assert np.array_equal(fresh.grade_proba, again.grade_proba) and len(scorer._known_pages) == 1
    other = page.replace("cure", "treat")
    scorer.predict_text(other)
    assert len(scorer._known_pages) == 2
    words = estimator.words_.transform([other])
    kept = list(scorer._known_pages.values())[-1]  # the last page read
    assert np.allclose(kept, estimator.grade_models_[-1].predict_proba(words)[0], rtol=0, atol=1e-12)


def test_no_criterion_is_likelier_on_a_page_than_its_sentences_support(scorer):
    """A criterion's page probability never exceeds SUPPORT_RATIO times its likeliest sentence's, and on the corpus
    test split the page models alone would have gone past that on some pages: the bound is what holds them."""
    pages = [p for p in load_pages(ROOT / "training" / "corpus") if p.split == "test"]
    bound_held = 0
    for page in pages:
        prediction = scorer.predict_text(page.text)
        if not len(prediction.sentences):
            continue
        strongest = prediction.sentence_proba.max(axis=0)
        assert np.all(prediction.criteria_proba <= SUPPORT_RATIO * strongest + 1e-12)
        summary = summarise(prediction.sentences, prediction.sentence_proba)
        unbounded = np.array([m.proba(summary.for_criterion(j)[None, :])[0] for j, m in enumerate(scorer.page)])
        assert np.allclose(prediction.criteria_proba, np.minimum(unbounded, SUPPORT_RATIO * strongest))
        bound_held += bool(np.any(unbounded > SUPPORT_RATIO * strongest + 0.05))
    assert bound_held > 0
