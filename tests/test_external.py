"""Real-page evaluation: loading labelled sets, the `evaluate --external` command, merging two labelling passes."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import spearmanr
from sklearn.metrics import roc_auc_score

from model.rubric import load_rubric
from service.cli import main
from training.external import agreement, compare, load_external, merge, paired_bootstrap, readers
from training.external import main as external_main

FIXTURES = Path(__file__).parent / "fixtures" / "pages"


def _write(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    return path


@pytest.fixture
def labelled(tmp_path):
    pages = [
        {"id": "clinic", "url": "https://clinic.example/ms", "kind": "clinic_ad",
         "html": (FIXTURES / "clinic_overclaim.html").read_text("utf-8")},
        {"id": "hospital", "kind": "hospital_or_academic", "html": (FIXTURES / "hospital_careful.html").read_text("utf-8")},
        {"id": "knee", "kind": "irrelevant", "html": (FIXTURES / "irrelevant_knee.html").read_text("utf-8")},
        {"id": "excerpt", "kind": "clinic_ad",
         "text": "Stem cell therapy for MS\nOur stem cells repair myelin and cure multiple sclerosis. Guaranteed."},
        {"id": "unlabelled", "text": "Nothing to see."},
    ]
    labels = [
        {"id": "clinic", "grade": 3, "criteria": ["cure_claim", "commercial_pressure"]},
        {"id": "hospital", "grade": 0, "applicable": True, "criteria": ["discusses_risks", "cites_evidence"],
         "disagreement": {"criteria": ["defers_to_neurologist"]}},  # merged from two passes, one marked it
        {"id": "knee", "grade": 0, "applicable": False, "criteria": []},
        {"id": "excerpt", "grade": 2.5, "criteria": ["cure_claim", "guaranteed_results"]},
    ]
    return _write(tmp_path / "pages.jsonl", pages), _write(tmp_path / "labels.jsonl", labels)


def test_load_external_reads_text_and_html_and_skips_unlabelled(labelled):
    pages = load_external(*labelled)
    assert [p.id for p in pages] == ["clinic", "hospital", "knee", "excerpt"]
    assert pages[0].url == "https://clinic.example/ms" and pages[0].grade == 3.0 and pages[0].applicable
    assert not pages[2].applicable
    assert "<" not in pages[0].text and pages[3].text.splitlines()[0] == "Stem cell therapy for MS"


@pytest.mark.slow
def test_evaluate_external_command_prints_the_figures(labelled):
    run = subprocess.run([sys.executable, "-m", "service.cli", "evaluate", "--external", *map(str, labelled)],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    out = run.stdout
    assert "4 labelled real pages" in out
    for figure in ("spearman", "auc_grade_ge_2", "red_flag_macro_f1", "grade_0_shown_high", "grade_3_shown_high"):
        assert figure in out
    assert "By page kind" in out and "irrelevant" in out and "(all on-topic)" in out
    assert "Grade-0 pages shown high:" in out
    # how far each ranking figure could move, over resamples of the four sites; and what one finding is worth
    assert "95% intervals (1,000 resamples of the pages' sites):" in out
    assert all(f"  {m}: " in out for m in ("spearman", "red_flag_macro_f1", "mitigating_macro_f1"))
    assert "| criterion | kind | pages labelled | pages named | precision | recall | F1 |" in out
    assert "| `cure_claim` | red flag | 2 |" in out  # the clinic and the excerpt are labelled with it
    # The labels name no evidence sentences, so evidence precision is not measured, not 0.
    assert "| evidence_precision | n/a |" in out
    # the labels' two passes against each other, for scale: they differed on one signal of one page
    assert "One labelling pass against the other (4 pages), for scale: spearman 1.0," in out


@pytest.mark.parametrize("labels, message", [
    ([{"id": "clinic", "grade": 7}], "grade must be a number from 0 to 3"),
    ([{"id": "clinic", "grade": 1, "criteria": ["cures_everything"]}], "unknown criteria: cures_everything"),
    ([{"id": "ghost", "grade": 1}], "name pages not in"),
    ([{"id": "clinic", "grade": 1, "disagreement": "both"}], "disagreement must be an object"),
    ([{"id": "clinic", "grade": 1, "disagreement": {"grade": [1]}}], "disagreement grade must be the two passes'"),
    ([{"id": "clinic", "grade": 1, "disagreement": {"criteria": ["cures_everything"]}}],
     "disagreement criteria must be a list of rubric ids"),
    ([{"id": "clinic", "grade": 1, "disagreement": {"criteria": [{"id": 1}]}}],
     "disagreement criteria must be a list of rubric ids"),
])
def test_evaluate_external_refuses_bad_labels(labelled, tmp_path, capsys, labels, message):
    bad = _write(tmp_path / "bad.jsonl", labels)
    assert main(["evaluate", "--external", str(labelled[0]), str(bad)]) == 2
    assert message in capsys.readouterr().err


def test_evaluate_external_refuses_malformed_json(labelled, tmp_path, capsys):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "clinic", "grade": 1}\nnot json\n', "utf-8")
    assert main(["evaluate", "--external", str(labelled[0]), str(bad)]) == 2
    assert "bad.jsonl:2: not valid JSON" in capsys.readouterr().err


def test_merge_takes_the_mean_grade_and_criteria_both_marked():
    a = [{"id": "p1", "grade": 2, "applicable": True, "criteria": ["cure_claim", "commercial_pressure"]},
         {"id": "p2", "grade": 0, "applicable": False, "criteria": []}]
    b = [{"id": "p1", "grade": 3, "applicable": True, "criteria": ["cure_claim", "testimonial_evidence"]},
         {"id": "p2", "grade": 0, "applicable": False, "criteria": []}]
    merged = merge(a, b)
    assert merged[0] == {"id": "p1", "grade": 2.5, "applicable": True, "criteria": ["cure_claim"],
                         "disagreement": {"grade": [2, 3], "criteria": ["commercial_pressure", "testimonial_evidence"]}}
    assert merged[1] == {"id": "p2", "grade": 0.0, "applicable": False, "criteria": []}
    figures = agreement(a, b)
    assert figures["pages"] == 2 and figures["grade_exact"] == 0.5 and figures["grade_within_one"] == 1.0
    assert figures["criteria_micro_f1"] == 0.5 and figures["criteria_f1"]["cure_claim"] == 1.0


def test_readers_recover_from_the_merge_how_the_two_passes_agree():
    rng = np.random.default_rng(4)
    rubric = load_rubric()

    def one_pass(base):
        return [{"id": f"p{i}", "grade": int(min(3, max(0, g + rng.integers(-1, 2)))), "applicable": True,
                 "criteria": [c for c in rubric.ids if (c in crit) != (rng.random() < 0.15)]}
                for i, (g, crit) in enumerate(base)]

    base = [(int(rng.integers(0, 4)), set(rng.choice(rubric.ids, 3, replace=False))) for _ in range(60)]
    a, b = one_pass(base), one_pass(base)
    figures = readers(merge(a, b))
    ga, gb = (np.array([x["grade"] for x in p]) for p in (a, b))
    assert figures["pages"] == 60 and figures["spearman"] == round(float(spearmanr(ga, gb).statistic), 3)
    assert figures["auc_grade_ge_2"] == pytest.approx((roc_auc_score(gb >= 2, ga) + roc_auc_score(ga >= 2, gb)) / 2,
                                                      abs=1e-3)
    per = agreement(a, b)["criteria_f1"]  # the same F1s, computed from the two passes themselves
    assert figures["red_flag_macro_f1"] == pytest.approx(np.mean([per[c] for c in rubric.red_flags]), abs=1e-3)
    assert figures["mitigating_macro_f1"] == pytest.approx(np.mean([per[c] for c in rubric.mitigating]), abs=1e-3)
    assert figures["red_flag_macro_f1"] < 1.0
    # a merge of two passes that never differ, or a single pass, says nothing of how readers disagree
    assert readers([{"id": "p1", "grade": 2, "criteria": ["cure_claim"]}]) is None


def _scores(grades, scores, model):
    return [{"id": f"p{i}", "grade": g, "score": s, "level": "low", "model": model}
            for i, (g, s) in enumerate(zip(grades, scores))]


def test_compare_finds_the_better_ranking_and_nothing_against_itself():
    rng = np.random.default_rng(1)
    grades = [float(g) for g in rng.integers(0, 4, 120)]
    noisy = _scores(grades, (rng.random(120) * 100).tolist(), "before")
    ranked = _scores(grades, [30 * g + rng.random() for g in grades], "after")
    figures = paired_bootstrap(np.array(grades), np.array([r["score"] for r in noisy]),
                               np.array([r["score"] for r in ranked]), resamples=200)
    before, after, difference, low, high = figures["spearman"]
    assert after > 0.95 and abs(before) < 0.3 and difference == pytest.approx(after - before) and low > 0
    assert figures["auc_grade_ge_2"][1] == 1.0 and figures["auc_grade_ge_2"][3] > 0
    assert paired_bootstrap(np.array(grades), np.array([r["score"] for r in noisy]),
                            np.array([r["score"] for r in noisy]), resamples=50)["spearman"][2:] == (0.0, 0.0, 0.0)
    table = compare(noisy, ranked, resamples=200)
    assert table.startswith("120 pages") and "| spearman | " in table and "| before | after |" in table


def test_compare_command_refuses_score_files_that_do_not_pair(tmp_path, capsys):
    a = _write(tmp_path / "a.jsonl", _scores([0, 1, 2, 3], [1, 2, 3, 4], "x"))
    b = _write(tmp_path / "b.jsonl", _scores([0, 1, 2, 2], [1, 2, 3, 4], "y"))
    assert external_main(["compare", str(a), str(b)]) == 2
    assert "different grades" in capsys.readouterr().err
    c = _write(tmp_path / "c.jsonl", _scores([0, 1], [1, 2], "y"))
    assert external_main(["compare", str(a), str(c)]) == 2
    assert "fewer than 3 pages" in capsys.readouterr().err


def test_evaluate_external_writes_each_pages_score_without_its_text(labelled, tmp_path, capsys):
    out = tmp_path / "scores.jsonl"
    assert main(["evaluate", "--external", *map(str, labelled), "--scores", str(out)]) == 0
    rows = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["clinic", "hospital", "knee", "excerpt"]
    assert all(set(r) == {"id", "grade", "score", "level", "model"} and 0 <= r["score"] <= 100 for r in rows)
    assert rows[0]["score"] > rows[1]["score"] and rows[2]["level"] == "not_applicable"
    capsys.readouterr()
    assert main(["evaluate", "--scores", str(out)]) == 2
    assert "--scores needs --external" in capsys.readouterr().err


def _finding_pages(probabilities: list[float], labelled: list[bool], criterion: str = "discloses_investigational"):
    """Pages on one site each, labelled with ``criterion`` or not, and results giving it ``probabilities`` (shown,
    as the shipped model would, at 0.5)."""
    from types import SimpleNamespace

    from training.external import ExternalPage

    pages = [ExternalPage(f"p{i}", "text", 1.0, True, [criterion] if mark else [], f"https://site{i}.example/")
             for i, mark in enumerate(labelled)]
    results = [SimpleNamespace(applicable=True, criteria=[
        SimpleNamespace(id=c, probability=p if c == criterion else 0.0, hit=c == criterion and p >= 0.5)
        for c in ("discloses_investigational", "discusses_risks", "cites_evidence", "defers_to_neurologist",
                  "guideline_concordant_ahsct")]) for p in probabilities]
    return pages, results


def test_mitigating_thresholds_find_the_cut_that_separates_the_labelled_pages():
    from training.external import mitigating_thresholds, thresholds_table

    # Labelled pages from 0.42 up, three others between 0.35 and 0.4: of the cuts tried, only 0.4 shows exactly the
    # labelled ones, whichever two sites a fold holds out.
    proba = [0.42, 0.6, 0.9, 0.45, 0.36, 0.37, 0.38, 0.1, 0.48, 0.05]
    pages, results = _finding_pages(proba, [p >= 0.4 for p in proba])
    rows = {r["criterion"]: r for r in mitigating_thresholds(pages, results)}
    row = rows["discloses_investigational"]
    assert row["labelled"] == 5 and row["best"] == 0.4 and row["f1_best"] == 1.0
    assert row["f1_now"] == round(2 * 2 / (5 + 2), 3)  # shown at 0.5: two of the five
    assert row["f1_out_of_fold"] == 1.0  # every fold's other sites lead to the same cut
    assert "| discloses_investigational | 5 | 0.571 | 0.4 | 1.0 | 1.0 |" in thresholds_table(list(rows.values()))


def test_mitigating_thresholds_never_show_an_ms_signal_on_a_page_not_about_ms():
    from training.external import mitigating_thresholds

    pages, results = _finding_pages([0.9, 0.9, 0.1, 0.1], [False, True, False, False], "cites_evidence")
    results[0].applicable = False  # an off-topic page's studies are not MS studies: never shown, at any cut
    rows = {r["criterion"]: r for r in mitigating_thresholds(pages, results)}
    assert rows["cites_evidence"]["f1_best"] == 1.0 and rows["cites_evidence"]["best"] == 0.2


def test_mitigating_thresholds_of_one_site_have_no_out_of_fold_figure():
    from training.external import mitigating_thresholds, thresholds_table

    pages, results = _finding_pages([0.9, 0.1], [True, False])
    pages[1].url = pages[0].url  # one site: no other fold to choose a threshold on
    rows = mitigating_thresholds(pages, results)
    assert all(r["f1_out_of_fold"] is None for r in rows) and rows[0]["f1_best"] == 1.0
    assert "| discloses_investigational | 1 | 1.0 | 0.2 | 1.0 | n/a |" in thresholds_table(rows)


@pytest.mark.parametrize("flag, shown", [
    ("--mitigating-thresholds", ("| criterion | labelled | F1 now |", "| defers_to_neurologist |")),
    ("--level-thresholds", ("| cut-offs | moderate from | high from | spearman |", "| out of fold |")),
])
def test_evaluate_external_prints_the_thresholds_only_with_a_labelled_set(labelled, capsys, flag, shown):
    assert main(["evaluate", "--external", *map(str, labelled), flag]) == 0
    out = capsys.readouterr().out
    assert all(fragment in out for fragment in shown)
    assert main(["evaluate", flag]) == 2
    assert f"{flag} needs --external" in capsys.readouterr().err


@pytest.mark.parametrize("grade, level", [(0, 0), (0.5, None), (1, 1), (1.5, None), (2, 2), (2.5, 2), (3, 2)])
def test_a_grade_names_a_level_unless_the_two_readings_lead_to_different_ones(grade, level):
    from training.external import wanted_level

    assert wanted_level(grade) == level


def test_level_cutoffs_are_the_lowest_that_give_every_page_its_level():
    from training.external import choose_level_cutoffs

    scores = np.array([5.0, 10.0, 30.0, 35.0, 60.0, 70.0])
    assert choose_level_cutoffs(scores, np.array([0, 0, 1, 1, 2, 2])) == (11.0, 36.0)
    # each level weighs alike, however many pages it has: the one grade-2 page (56) is shown `high` though three
    # grade-1 pages above it are too, where counting pages would give up the grade-2 page to keep those three
    scores = np.array([5.0, 10.0, 30.0, 35.0, 57.0, 58.0, 59.0, 56.0])
    assert choose_level_cutoffs(scores, np.array([0, 0, 1, 1, 1, 1, 1, 2])) == (11.0, 36.0)


def test_level_thresholds_choose_cutoffs_at_least_as_good_as_the_models_own(labelled):
    from model.assessment import default_assessor
    from model.rubric import load_rubric
    from training.evaluate import assess_pages, metrics
    from training.external import (LEVEL_FIGURES, choose_level_cutoffs, level_thresholds, level_thresholds_table,
                                   wanted_level)

    pages = load_external(*labelled)
    assessor = default_assessor()
    rows = level_thresholds(pages, assessor)
    assert [r["cut-offs"] for r in rows] == ["now", "best on these pages", "out of fold"]  # four sites: four folds
    assert (rows[0]["moderate"], rows[0]["high"]) == (f"{assessor.moderate:g}", f"{assessor.high:g}")
    # each page is read once and judged at every cut-off: the figures are those of reading it anew at each
    rubric = load_rubric()
    for r in rows[:2]:
        fresh = metrics(pages, assess_pages(assessor.with_levels(float(r["moderate"]), float(r["high"])), pages),
                        rubric.red_flags, rubric.mitigating)
        assert {k: r[k] for k in LEVEL_FIGURES} == {k: fresh[k] for k in LEVEL_FIGURES}

    # the best cut-offs give the on-topic pages of one level (clinic 3, hospital 0, excerpt 2.5) their level at
    # least as often as the model's own, on the expected grade before the rubric's caps
    levelled = [p for p in pages if p.applicable and wanted_level(p.grade) is not None]
    expected = np.array([100 * assessor.model.predict_text(p.text).expected_grade / 3 for p in levelled])
    wanted = np.array([wanted_level(p.grade) for p in levelled])

    def recall(moderate: float, high: float) -> float:
        got = (expected >= moderate).astype(int) + (expected >= high).astype(int)
        return np.mean([np.mean(got[wanted == k] == k) for k in set(wanted)])

    best = (float(rows[1]["moderate"]), float(rows[1]["high"]))
    assert best == choose_level_cutoffs(expected, wanted)
    assert recall(*best) >= recall(assessor.moderate, assessor.high)
    assert "| best on these pages |" in level_thresholds_table(rows)


def test_level_thresholds_keep_the_models_own_when_no_page_names_a_level(labelled):
    from model.assessment import default_assessor
    from training.external import level_thresholds

    pages = load_external(*labelled)
    for page in pages:  # off topic, or between two levels
        page.grade = 0.5 if page.applicable else 0.0
    assessor = default_assessor()
    rows = level_thresholds(pages, assessor)
    own = (f"{assessor.moderate:g}", f"{assessor.high:g}")
    assert all((r["moderate"], r["high"]) == own for r in rows)


def test_gather_rebuilds_the_pages_file_from_one_text_file_per_id_and_names_the_missing(tmp_path, capsys):
    sources = _write(tmp_path / "sources.jsonl", [
        {"id": "a-1", "url": "https://a.example/ms", "kind": "clinic_ad", "query": "q"},
        {"id": "a-2", "url": "https://b.example/", "kind": "news", "query": "q"},
        {"id": "a-3", "url": "https://c.example/", "kind": "blog", "query": "q"}])
    parts = tmp_path / "parts"
    parts.mkdir()
    (parts / "a-1.txt").write_text("Stem cells \u2014 MS\n\n  kept as written ", "utf-8")
    (parts / "a-3.txt").write_text("Another excerpt.", "utf-8")
    out = tmp_path / "texts" / "pages.jsonl"
    assert external_main(["gather", str(sources), str(parts), str(out)]) == 1  # a-2 has no text yet
    assert "a-2" in capsys.readouterr().err
    pages = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert [(p["id"], p["kind"], p["url"]) for p in pages] == [("a-1", "clinic_ad", "https://a.example/ms"),
                                                              ("a-3", "blog", "https://c.example/")]
    assert pages[0]["text"] == "Stem cells \u2014 MS\n\n  kept as written "
    (parts / "a-2.txt").write_text("Found again.", "utf-8")
    assert external_main(["gather", str(sources), str(parts), str(out)]) == 0
    assert [p.id for p in load_external(out, _write(tmp_path / "labels.jsonl", [
        {"id": i, "grade": 0} for i in ("a-1", "a-2", "a-3")]))] == ["a-1", "a-2", "a-3"]


def test_gather_refuses_a_malformed_sources_file_or_a_text_not_in_utf8(tmp_path, capsys):
    parts = tmp_path / "parts"
    parts.mkdir()
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a-1"}\nnot json\n', "utf-8")
    assert external_main(["gather", str(bad), str(parts), str(tmp_path / "out.jsonl")]) == 2
    assert "bad.jsonl:2: not valid JSON" in capsys.readouterr().err
    sources = _write(tmp_path / "sources.jsonl", [{"id": "a-1", "url": "https://a.example/", "kind": "blog"}])
    (parts / "a-1.txt").write_bytes(b"caf\xe9")
    assert external_main(["gather", str(sources), str(parts), str(tmp_path / "out.jsonl")]) == 2
    assert "utf-8" in capsys.readouterr().err.lower()
    assert not (tmp_path / "out.jsonl").exists()
