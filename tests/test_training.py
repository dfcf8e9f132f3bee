"""`stemclaim train` on a small corpus: writes a verified artifact, manifest and model card, reproducibly."""

import json
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

from model.artifact import load_artifact, sha256_of
from model.assessment import Assessor
from service.cli import main
from training.corpus import load_pages
from training.external import read_jsonl, readers

pytestmark = pytest.mark.slow

CORPUS = Path(__file__).resolve().parent.parent / "training" / "corpus"
SITES = {"train": ["caribecelltravel", "callowayreese", "dailyblaze", "pathwayms", "peakmotionortho", "celulavivatj",
                   "kadeoptimized", "carewellrx", "larkspurcancer", "medvoyageindia"],
         "dev": ["istmovida", "msfellowship", "tamyrcellclinic"],
         "test": ["lotuscarejourneys", "myelincanada", "lumacellbotanics"]}


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory) -> Path:
    """About 140 pages of 16 sites, with their splits reassigned so that every split has every grade."""
    root = tmp_path_factory.mktemp("corpus")
    (root / "pages").mkdir()
    split_of = {site: split for split, sites in SITES.items() for site in sites}
    lines = []
    for page in load_pages(CORPUS):
        if page.site in split_of:
            shutil.copy(page.path, root / page.file)
            lines.append(json.dumps({**page.label(), "split": split_of[page.site]}))
    (root / "labels.jsonl").write_text("\n".join(lines) + "\n")
    return root


def _real_pages(tmp_path: Path) -> list[str]:
    """A tiny labelled set in the external format, made of the test fixtures (no real page text)."""
    fixtures = Path(__file__).parent / "fixtures" / "pages"
    pages = [{"id": name, "kind": kind, "html": (fixtures / f"{name}.html").read_text("utf-8")}
             for name, kind in (("clinic_overclaim", "clinic_ad"), ("hospital_careful", "hospital_or_academic"),
                                ("irrelevant_knee", "irrelevant"))]
    labels = [{"id": "clinic_overclaim", "grade": 3, "criteria": ["cure_claim", "risk_minimization"]},
              {"id": "hospital_careful", "grade": 0.5, "applicable": True, "criteria": ["discusses_risks"],
               "disagreement": {"grade": [0, 1]}},
              {"id": "irrelevant_knee", "grade": 0, "applicable": False, "criteria": []}]
    paths = [tmp_path / "real-pages.jsonl", tmp_path / "real-labels.jsonl"]
    for path, records in zip(paths, (pages, labels)):
        path.write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    return [str(p) for p in paths]


def test_train_writes_a_verified_artifact_manifest_and_card(small_corpus, tmp_path, capsys):
    out, card = tmp_path / "artifacts", tmp_path / "MODEL_CARD.md"
    assert main(["train", "--corpus", str(small_corpus), "--out", str(out), "--card", str(card),
                 "--external", *_real_pages(tmp_path)]) == 0
    artifact = load_artifact(out)
    manifest = artifact.manifest
    assert manifest["sha256"] == sha256_of(out / manifest["file"])
    assert {"dev", "test", "test_by_kind", "test_openings_1500"} <= set(manifest["metrics"])
    assert manifest["environment"]["scikit_learn"] and manifest["corpus_sha256"]
    assert 0 < manifest["thresholds"]["moderate"] < manifest["thresholds"]["high"] < 100
    text = card.read_text()
    assert "## Intended use" in text and "## Known failure modes" in text and manifest["sha256"] in text
    assert manifest["metrics"]["real"]["pages"] == 3 and manifest["metrics"]["real_on_topic"]["pages"] == 2
    assert "## Real pages" in text and "3 real public page excerpts" in text
    spread = manifest["metrics"]["real_intervals"]
    assert set(spread) == {"spearman", "auc_grade_ge_2", "red_flag_macro_f1", "mitigating_macro_f1"}
    low, high = spread["red_flag_macro_f1"]
    assert low <= manifest["metrics"]["real"]["red_flag_macro_f1"] <= high
    assert f"| red_flag_macro_f1 | {manifest['metrics']['real']['red_flag_macro_f1']:.3f} | {low:.3f} to {high:.3f} |" in text
    assert "| `discusses_risks` | mitigating | 1 |" in text  # the hospital page is labelled with it
    # beside the model's figures, the labels' two passes against each other
    assert manifest["metrics"]["real_readers"] == readers(read_jsonl(tmp_path / "real-labels.jsonl"))
    assert "| one reader against the other |" in text and "| spearman | " in text
    fixtures = Path(__file__).parent / "fixtures" / "pages"
    assessor = Assessor(artifact)
    clinic = assessor.assess((fixtures / "clinic_overclaim.html").read_bytes())
    hospital = assessor.assess((fixtures / "hospital_careful.html").read_bytes())
    assert clinic.applicable and clinic.score > hospital.score

    again = tmp_path / "again"
    assert main(["train", "--corpus", str(small_corpus), "--out", str(again), "--card", str(tmp_path / "c2.md")]) == 0
    repeat = json.loads((again / "manifest.json").read_text())
    assert repeat["sha256"] == manifest["sha256"]
    assert repeat["metrics"] == {k: v for k, v in manifest["metrics"].items() if not k.startswith("real")}
    assert "Not measured for this artifact" in (tmp_path / "c2.md").read_text()


