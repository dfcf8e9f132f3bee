"""The shipped corpus passes its own checker and meets the size, balance and second-pass targets."""

from pathlib import Path

import pytest

from service.cli import main
from training.corpus import agreement, check_corpus, corpus_figures, load_pages, target_problems

pytestmark = pytest.mark.slow

CORPUS = Path(__file__).resolve().parent.parent / "training" / "corpus"


@pytest.fixture(scope="module")
def pages():
    return load_pages(CORPUS)


def test_shipped_corpus_passes_the_checker():
    assert check_corpus(CORPUS) == []


def test_shipped_corpus_meets_the_targets(pages):
    figures = corpus_figures(pages)
    assert target_problems(figures) == []
    assert figures["pages"] >= 480 and figures["sites"] >= 60 and figures["distinct_sentences"] >= 2500


def test_splits_are_about_70_15_15_by_site(pages):
    shares = {s: sum(p.split == s for p in pages) / len(pages) for s in ("train", "dev", "test")}
    assert 0.62 <= shares["train"] <= 0.78 and 0.1 <= shares["dev"] <= 0.2 and 0.1 <= shares["test"] <= 0.2
    for split in ("dev", "test"):
        assert {p.grade for p in pages if p.split == split} == {0, 1, 2, 3}
        assert len({p.kind for p in pages if p.split == split}) == 8


def test_blind_second_pass_covers_a_tenth_and_agrees(pages):
    second = agreement(CORPUS, pages)
    assert second is not None and second["share_of_corpus"] >= 0.1
    assert second["grade_within_one"] >= 0.9 and second["criteria_micro_f1"] >= 0.8


def test_stats_command_prints_the_tables(capsys):
    assert main(["corpus", "stats"]) == 0
    out = capsys.readouterr().out
    for heading in ("Pages by kind x grade", "Pages per criterion", "Pages per split", "Sizes", "Targets: all met"):
        assert heading in out
