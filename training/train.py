"""`stemclaim train`: fit on the train split, select on dev, report on test, write the artifact and model card."""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

from model.artifact import ARTIFACT_DIR, LoadedArtifact, load_artifact
from model.assessment import Assessor
from model.rubric import load_rubric
from training.artifact import write_artifact
from training.corpus import Page, load_pages
from training.evaluate import assess_pages, by_kind, intervals, metrics
from training.external import FOLDS, ExternalPage, site
from training.model_card import write_model_card
from training.overclaim import OverclaimModel, TrainingPage
from training.real import REPEAT, out_of_fold, pages_sha256, weak_training_pages

NAME = "overclaim"
SEED = 0
# Mitigating signals' own hit thresholds, chosen on the real-page development set (never trained on) with
# `stemclaim evaluate --external ... --mitigating-thresholds` (model 1.050e0c51, 408 pages). The corpus marks risk talk
# and aHSCT-as-guidelines more liberally than careful readers of real pages do, and disclosures, citations and advice
# to see a neurologist less so. Macro F1 0.584 -> 0.661 with thresholds chosen out of fold (5 folds by site).
# Mitigating signals never move the score or level, so this changes only what is shown.
HIT_BY_CRITERION = {"discloses_investigational": 0.2, "discusses_risks": 0.85, "cites_evidence": 0.3,
                    "defers_to_neurologist": 0.45, "guideline_concordant_ahsct": 0.85}
# Candidates tried on the dev split; this one was chosen by its figures on the real-page development set
# (training/external), before the model learned from it. More candidates cost a fit each (about 1.5 minutes on 2 cores).
# grade_C 3.0 (was the default 0.3): with the eligibility relabel, grade_C 1-10 all held the original 78 test pages' AUC
# at 0.985-0.987 (0.3: 0.984) and left real-page Spearman and AUC unchanged within noise.
# words_min_sites 3: the words model reads only words and word pairs that pages of three sites or more use; on the
# real pages, Spearman +0.004 (paired bootstrap +0.000 to +0.008), 5 sites no better, the sentence detectors' n-grams
# filtered alike lost red-flag and mitigating F1 (see docs/model-history.md).
GRID = ({"sentence_C": 2.0, "page_C": 1.0, "grade_C": 3.0, "words_weight": 0.5, "words_C": 10.0,
         "words_min_sites": 3},)
# The levels' score cut-offs, chosen on the real-page development set (never trained on) with `stemclaim evaluate
# --external ... --level-thresholds`: the cut-offs best on the on-topic pages whose grade names one level, read on the
# expected grade before the rubric's caps, each level weighing alike. Re-choose them after any change to the model.
# For 1.f80f6285 on all 908 pages the rule chose moderate 24 and high 55, and out of fold (5 folds by site) moderate
# 24-30 and high 55 in every fold: high moves from 56 (chosen on the first 541 pages; 55 had been the rule's choice on
# 788 and 848 pages too) to 55, which shows 29 of the 44 grade-3 pages `high` instead of 27 and no careful page more;
# moderate stays at 25 (docs/model-history.md).
LEVEL_THRESHOLDS = {"moderate": 25.0, "high": 55.0}


