"""The cue features' shortcuts give exactly what the full computation gives, on every sentence of the corpus."""

import numpy as np
import pytest

from model.cues import (_CONTEXT_COLUMNS, _NEGATABLE, _NEGATABLE_INDEX, CUE_NAMES, LEXICON, MATCHER,
                        NEGATABLE_MATCHER, _Matcher, asserted_words, context_cues, cue_matrix, mark_scope,
                        sentence_cues)
from model.scoring import sentence_items
from model.sentences import split_sentences
from servers import ROOT
from training.corpus import load_pages


@pytest.fixture(scope="module")
def corpus_items():
    pages = load_pages(ROOT / "training" / "corpus")
    return [item for page in pages[::4] for item in sentence_items(split_sentences(page.text))]


def test_context_cues_are_the_framing_columns_of_the_full_row(corpus_items):
    contexts = {context for _, context in corpus_items if context}
    assert len(contexts) > 5000
    for context in contexts:
        assert np.array_equal(context_cues(context), sentence_cues(context)[_CONTEXT_COLUMNS]), context


def test_remembered_word_cues_match_a_fresh_matcher(corpus_items):
    """The matcher keeps each word's cues; a fresh matcher, reading every word for the first time, agrees."""
    sentences = list(dict.fromkeys(text for text, _ in corpus_items))
    for sentence in sentences:
        MATCHER.cues(sentence)  # every word is remembered now
    fresh = _Matcher.build(LEXICON)
    for sentence in sentences:
        fresh.token_cues.clear()
        assert MATCHER.cues(sentence) == fresh.cues(sentence), sentence


def test_the_cue_matrix_puts_framing_cues_after_the_sentence_cues():
    items = [("Our cells cure MS.", "Patients said: \u201cIs it safe?\u201d"), ("Book today.", "")]
    matrix = cue_matrix(items)
    assert matrix.shape == (2, len(sentence_cues("x")) + len(_CONTEXT_COLUMNS))
    assert np.array_equal(matrix[0, :-len(_CONTEXT_COLUMNS)], sentence_cues(items[0][0]))
    framing = dict(zip([CUE_NAMES[i] for i in _CONTEXT_COLUMNS], matrix[0, -len(_CONTEXT_COLUMNS):]))
    assert framing["question"] == 1.0 and framing["attribution"] == 1.0 and framing["commercial"] == 0.0
    assert not matrix[1, -len(_CONTEXT_COLUMNS):].any()


def test_the_negatable_matcher_finds_what_the_full_matcher_finds_of_those_cues(corpus_items):
    texts = [asserted_words((text, "")) for text in dict.fromkeys(text for text, _ in corpus_items)]
    assert sum(bool(MATCHER.cues(t) & _NEGATABLE) for t in texts) > 1000
    for text in texts:
        assert {_NEGATABLE_INDEX[k] for k in NEGATABLE_MATCHER.cues(text)} == MATCHER.cues(text) & _NEGATABLE, text


def test_sentence_rows_are_the_rubric_cues_computed_the_long_way(corpus_items):
    """Each sentence's row against a plain reading of its definition: every cue, every (claim, modifier) pair."""
    from model.cues import (_CONDITIONS, _MODIFIER_PAIRS, _NEGATION, CLAIMS, MODALITIES, asserted_words,
                            claim_structure, distinct_conditions)

    def reference(sentence: str) -> np.ndarray:
        found = MATCHER.cues(sentence)
        negated = set()
        if _NEGATION in found and found & _NEGATABLE:
            negated = (found & _NEGATABLE) - MATCHER.cues(asserted_words((sentence, "")))
            found = found - negated
        pairs = [1.0 if (cue in negated and modifier == _NEGATION) or (cue in found and modifier in found) else 0.0
                 for cue, modifier in _MODIFIER_PAIRS]
        conditions = 1.0 if _CONDITIONS in found and len(distinct_conditions(sentence)) >= 3 else 0.0
        return np.concatenate([[1.0 if i in found else 0.0 for i in range(len(CUE_NAMES))], pairs,
                               [conditions, min(len(sentence.split()), 60) / 60.0], claim_structure(found)])

    sentences = list(dict.fromkeys(text for text, _ in corpus_items))
    assert len(reference("x")) == len(CUE_NAMES) + len(_MODIFIER_PAIRS) + 2 + len(CLAIMS) * len(MODALITIES)
    for sentence in sentences:
        assert np.array_equal(sentence_cues(sentence), reference(sentence)), sentence


@pytest.mark.parametrize("sentence, safety", [
    ("Your body does not reject these cells.", True),
    ("There is no prospect of rejection.", True),
    ("No patient has ever had an adverse reaction.", True),
    ("It is the safest option we offer.", True),
    ("Cord cells are immune-privileged.", True),
    ("Stem-cell treatments are not without risks.", False),
    ("Ask your neurologist about the risks of aHSCT.", False),
])
def test_a_negated_harm_reads_as_a_safety_claim(sentence, safety):
    assert (CUE_NAMES.index("safety") in MATCHER.cues(sentence)) is safety


@pytest.mark.parametrize("sentence, negated, asserted", [
    ("These cell products are not yet able to repair damaged nerves.", {"repair", "nerves"}, set()),
    ("Cells have yet to be shown to repair myelin.", {"repair", "myelin"}, {"cells"}),
    ("The clinic lacks any evidence that cells cure MS.", {"cure", "evidence"}, {"clinic"}),
    ("Trials failed to show that cells repair myelin.", {"repair", "myelin"}, set()),
    ("Cells cannot cure MS, yet our cells repair myelin.", {"cure"}, {"repair", "myelin"}),
    ("This is yet another way cells repair myelin.", set(), {"repair", "myelin"}),
])
def test_negation_scope(sentence, negated, asserted):
    """"Not yet" and "has yet to" keep a claim negated; a "yet" joining two clauses ends the negation's scope."""
    words = mark_scope(sentence).split()
    assert {f"neg_{w}" for w in negated} <= set(words), words
    assert asserted <= set(words), words


@pytest.mark.parametrize("sentence, hedged, asserted", [
    ("My sister went to Mexico to try to stop her MS.", {"stop", "ms"}, {"mexico"}),
    ("The clinic attempted to repair myelin in mice.", {"repair", "myelin"}, {"clinic"}),
    ("Stem cells repair myelin.", set(), {"repair", "myelin"}),
])
def test_hedge_scope(sentence, hedged, asserted):
    """An attempt ("try to", "attempted to") states no result: what follows reads as hedged, not asserted."""
    words = mark_scope(sentence).split()
    assert {f"hedge_{w}" for w in hedged} <= set(words), words
    assert asserted <= set(words), words