def test_learning_from_real_pages_reports_them_out_of_fold(small_corpus, tmp_path):
    out, card = tmp_path / "artifacts", tmp_path / "MODEL_CARD.md"
    real = _real_pages(tmp_path)
    assert main(["train", "--corpus", str(small_corpus), "--out", str(out), "--card", str(card), "--real", *real]) == 0
    manifest = load_artifact(out).manifest
    assert manifest["real_pages"]["pages"] == 3 and manifest["real_pages"]["figures"].startswith("out of fold")
    assert manifest["metrics"]["real"]["pages"] == 3
    text = " ".join(card.read_text().split())
    assert "refitted on train + dev + the 3 real pages" in text and "fitted without its site's pages" in text
    assert main(["train", "--corpus", str(small_corpus), "--out", str(tmp_path / "b"), "--card", str(tmp_path / "b.md"),
                 "--external", *real]) == 0
    assert json.loads((tmp_path / "b" / "manifest.json").read_text())["version"] != manifest["version"]
    with pytest.raises(SystemExit):
        main(["train", "--real", *real, "--external", *real])


def test_a_real_pages_words_never_become_features(small_corpus):
    from model.rubric import load_rubric
    from training.overclaim import OverclaimModel, TrainingPage
    from training.train import training_pages

    rubric = load_rubric()
    corpus = training_pages(load_pages(small_corpus))
    text = " ".join(f"Zorblax cells helped patient number {i} walk again after MS." for i in range(6))
    evidence = {"testimonial_evidence": [f"Zorblax cells helped patient number {i} walk again after MS." for i in range(6)]}

    def terms(vocabulary: bool) -> set[str]:
        page = TrainingPage(text, frozenset(evidence), evidence, 2, True, "real:zorblax.example", vocabulary=vocabulary)
        model = OverclaimModel(criteria=rubric.ids, red_flags=rubric.red_flags, n_jobs=1, words_weight=0.5)
        parts = model.fit(corpus + [page] * 2).sentence_model_.steps[0][1].transformer_list + [("words", model.words_)]
        return {str(t) for _, part in parts if hasattr(part, "vocabulary_") for t in part.vocabulary_}

    assert not any("zorblax" in t or "rbla" in t for t in terms(False))
    assert any("zorblax" in t for t in terms(True)) and "rbla" in terms(True) and "zorblax cells" in terms(True)


def test_the_page_words_join_the_grade_only_when_asked(small_corpus):
    """With ``words_weight`` the grade averages in a model over the page's words at that weight, and the model over
    the page figures reads its grade; without it neither exists and the grade is the criteria-based model's alone."""
    from model.rubric import load_rubric
    from training.overclaim import OverclaimModel
    from training.train import training_pages

    rubric = load_rubric()
    corpus = training_pages(load_pages(small_corpus))
    settings = dict(criteria=rubric.ids, red_flags=rubric.red_flags, n_jobs=1)
    plain = OverclaimModel(**settings).fit(corpus)
    words = OverclaimModel(**settings, words_weight=0.3).fit(corpus)
    assert plain.words_ is None and plain.scorer().words is None and plain.grade_weights() == (1.0,)
    assert words.scorer().words is not None and words.grade_weights() == (0.7, 0.3)
    first = [len(m.coef_[0]) if hasattr(m, "coef_") else len(m.steps[-1][1].coef_[0])
             for m in (plain.grade_models_[0].models_[0], words.grade_models_[0].models_[0])]
    assert first[1] == first[0] + 3  # P(grade >= 1, 2, 3) from the words model
    page = "Our stem cells cure MS in every patient. Book now: only 3 places left at $9,900."
    assert not np.allclose(plain.predict_text(page).grade_proba, words.predict_text(page).grade_proba)