def corpus_hash(corpus: Path) -> str:
    """SHA-256 over the labels file and every page, in name order."""
    digest = hashlib.sha256((corpus / "labels.jsonl").read_bytes())
    for path in sorted((corpus / "pages").glob("*.html")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


CODE_ROOT = Path(__file__).resolve().parent.parent  # the checkout whose model and training code build the model


def recipe_hash(corpus_sha256: str, params: dict, real_sha256: str = "", thresholds: dict | None = None) -> str:
    """SHA-256 over what a model is made of: the corpus, the real pages learned from (if any), the selected
    parameters, the thresholds it is shipped with and the code that reads pages and fits the model (``model/*.py``,
    ``training/overclaim.py``, and ``training/real.py`` when it learned from real pages). The version carries its
    first eight digits, so a change of features, rules or thresholds gets a new version even on the same corpus."""
    digest = hashlib.sha256(corpus_sha256.encode())
    digest.update(real_sha256.encode())
    digest.update(json.dumps(params, sort_keys=True).encode())
    digest.update(json.dumps(thresholds or {}, sort_keys=True).encode())
    code = [CODE_ROOT / "training" / "overclaim.py"] + ([CODE_ROOT / "training" / "real.py"] if real_sha256 else [])
    for path in sorted((CODE_ROOT / "model").glob("*.py")) + code:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _assessor(model: OverclaimModel, manifest: dict) -> Assessor:
    return Assessor(LoadedArtifact(model.scorer(), {**manifest, "sha256": ""}))


def training_pages(pages: list[Page]) -> list[TrainingPage]:
    return [TrainingPage(text=p.text, criteria=frozenset(p.criteria), evidence=p.evidence, grade=p.grade,
                         applicable=p.applicable, group=p.site) for p in pages]


def _objective(m: dict) -> float:
    return sum(v or 0.0 for v in (m["spearman"], m["auc_grade_ge_2"], m["red_flag_macro_f1"], m["mitigating_macro_f1"]))


def train(corpus: Path, out: Path = ARTIFACT_DIR, card: Path | None = None, log=print,
          external: list[ExternalPage] | None = None, real: list[ExternalPage] | None = None,
          readers: dict | None = None) -> LoadedArtifact:
    """Train, select, evaluate and write the artifact, manifest and model card; returns the loaded artifact.
    ``external`` is a labelled set of real pages to report on beside the corpus, never trained on; ``real`` one to
    learn from as well (:mod:`training.real`), whose figures are reported out of fold. ``readers`` is how the two
    labelling passes behind that set agree (:func:`training.external.readers`), reported beside the model."""
    started = time.perf_counter()
    rubric = load_rubric()
    real_pages = real or []
    pages = load_pages(corpus)
    split = {s: [p for p in pages if p.split == s] for s in ("train", "dev", "test")}
    train_pages = training_pages(split["train"])
    log(f"corpus: {len(pages)} pages ({', '.join(f'{k} {len(v)}' for k, v in split.items())})")

    best = None
    for candidate in GRID:
        model = OverclaimModel(criteria=rubric.ids, red_flags=rubric.red_flags, random_state=SEED, **candidate)
        model.fit(train_pages)
        assessor = Assessor(LoadedArtifact(model.scorer(), {"name": NAME, "version": "candidate", "sha256": "",
                                                   "rubric_version": rubric.version}))
        dev_results = assess_pages(assessor, split["dev"])
        dev = metrics(split["dev"], dev_results, rubric.red_flags, rubric.mitigating)
        log(f"  {candidate}: dev spearman {dev['spearman']} auc {dev['auc_grade_ge_2']}"
            f" red F1 {dev['red_flag_macro_f1']} mitigating F1 {dev['mitigating_macro_f1']}")
        if best is None or _objective(dev) > _objective(best[0]):
            best = (dev, dict(candidate), model)
    dev, params, corpus_model = best
    log(f"selected {params}")

    thresholds = {"hit": 0.5, "support": 0.3, "applicable": 0.5, "careful_sales": 0.2, "careful_mitigation": 1.0,
                  **LEVEL_THRESHOLDS, "hit_by_criterion": HIT_BY_CRITERION}
    chash = corpus_hash(Path(corpus))
    real_sha = pages_sha256(real) if real is not None else ""
    manifest = {"name": NAME, "version": f"{rubric.version}.{recipe_hash(chash, params, real_sha, thresholds)[:8]}",
                "rubric_version": rubric.version, "corpus_sha256": chash, "params": params, "seed": SEED,
                "thresholds": thresholds}
    if real is not None:
        manifest["real_pages"] = {"pages": len(real_pages), "sha256": real_sha, "repeat": REPEAT,
                                  "figures": f"out of fold: {FOLDS} folds grouped by site"}
    # Real pages are weakly labelled by the selected model fitted on the corpus's train split, which never saw them.
    weak = weak_training_pages(real_pages, corpus_model.scorer())

    def fit(extra: list[TrainingPage]) -> OverclaimModel:
        return OverclaimModel(criteria=rubric.ids, red_flags=rubric.red_flags, random_state=SEED, **params).fit(
            train_pages + training_pages(split["dev"]) + extra)

    # The dev metrics are those of the selected model, fitted on train only. The shipped model is then refitted
    # with the selected parameters on train + dev; the test split is touched only to report it.
    manifest["metrics"] = {"dev": dev}
    model = fit(weak * REPEAT)
    assessor = _assessor(model, manifest)
    test = split["test"]
    results = assess_pages(assessor, test)
    manifest["metrics"]["test"] = metrics(test, results, rubric.red_flags, rubric.mitigating)
    manifest["metrics"]["test_by_kind"] = by_kind(test, results, rubric.red_flags, rubric.mitigating)
    openings = [assessor.assess_text(p.text[:1500]) for p in test]
    manifest["metrics"]["test_openings_1500"] = {
        k: v for k, v in metrics(test, openings, rubric.red_flags, rubric.mitigating).items()
        if k in ("spearman", "auc_grade_ge_2", "grade_accuracy", "applicability_accuracy")}
    if real is not None:
        log(f"real pages: {len(real_pages)}, learned from; out-of-fold figures ({FOLDS} fits)")
        measured, results = real_pages, out_of_fold(real_pages, weak, lambda extra: _assessor(fit(extra), manifest))
    elif external is not None:
        measured, results = external, assess_pages(assessor, external)
    if real is not None or external is not None:
        manifest["metrics"]["real"] = metrics(measured, results, rubric.red_flags, rubric.mitigating)
        on_topic = [i for i, p in enumerate(measured) if p.applicable]
        manifest["metrics"]["real_on_topic"] = metrics([measured[i] for i in on_topic], [results[i] for i in on_topic],
                                                       rubric.red_flags, rubric.mitigating)
        manifest["metrics"]["real_by_kind"] = by_kind(measured, results, rubric.red_flags, rubric.mitigating)
        if readers:
            manifest["metrics"]["real_readers"] = readers
        manifest["metrics"]["real_intervals"] = intervals(measured, results, rubric.red_flags, rubric.mitigating,
                                                          [site(p) for p in measured])
        log(f"real pages: spearman {manifest['metrics']['real']['spearman']} "
            f"auc {manifest['metrics']['real']['auc_grade_ge_2']}")
    manifest["training_seconds"] = round(time.perf_counter() - started, 1)
    path = write_artifact(model, manifest, out)
    artifact = load_artifact(out)
    log(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB) in {manifest['training_seconds']} s")
    if card is not None:
        write_model_card(artifact.manifest, card)
        log(f"wrote {card}")
    return artifact
