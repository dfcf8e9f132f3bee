"""Real pages kept outside the corpus: loading a labelled set, scoring it, and merging two labelling passes.

A pages file is JSON Lines with ``id`` and either ``text`` (an extracted excerpt) or ``html``; ``url`` and
``kind`` are optional. A labels file is JSON Lines with ``id``, ``grade`` (0-3, may be a mean such as 1.5),
optionally ``applicable`` (default: grade above 0 or a kind other than irrelevant) and ``criteria`` (rubric ids).

    stemclaim evaluate --external PAGES.jsonl LABELS.jsonl [--scores SCORES.jsonl]
    python -m training.external merge A.jsonl B.jsonl OUT.jsonl     # two passes into one label set
    python -m training.external agreement A.jsonl B.jsonl           # how far the passes agree
    python -m training.external compare BEFORE.jsonl AFTER.jsonl    # two models' scores, paired bootstrap
    python -m training.external gather sources.jsonl texts/parts texts/pages.jsonl   # texts collected again, one file each
    stemclaim evaluate --external PAGES.jsonl LABELS.jsonl --mitigating-thresholds   # their hit thresholds, out of fold
    stemclaim evaluate --external PAGES.jsonl LABELS.jsonl --level-thresholds        # the levels' score cut-offs
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
from scipy.stats import spearmanr
from sklearn.model_selection import GroupKFold

from model.assessment import Assessment, Assessor
from model.rubric import load_rubric
from model.text import plain_text, visible_text
from training.evaluate import INTERVAL_METRICS, auc_grade_ge_2, by_kind, intervals, metrics
from training.model_card import criteria_table, metrics_table, span

KINDS_UNKNOWN = "unknown"
THRESHOLD_GRID = tuple(round(0.2 + 0.05 * k, 2) for k in range(16))  # hit thresholds tried: 0.2 to 0.95
FOLDS = 5


@dataclass
class ExternalPage:
    """A real page and its merged labels; only ``id``, ``url``, ``kind`` and the labels may be committed."""

    id: str
    text: str
    grade: float
    applicable: bool
    criteria: list[str]
    url: str = ""
    kind: str = KINDS_UNKNOWN
    evidence: dict[str, list[str]] = field(default_factory=dict)


def site(page: ExternalPage) -> str:
    """The page's web site (its host name without ``www.``), or its id when it has no URL."""
    host = urlsplit(page.url).hostname or page.id
    return host.removeprefix("www.")


def site_folds(pages: list[ExternalPage]) -> list[tuple[np.ndarray, np.ndarray]]:
    """Up to :data:`FOLDS` (train, held-out) index splits of ``pages``, grouped by site; none for a single site."""
    groups = [site(p) for p in pages]
    if len(set(groups)) < 2:
        return []
    return list(GroupKFold(n_splits=min(FOLDS, len(set(groups)))).split(pages, groups=groups))