def test_the_page_words_keep_only_terms_several_sites_use():
    """``fit_shared`` drops the terms of fewer than ``min_sites`` sites (a clinic's name, its menus) and keeps each
    kept term's IDF as the plain fit gives it."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    from model.ngrams import page_words
    from training.overclaim import fit_shared

    texts = ["stem cells cure ms at zorblax clinic", "zorblax clinic menu stem cells", "stem cells cure ms",
             "cells cure ms in trials", "stem cells in trials"]
    sites = ["zorblax", "zorblax", "b", "c", "d"]
    plain = fit_shared(TfidfVectorizer(analyzer=page_words), texts, sites, 1)
    shared = fit_shared(TfidfVectorizer(analyzer=page_words), texts, sites, 2)
    assert {"zorblax", "zorblax clinic", "clinic"} <= plain.vocabulary_.keys()
    assert not {"zorblax", "zorblax clinic", "clinic", "menu"} & shared.vocabulary_.keys()
    assert {"stem cells", "cure ms", "trials"} <= shared.vocabulary_.keys()
    for term, column in shared.vocabulary_.items():
        assert shared.idf_[column] == pytest.approx(plain.idf_[plain.vocabulary_[term]])
    assert shared.transform(["zorblax clinic cures"]).nnz == 0
    few = fit_shared(TfidfVectorizer(analyzer=page_words), texts[:2], sites[:2], 2)  # one site: nothing to compare
    assert "zorblax" in few.vocabulary_


@pytest.mark.parametrize("option", ["--real", "--external"])
def test_a_real_page_set_that_cannot_be_read_stops_training_before_it_starts(option, tmp_path, capsys):
    pages, labels = _real_pages(tmp_path)
    bad = tmp_path / "bad-labels.jsonl"
    bad.write_text('{"id": "clinic_overclaim", "grade": 7}\n')
    assert main(["train", "--out", str(tmp_path / "a"), option, pages, str(bad)]) == 2
    assert "label clinic_overclaim" in capsys.readouterr().err
    assert main(["train", "--out", str(tmp_path / "a"), option, str(tmp_path / "missing.jsonl"), labels]) == 2
    assert "missing.jsonl" in capsys.readouterr().err
    assert not (tmp_path / "a").exists()


@pytest.mark.parametrize("command", [["train"], ["evaluate"]])
def test_training_without_scikit_learn_says_what_to_install(command, monkeypatch, tmp_path, capsys):
    monkeypatch.setitem(sys.modules, "sklearn", None)  # as on the base install
    assert main([*command, "--out" if command == ["train"] else "--artifact", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "needs scikit-learn" in err and "pip install -e '.[train]'" in err
    assert not any(tmp_path.iterdir())


def test_the_model_version_changes_with_the_corpus_the_real_pages_the_parameters_thresholds_and_code(monkeypatch, tmp_path):
    from training import train
    base = train.recipe_hash("a" * 64, {"sentence_C": 2.0})
    assert base == train.recipe_hash("a" * 64, {"sentence_C": 2.0})
    assert base != train.recipe_hash("b" * 64, {"sentence_C": 2.0})
    assert base != train.recipe_hash("a" * 64, {"sentence_C": 1.0})
    assert base != train.recipe_hash("a" * 64, {"sentence_C": 2.0}, "c" * 64)
    assert base != train.recipe_hash("a" * 64, {"sentence_C": 2.0}, thresholds={"hit_by_criterion": {"x": 0.4}})
    root = tmp_path / "repo"
    (root / "model").mkdir(parents=True)
    (root / "training").mkdir()
    code = [train.CODE_ROOT / "training" / "overclaim.py", train.CODE_ROOT / "training" / "real.py"]
    for path in [*(train.CODE_ROOT / "model").glob("*.py"), *code]:
        shutil.copy(path, root / path.relative_to(train.CODE_ROOT))
    monkeypatch.setattr(train, "CODE_ROOT", root)
    assert train.recipe_hash("a" * 64, {"sentence_C": 2.0}) == base
    (root / "model" / "scoring.py").write_text((root / "model" / "scoring.py").read_text() + "\n# changed\n")
    assert train.recipe_hash("a" * 64, {"sentence_C": 2.0}) != base


def test_the_grade_model_keeps_the_rubrics_signs(small_corpus):
    """Fitted with ``grade_signs`` (the default), no red flag's evidence lowers the criteria-based grade and no
    mitigating signal raises P(grade >= 2) or P(grade >= 3); fitted without, the corpus pulls some weights across."""
    from model.rubric import load_rubric
    from model.scoring import grade_feature_names
    from training.overclaim import OverclaimModel, fold, rubric_bounds
    from training.train import training_pages

    rubric = load_rubric()
    corpus = training_pages(load_pages(small_corpus))
    names = grade_feature_names(rubric.ids, True)

    def crossings(model: OverclaimModel) -> int:
        count = 0
        for k, binary in enumerate(model.grade_models_[0].models_, start=1):
            w = fold(binary).w
            for weight, (low, high) in zip(w, rubric_bounds(names, rubric.red_flags, k)):
                count += (low is not None and weight < low - 1e-9) + (high is not None and weight > high + 1e-9)
        return count

    settings = dict(criteria=rubric.ids, red_flags=rubric.red_flags, n_jobs=1, words_weight=0.5)
    assert crossings(OverclaimModel(**settings).fit(corpus)) == 0
    assert crossings(OverclaimModel(**settings, grade_signs=False).fit(corpus)) > 0
