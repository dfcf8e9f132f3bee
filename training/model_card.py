"""Write ``training/MODEL_CARD.md`` from the manifest of a trained artifact."""

from __future__ import annotations

from pathlib import Path

HEADLINE = ("spearman", "auc_grade_ge_2", "grade_accuracy", "red_flag_macro_f1", "mitigating_macro_f1",
            "evidence_precision", "criteria_brier", "applicability_accuracy", "applicability_brier",
            "grade_0_shown_high", "grade_ge_2_shown_low", "grade_3_shown_high", "verdicts_without_red_flag")


def _fmt(value) -> str:
    return "n/a" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)


def _row(cells) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def metrics_table(metrics: dict[str, dict]) -> str:
    names = list(metrics)
    lines = [_row(["metric", *names]), _row(["---"] * (len(names) + 1))]
    lines += [_row([m, *(_fmt(metrics[n].get(m)) for n in names)]) for m in ("pages", *HEADLINE)]
    return "\n".join(lines)


def render(manifest: dict) -> str:
    m = manifest["metrics"]
    t = manifest["thresholds"]
    env = manifest["environment"]
    per_criterion = m["test"]["per_criterion_f1"]
    kinds = m["test_by_kind"]
    kind_rows = [_row(["kind", "pages", "spearman", "grade accuracy", "grade MAE", "red-flag F1", "mitigating F1"]),
                 _row(["---"] * 7)]
    kind_rows += [_row([k, v["pages"], _fmt(v["spearman"]), _fmt(v["grade_accuracy"]), _fmt(v["grade_mae"]),
                        _fmt(v["red_flag_macro_f1"]), _fmt(v["mitigating_macro_f1"])]) for k, v in kinds.items()]
    openings = m["test_openings_1500"]
    return f"""# Model card: {manifest['name']} {manifest['version']}

Written by `stemclaim train` from `model/artifacts/manifest.json`; do not edit by hand.

## What it does
Reads the visible text of a web page and says how far it overclaims stem-cell therapy for multiple sclerosis,
against rubric version {manifest['rubric_version']} (`model/criteria.json`): a score 0-100 (the expected grade 0-3,
scaled), a level, whether the page is about stem-cell therapy for MS at all, and for each of the 16 criteria a
probability, a hit flag and the page's own sentences as evidence.

## Intended use
- Patients: a first warning, in the browser, that a page's claims match published warning signs.
- Regulators: ranking complaints about clinic advertising so that the strongest claims are read first.
- Journalists and researchers: auditing many saved pages, with quotable evidence for every finding.

## Out of scope
- It is not medical advice and does not judge whether a treatment works for a person.
- It does not find that a provider broke any law; it describes a page's wording.
- Pages in languages other than English, images, videos and PDFs are not read.
- It must not be the only basis for enforcement: a person reads the evidence.

## How it works
Sentence detectors (one logistic regression per criterion over word 1-2-grams, character 3-5-grams and
rubric cue words with their negation, hedging and attribution) feed page-level logistic models for each criterion,
for applicability and for the grade; the page models are fitted on out-of-fold sentence probabilities (folds by
site), on whole pages and on their first 1,000 and 2,000 characters. Parameters were selected on the dev split
({manifest['params']}) with the model fitted on the train split; the shipped model was then refitted with those
parameters on train + dev. The test split (ten sites never used for fitting or selection) is used only to report.
All fitting is deterministic (liblinear and lbfgs solvers, fixed folds).

## Thresholds (chosen on the dev split)
- criterion hit: probability >= {t['hit']}; applicable: probability >= {t['applicable']} (else level `not_applicable`)
- level: `low` below score {t['moderate']:.0f}, `moderate` from {t['moderate']:.0f}, `high` from {t['high']:.0f}
  (chosen so grade 0 pages read low, grade 1 moderate and grades 2-3 high as often as possible)

## Metrics
Test split (the shipped model, on sites it never saw) and dev split (the selected model fitted on train only):

{metrics_table({'test': m['test'], 'dev': m['dev']})}

Targets on the test split: Spearman >= 0.85, ROC AUC (grade >= 2) >= 0.95, macro F1 >= 0.80.
Evidence precision is the share of evidence sentences the model quotes that the labels also list.
Calibration: the Brier scores above (criteria: mean over pages and criteria; applicability: per page).

### Test split by page kind
{chr(10).join(kind_rows)}

### Test criteria F1
{chr(10).join(f'- `{c}`: {_fmt(v)}' for c, v in per_criterion.items())}

### Page openings
Real pages are often seen only by their first screen. On the first 1,500 characters of each test page (labelled
with the whole page's grade): Spearman {_fmt(openings['spearman'])}, AUC {_fmt(openings['auc_grade_ge_2'])},
grade accuracy {_fmt(openings['grade_accuracy'])}, applicability accuracy {_fmt(openings['applicability_accuracy'])}.

## Known failure modes
- The corpus is written for this project; real pages differ in ways it may not cover (see `training/DATASHEET.md`).
- Claims made only in images, video, or a language other than English are invisible to it.
- Quotation and sarcasm: news that repeats a clinic's claim without words like "claimed" or quotation marks can
  be read as making the claim.
- Long lists of conditions in a menu can look like a cure-all claim.
- Grades between 1 and 2 are the hardest to tell apart; read the evidence, not only the score.

## Training data and environment
Corpus SHA-256 `{manifest['corpus_sha256']}`; trained in {manifest['training_seconds']} s with Python {env['python']},
scikit-learn {env['scikit_learn']}, NumPy {env['numpy']}, joblib {env['joblib']}. Artifact `{manifest['file']}`,
{manifest['bytes'] / 1e6:.1f} MB, SHA-256 `{manifest['sha256']}`.
"""


def write_model_card(manifest: dict, path: Path) -> None:
    path.write_text(render(manifest), "utf-8")