def read_jsonl(path: Path) -> list[dict]:
    """Objects of a JSON Lines file; ValueError naming the line for anything else."""
    records = []
    for number, line in enumerate(Path(path).read_text("utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}:{number}: not valid JSON: {exc.msg}") from None
        if not isinstance(record, dict) or not isinstance(record.get("id"), (str, int)):
            raise ValueError(f"{path}:{number}: each line must be a JSON object with an id")
        records.append(record)
    return records


def _label_problem(label: dict, known: set[str]) -> str | None:
    grade = label.get("grade")
    if isinstance(grade, bool) or not isinstance(grade, (int, float)) or not 0 <= grade <= 3:
        return "grade must be a number from 0 to 3"
    criteria = label.get("criteria", [])
    if not isinstance(criteria, list) or not all(isinstance(c, str) for c in criteria):
        return "criteria must be a list of rubric ids"
    unknown = sorted(set(criteria) - known)
    if unknown:
        return f"unknown criteria: {', '.join(unknown)}"
    if "applicable" in label and not isinstance(label["applicable"], bool):
        return "applicable must be true or false"
    return _disagreement_problem(label.get("disagreement", {}), known)


def _disagreement_problem(disagreement: object, known: set[str]) -> str | None:
    """What is wrong with a merged label's record of where its two passes differed (:func:`merge`), if anything."""
    if not isinstance(disagreement, dict):
        return "disagreement must be an object"
    grades = disagreement.get("grade", [0, 0])
    if not (isinstance(grades, list) and len(grades) == 2 and all(
            isinstance(g, (int, float)) and not isinstance(g, bool) and 0 <= g <= 3 for g in grades)):
        return "disagreement grade must be the two passes' grades, each from 0 to 3"
    criteria = disagreement.get("criteria", [])
    if not isinstance(criteria, list) or not all(isinstance(c, str) and c in known for c in criteria):
        return "disagreement criteria must be a list of rubric ids"
    return None


def load_external(pages_path: Path, labels_path: Path) -> list[ExternalPage]:
    """Labelled real pages, in the pages file's order; pages without a label are skipped, a label whose page is
    missing or malformed is a ValueError."""
    known = set(load_rubric().ids)
    labels: dict[str, dict] = {}
    for label in read_jsonl(labels_path):
        problem = _label_problem(label, known)
        if problem:
            raise ValueError(f"{labels_path}: label {label['id']}: {problem}")
        labels[str(label["id"])] = label
    pages = []
    seen = set()
    for record in read_jsonl(pages_path):
        key = str(record["id"])
        if key not in labels:
            continue
        body = record.get("html", record.get("text"))
        if not isinstance(body, str):
            raise ValueError(f"{pages_path}: page {key}: needs a text or html string")
        text = visible_text(body) if "html" in record else plain_text(body)
        label = labels[key]
        kind = str(record.get("kind") or label.get("kind") or KINDS_UNKNOWN)
        applicable = label.get("applicable", kind != "irrelevant" and label["grade"] > 0)
        pages.append(ExternalPage(key, text, float(label["grade"]), bool(applicable), list(label.get("criteria", [])),
                                  str(record.get("url") or ""), kind))
        seen.add(key)
    missing = sorted(set(labels) - seen)
    if missing:
        raise ValueError(f"{labels_path}: {len(missing)} labels name pages not in {pages_path}: "
                         f"{', '.join(missing[:5])}")
    return pages


def _listing(title: str, rows: list[tuple[ExternalPage, Assessment]]) -> str:
    lines = [f"{title}: {len(rows)}"]
    lines += [f"  {p.id} grade {p.grade:g} -> {r.level} {r.score:.0f} ({p.kind}) {p.url}" for p, r in rows]
    return "\n".join(lines)


def external_report(pages: list[ExternalPage], results: list[Assessment]) -> str:
    """The same figures as a corpus split, by kind, and the pages a reader would object to (ids and URLs only)."""
    rubric = load_rubric()
    overall = metrics(pages, results, rubric.red_flags, rubric.mitigating)
    kinds = by_kind(pages, results, rubric.red_flags, rubric.mitigating)
    applicable = [(p, r) for p, r in zip(pages, results) if p.applicable]
    if applicable:
        on_topic = metrics([p for p, _ in applicable], [r for _, r in applicable], rubric.red_flags,
                           rubric.mitigating)
        kinds = {"(all on-topic)": on_topic, **kinds}
    pairs = list(zip(pages, results))
    spread = intervals(pages, results, rubric.red_flags, rubric.mitigating, [site(p) for p in pages]) if pages else {}
    return "\n\n".join([
        f"{len(pages)} labelled real pages; model {results[0].model['name']} {results[0].model['version']}"
        if results else "no labelled pages",
        metrics_table({"real pages": overall}),
        "95% intervals (1,000 resamples of the pages' sites):\n"
        + "\n".join(f"  {m}: {span(spread.get(m))}" for m in INTERVAL_METRICS),
        "By page kind:\n" + metrics_table(kinds),
        "Criteria (pages labelled, pages named, precision, recall, F1):\n" + criteria_table(overall["per_criterion"]),
        _listing("Grade-0 pages shown high", [(p, r) for p, r in pairs if p.grade == 0 and r.level == "high"]),
        _listing("Grade >= 2 pages shown low or not applicable",
                 [(p, r) for p, r in pairs if p.grade >= 2 and r.level in ("low", "not_applicable")]),
    ])


def merge(a: list[dict], b: list[dict]) -> list[dict]:
    """Two passes into one: grade the mean, applicable where both say so, a criterion where both mark it, and
    what they disagreed on."""
    other = {str(x["id"]): x for x in b}
    merged = []
    for x in a:
        y = other.get(str(x["id"]))
        if y is None:
            continue
        ca, cb = set(x.get("criteria", [])), set(y.get("criteria", []))
        record = {"id": x["id"], "grade": (x["grade"] + y["grade"]) / 2,
                  "applicable": bool(x.get("applicable", True) and y.get("applicable", True)),
                  "criteria": sorted(ca & cb, key=load_rubric().ids.index)}
        disagreement = {}
        if x["grade"] != y["grade"]:
            disagreement["grade"] = [x["grade"], y["grade"]]
        if x.get("applicable", True) != y.get("applicable", True):
            disagreement["applicable"] = [x.get("applicable", True), y.get("applicable", True)]
        if ca ^ cb:
            disagreement["criteria"] = sorted(ca ^ cb)
        if disagreement:
            record["disagreement"] = disagreement
        merged.append(record)
    return merged


def agreement(a: list[dict], b: list[dict]) -> dict:
    """Agreement of two passes over the pages both labelled."""
    other = {str(x["id"]): x for x in b}
    pairs = [(x, other[str(x["id"])]) for x in a if str(x["id"]) in other]
    if not pairs:
        return {"pages": 0}
    ga = np.array([x["grade"] for x, _ in pairs], dtype=float)
    gb = np.array([y["grade"] for _, y in pairs], dtype=float)
    ids = load_rubric().ids
    both = sum(len(set(x.get("criteria", [])) & set(y.get("criteria", []))) for x, y in pairs)
    either = sum(len(set(x.get("criteria", []))) + len(set(y.get("criteria", []))) for x, y in pairs)
    per = {}
    for c in ids:
        ma = np.array([c in x.get("criteria", []) for x, _ in pairs])
        mb = np.array([c in y.get("criteria", []) for _, y in pairs])
        per[c] = round(2 * float((ma & mb).sum()) / max(float(ma.sum() + mb.sum()), 1.0), 3)
    return {
        "pages": len(pairs),
        "grade_exact": round(float(np.mean(ga == gb)), 3),
        "grade_within_one": round(float(np.mean(np.abs(ga - gb) <= 1)), 3),
        "grade_spearman": round(float(spearmanr(ga, gb).statistic), 3),
        "applicable": round(float(np.mean([x.get("applicable", True) == y.get("applicable", True)
                                            for x, y in pairs])), 3),
        "criteria_micro_f1": round(2 * both / either, 3) if either else 1.0,
        "criteria_f1": per,
    }


def readers(labels: list[dict]) -> dict | None:
    """How the two passes behind merged labels (:func:`merge`) agree with each other, in the model's own figures:
    one pass's grades against the other's (Spearman; AUC of each for the other's grade >= 2, averaged) and the
    red flags' and mitigating signals' macro F1 between the passes. A yardstick for the model's figures, which are
    taken against the merge. None when no label records a disagreement (one pass, or no passes to tell apart)."""
    if not any("disagreement" in x for x in labels):
        return None
    grades = np.array([x.get("disagreement", {}).get("grade", [x["grade"]] * 2) for x in labels], dtype=float)
    a, b = grades[:, 0], grades[:, 1]
    aucs = [x for x in (auc_grade_ge_2(b, a), auc_grade_ge_2(a, b)) if not np.isnan(x)]

    def f1(criterion: str) -> float:  # both passes marked it where the merge lists it, one where the disagreement does
        both = sum(criterion in x.get("criteria", []) for x in labels)
        one = sum(criterion in x.get("disagreement", {}).get("criteria", []) for x in labels)
        return 2 * both / (2 * both + one) if both + one else 1.0

    rubric = load_rubric()
    return {"pages": len(labels), "spearman": round(float(spearmanr(a, b).statistic), 3),
            "auc_grade_ge_2": round(float(np.mean(aucs)), 3) if aucs else None,
            "red_flag_macro_f1": round(float(np.mean([f1(c) for c in rubric.red_flags])), 3),
            "mitigating_macro_f1": round(float(np.mean([f1(c) for c in rubric.mitigating])), 3)}


def readers_line(agreement: dict) -> str:
    """:func:`readers`' figures as one line, to read beside the model's."""
    return (f"One labelling pass against the other ({agreement['pages']} pages), for scale: spearman "
            f"{agreement['spearman']}, auc_grade_ge_2 {agreement['auc_grade_ge_2']}, red_flag_macro_f1 "
            f"{agreement['red_flag_macro_f1']}, mitigating_macro_f1 {agreement['mitigating_macro_f1']}")


def _f1(labelled: np.ndarray, shown: np.ndarray) -> float:
    both = int((labelled & shown).sum())
    return 2 * both / max(int(labelled.sum() + shown.sum()), 1)


def mitigating_thresholds(pages: list[ExternalPage], results: list[Assessment]) -> list[dict]:
    """For each mitigating signal: its F1 on the pages as shown now, the threshold in :data:`THRESHOLD_GRID` with the
    best F1 on all of them, and the F1 of thresholds chosen out of fold (each fold's pages, grouped by site, shown at
    the threshold best on the other folds). Mitigating signals never move a score or level, so their thresholds
    change only what is shown; a red flag's threshold also moves verdicts and is not chosen by F1 alone."""
    rubric = load_rubric()
    about_ms = {c.id for c in rubric.criteria if c.about_ms}
    folds = site_folds(pages)
    rows = []
    for criterion in rubric.mitigating:
        labelled = np.array([criterion in p.criteria for p in pages])
        findings = [next(f for f in r.criteria if f.id == criterion) for r in results]
        proba = np.array([f.probability for f in findings])
        # A criterion about MS is never shown on a page judged not about stem cells for MS.
        allowed = np.array([r.applicable or criterion not in about_ms for r in results])
        f1s = np.array([[_f1(labelled[idx], (proba[idx] >= t) & allowed[idx]) for t in THRESHOLD_GRID]
                        for idx in [np.arange(len(pages)), *(train for train, _ in folds)]])
        shown = np.zeros(len(pages), bool)
        for k, (_, held) in enumerate(folds):
            shown[held] = (proba[held] >= THRESHOLD_GRID[int(f1s[k + 1].argmax())]) & allowed[held]
        rows.append({"criterion": criterion, "labelled": int(labelled.sum()),
                     "f1_now": round(_f1(labelled, np.array([f.hit for f in findings])), 3),
                     "best": THRESHOLD_GRID[int(f1s[0].argmax())], "f1_best": round(float(f1s[0].max()), 3),
                     "f1_out_of_fold": round(_f1(labelled, shown), 3) if folds else None})
    return rows


def thresholds_table(rows: list[dict]) -> str:
    columns = ("labelled", "f1_now", "best", "f1_best", "f1_out_of_fold")
    lines = ["Mitigating signals' hit thresholds (out of fold: each site's pages shown at the threshold best on the "
             "other folds):", "| criterion | labelled | F1 now | best threshold | F1 there | F1 out of fold |",
             "| --- | --- | --- | --- | --- | --- |"]
    lines += ["| " + " | ".join([r["criterion"], *("n/a" if r[k] is None else str(r[k]) for k in columns)]) + " |"
              for r in rows]
    macro = {k: f"{np.mean([r[k] for r in rows]):.3f}" if rows and rows[0][k] is not None else ""
             for k in ("f1_now", "f1_best", "f1_out_of_fold")}
    lines.append(f"| macro | | {macro['f1_now']} | | {macro['f1_best']} | {macro['f1_out_of_fold']} |")
    return "\n".join(lines)


LEVEL_FIGURES = ("spearman", "auc_grade_ge_2", "grade_0_shown_high", "grade_ge_2_shown_low", "grade_3_shown_high")


def wanted_level(grade: float) -> int | None:
    """The level a page of this grade should get: 0 `low` (grade 0), 1 `moderate` (grade 1), 2 `high` (grades 2-3);
    None for a mean grade between two levels (0.5, 1.5), where the two readers' grades lead to different levels."""
    below, above = min(int(np.floor(grade)), 2), min(int(np.ceil(grade)), 2)
    return below if below == above else None


def choose_level_cutoffs(scores: np.ndarray, levels: np.ndarray) -> tuple[float, float]:
    """Score cut-offs (moderate, high) under which the most pages get their wanted level (0, 1, 2), each level's
    pages weighing alike (the mean of the three recalls); ties go to the lowest cut-offs."""
    best, best_pair = -1.0, (100 / 6, 50.0)
    for moderate in np.arange(5.0, 60.0, 1.0):
        for high in np.arange(moderate + 5.0, 90.0, 1.0):
            got = (scores >= moderate).astype(int) + (scores >= high).astype(int)
            recall = np.mean([np.mean(got[levels == k] == k) for k in range(3) if np.any(levels == k)])
            if recall > best + 1e-9:
                best, best_pair = recall, (float(moderate), float(high))
    return best_pair


def level_thresholds(pages: list[ExternalPage], assessor: Assessor) -> list[dict]:
    """The score cut-offs for `moderate` and `high` best on these pages, read on the model's expected grade before the
    rubric's caps (on-topic pages whose grade names one level), and the figures they give: at the assessor's own
    cut-offs, at the best ones, and at cut-offs chosen out of fold (each fold's pages, grouped by site, assessed at
    the cut-offs best on the other folds). Levels also move which red flags a verdict names, so every figure moves."""
    rubric = load_rubric()
    predictions = [assessor.model.predict_text(p.text) for p in pages]  # each page read once, judged at every cut-off
    expected = np.array([100.0 * p.expected_grade / 3.0 for p in predictions])
    wanted = [wanted_level(p.grade) if p.applicable else None for p in pages]

    def choose(indices) -> tuple[float, float]:
        use = [i for i in indices if wanted[i] is not None]
        if not use:  # no page names a level: nothing to choose by
            return assessor.moderate, assessor.high
        return choose_level_cutoffs(expected[use], np.array([wanted[i] for i in use]))

    def row(name: str, moderate: str, high: str, results: list[Assessment]) -> dict:
        figures = metrics(pages, results, rubric.red_flags, rubric.mitigating)
        return {"cut-offs": name, "moderate": moderate, "high": high, **{k: figures[k] for k in LEVEL_FIGURES}}

    def judged(at: Assessor, indices) -> list[Assessment]:
        return [at.assess_prediction(predictions[i], len(pages[i].text)) for i in indices]

    best = choose(range(len(pages)))
    rows = [row("now", f"{assessor.moderate:g}", f"{assessor.high:g}", judged(assessor, range(len(pages)))),
            row("best on these pages", f"{best[0]:g}", f"{best[1]:g}",
                judged(assessor.with_levels(*best), range(len(pages))))]
    folds = site_folds(pages)
    if folds:
        results: list[Assessment | None] = [None] * len(pages)
        chosen = []
        for train, held in folds:
            chosen.append(choose(train))
            for i, result in zip(held, judged(assessor.with_levels(*chosen[-1]), held)):
                results[i] = result
        span = [f"{min(c):g}" if min(c) == max(c) else f"{min(c):g}-{max(c):g}" for c in zip(*chosen)]
        rows.append(row("out of fold", *span, results))
    return rows


def level_thresholds_table(rows: list[dict]) -> str:
    lines = ["Score cut-offs of the levels (out of fold: each site's pages assessed at the cut-offs best on the other "
             "folds):", "| cut-offs | moderate from | high from | " + " | ".join(LEVEL_FIGURES) + " |",
             "| --- " * (3 + len(LEVEL_FIGURES)) + "|"]
    lines += ["| " + " | ".join("n/a" if v is None else str(v) for v in r.values()) + " |" for r in rows]
    return "\n".join(lines)


def score_records(pages: list[ExternalPage], results: list[Assessment]) -> list[dict]:
    """One line per page for ``--scores``: its id, label and the model's verdict (never the page's text)."""
    return [{"id": p.id, "grade": p.grade, "score": r.score, "level": r.level, "model": r.model["version"]}
            for p, r in zip(pages, results)]


def paired_bootstrap(grades: np.ndarray, before: np.ndarray, after: np.ndarray, resamples: int = 1000,
                     seed: int = 0) -> dict[str, tuple[float, float, float, float, float]]:
    """Spearman and AUC (grade >= 2) of two models' scores on the same pages: (before, after, after - before, and
    the 2.5th and 97.5th percentiles of that difference over ``resamples`` resamples of the pages)."""
    def figures(idx: np.ndarray) -> tuple[float, float]:
        g = grades[idx]
        return (spearmanr(after[idx], g).statistic - spearmanr(before[idx], g).statistic,
                auc_grade_ge_2(g, after[idx]) - auc_grade_ge_2(g, before[idx]))

    point = figures(np.arange(len(grades)))
    rng = np.random.default_rng(seed)
    draws = np.array([figures(rng.integers(0, len(grades), len(grades))) for _ in range(resamples)])
    out = {}
    for k, (name, metric) in enumerate((("spearman", lambda s: spearmanr(s, grades).statistic),
                                        ("auc_grade_ge_2", lambda s: auc_grade_ge_2(grades, s)))):
        low, high = np.nanpercentile(draws[:, k], [2.5, 97.5])
        out[name] = (float(metric(before)), float(metric(after)), float(point[k]), float(low), float(high))
    return out


def compare(before: list[dict], after: list[dict], resamples: int = 1000, seed: int = 0) -> str:
    """A table of two ``--scores`` files' figures on the pages both list, with paired-bootstrap intervals."""
    theirs = {str(r["id"]): r for r in after}
    pairs = [(r, theirs[str(r["id"])]) for r in before if str(r["id"]) in theirs]
    if len(pairs) < 3:
        raise ValueError("the two score files share fewer than 3 pages")
    if any(a["grade"] != b["grade"] for a, b in pairs):
        raise ValueError("the two score files give different grades for the same page: were they scored on the "
                         "same labels?")
    grades = np.array([float(a["grade"]) for a, _ in pairs])
    figures = paired_bootstrap(grades, np.array([float(a["score"]) for a, _ in pairs]),
                               np.array([float(b["score"]) for _, b in pairs]), resamples, seed)
    names = (pairs[0][0].get("model", "before"), pairs[0][1].get("model", "after"))
    lines = [f"{len(pairs)} pages; paired bootstrap, {resamples} resamples", "",
             f"| metric | {names[0]} | {names[1]} | difference | 95% interval |", "| --- | --- | --- | --- | --- |"]
    for metric, (a, b, d, low, high) in figures.items():
        lines.append(f"| {metric} | {a:.3f} | {b:.3f} | {d:+.3f} | {low:+.3f} to {high:+.3f} |")
    return "\n".join(lines)


def gather(sources: list[dict], parts: Path) -> tuple[list[dict], list[str]]:
    """Pages (``id``, ``url``, ``kind``, ``text``) from one UTF-8 text file per id (``PARTS/<id>.txt``), as a
    collector saves excerpts found again from ``sources.jsonl``; and the ids that have no file yet."""
    pages, missing = [], []
    for source in sources:
        path = parts / f"{source['id']}.txt"
        if not path.is_file():
            missing.append(str(source["id"]))
            continue
        pages.append({"id": source["id"], "url": source.get("url", ""), "kind": source.get("kind", KINDS_UNKNOWN),
                      "text": path.read_text("utf-8")})
    return pages, missing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.external", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    m = commands.add_parser("merge", help="merge two labelling passes into one label file")
    m.add_argument("a", type=Path)
    m.add_argument("b", type=Path)
    m.add_argument("out", type=Path)
    g = commands.add_parser("agreement", help="agreement figures of two labelling passes, as JSON")
    g.add_argument("a", type=Path)
    g.add_argument("b", type=Path)
    c = commands.add_parser("compare", help="two models' scores (`evaluate --external ... --scores`), paired bootstrap")
    c.add_argument("a", type=Path, metavar="BEFORE")
    c.add_argument("b", type=Path, metavar="AFTER")
    c.add_argument("--resamples", type=int, default=1000)
    t = commands.add_parser("gather", help="rebuild a pages file from sources.jsonl and one text file per id")
    t.add_argument("sources", type=Path)
    t.add_argument("parts", type=Path, help="folder of <id>.txt files, each one page's excerpt")
    t.add_argument("out", type=Path)
    args = parser.parse_args(argv)
    if args.command == "gather":
        return _gather(args.sources, args.parts, args.out)
    try:
        a, b = read_jsonl(args.a), read_jsonl(args.b)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.command == "compare":
        try:
            print(compare(a, b, args.resamples))
        except (KeyError, TypeError, ValueError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    elif args.command == "merge":
        merged = merge(a, b)
        args.out.write_text("".join(json.dumps(r) + "\n" for r in merged), "utf-8")
        print(f"{len(merged)} pages merged, {sum('disagreement' in r for r in merged)} with a disagreement")
    else:
        print(json.dumps(agreement(a, b), indent=2))
    return 0


def _gather(sources_path: Path, parts: Path, out: Path) -> int:
    try:
        pages, missing = gather(read_jsonl(sources_path), parts)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in pages), "utf-8")
    print(f"{len(pages)} pages written to {out}")
    if missing:
        print(f"error: no text yet for {len(missing)} ids: {', '.join(missing)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
