"""The labelled corpus: loading, validation (``stemclaim corpus check``) and statistics (``corpus stats``)."""

from __future__ import annotations

import json
import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from itertools import combinations
from pathlib import Path

from model.rubric import load_rubric
from model.sentences import split_sentences
from model.text import normalise, visible_text

KINDS = (
    "clinic_ad", "broker", "hospital_or_academic", "patient_org", "news", "blog", "health_info", "irrelevant",
)
SPLITS = ("train", "dev", "test")
FIELDS = ("id", "file", "site", "kind", "grade", "split", "criteria", "evidence")
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LABEL_MARKUP = re.compile(r"\{[a-z_]+\|[^{}]*\}")  # a writer's inline label, as in "{comm|Book now.}"
NEAR_DUPLICATE_JACCARD = 0.5
SHARED_SENTENCE_WORDS = 8
SHARED_SENTENCE_SITES = 3
TARGETS = {"pages": 480, "pages_per_kind": 30, "pages_per_grade": 80, "pages_per_criterion": 25, "sites": 60,
           "distinct_sentences": 2500}
_WORD = re.compile(r"\w+")


@dataclass
class Page:
    """One labelled page of the corpus."""

    id: str
    file: str
    site: str
    kind: str
    grade: int
    split: str
    criteria: list[str]
    evidence: dict[str, list[str]]
    root: Path = field(repr=False)

    @property
    def applicable(self) -> bool:
        """Is the page about stem-cell therapy for MS at all?"""
        return self.kind != "irrelevant"

    @property
    def path(self) -> Path:
        return self.root / self.file

    @cached_property
    def html(self) -> bytes:
        return self.path.read_bytes()

    @cached_property
    def text(self) -> str:
        return visible_text(self.html)

    def label(self) -> dict:
        """The page's labels.jsonl record."""
        return {name: getattr(self, name) for name in FIELDS}


def load_pages(corpus: Path) -> list[Page]:
    """Pages of a corpus folder, in labels.jsonl order; raises ValueError on a malformed label file."""
    problems: list[str] = []
    pages, _ = _parse_labels(Path(corpus), problems)
    if problems:
        raise ValueError("\n".join(problems))
    return pages


def _parse_labels(corpus: Path, problems: list[str]) -> tuple[list[Page], set[str]]:
    """Valid pages, and every page file a label names (valid or not), adding problems as found."""
    labels = corpus / "labels.jsonl"
    try:
        lines = labels.read_text("utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(f"{labels}: cannot read: {exc}")
        return [], set()
    pages, claimed = [], set()
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"labels.jsonl:{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"{where}: not valid JSON: {exc.msg}")
            continue
        if isinstance(record, dict):
            claimed.update(f"pages/{record[k]}.html" if k == "id" else record[k]
                           for k in ("id", "file") if isinstance(record.get(k), str))
        record_problems = _schema_problems(record)
        if record_problems:
            label = record.get("id") if isinstance(record, dict) else None
            problems.extend(f"{where} ({label}): {p}" if label else f"{where}: {p}" for p in record_problems)
            continue
        pages.append(Page(**record, root=corpus))
    return pages, claimed


def _schema_problems(record: object) -> list[str]:
    if not isinstance(record, dict):
        return ["a label must be a JSON object"]
    fields = list(record)
    if fields != list(FIELDS):
        missing = [f for f in FIELDS if f not in record]
        extra = [f for f in fields if f not in FIELDS]
        if missing or extra:
            return [f"fields must be exactly {', '.join(FIELDS)}"
                    + (f"; missing {', '.join(missing)}" if missing else "")
                    + (f"; unexpected {', '.join(extra)}" if extra else "")]
    problems = []
    for name in ("id", "file", "site", "kind", "split"):
        if not isinstance(record[name], str) or not record[name]:
            problems.append(f"{name} must be a non-empty string")
    if problems:
        return problems
    known = set(load_rubric().ids)
    if not ID_PATTERN.match(record["id"]):
        problems.append(f"id {record['id']!r} must be lowercase letters, digits and hyphens")
    if record["file"] != f"pages/{record['id']}.html":
        problems.append(f"file must be 'pages/{record['id']}.html', not {record['file']!r}")
    if record["kind"] not in KINDS:
        problems.append(f"unknown kind {record['kind']!r} (one of {', '.join(KINDS)})")
    if record["split"] not in SPLITS:
        problems.append(f"unknown split {record['split']!r} (one of {', '.join(SPLITS)})")
    grade = record["grade"]
    if not isinstance(grade, int) or isinstance(grade, bool) or not 0 <= grade <= 3:
        problems.append(f"grade must be an integer 0-3, not {grade!r}")
    criteria, evidence = record["criteria"], record["evidence"]
    if not isinstance(criteria, list) or not all(isinstance(c, str) for c in criteria):
        return problems + ["criteria must be a list of criterion ids"]
    unknown = [c for c in criteria if c not in known]
    if unknown:
        problems.append(f"unknown criterion id(s): {', '.join(unknown)}")
    if len(set(criteria)) != len(criteria):
        problems.append("criteria lists an id twice")
    if not isinstance(evidence, dict):
        return problems + ["evidence must be an object of criterion id -> list of sentences"]
    if set(evidence) != set(criteria):
        problems.append("evidence keys must be exactly the listed criteria"
                        f" (criteria without evidence: {sorted(set(criteria) - set(evidence))},"
                        f" evidence without criteria: {sorted(set(evidence) - set(criteria))})")
    for cid, sentences in evidence.items():
        if not isinstance(sentences, list) or not sentences or not all(
            isinstance(s, str) and s.strip() for s in sentences
        ):
            problems.append(f"evidence for {cid} must be a non-empty list of non-empty sentences")
    if not problems and isinstance(grade, int):
        if record["kind"] == "irrelevant" and grade != 0:
            problems.append("an irrelevant page is not about stem cells for MS, so its grade must be 0")
        red_flags = set(load_rubric().red_flags)
        if grade >= 2 and not red_flags & set(criteria):
            problems.append(f"grade {grade} needs at least one red flag with evidence")
    return problems


def check_corpus(corpus: Path) -> list[str]:
    """Every problem found in a corpus folder, each naming the page and the rule; empty when it is sound."""
    corpus = Path(corpus)
    problems: list[str] = []
    pages, claimed = _parse_labels(corpus, problems)
    problems += _file_problems(corpus, pages, claimed)
    pages = [p for p in pages if p.path.is_file()]
    problems += _evidence_problems(pages)
    problems += _split_problems(pages)
    problems += _near_duplicate_problems(pages)
    problems += _shared_sentence_problems(pages)
    return problems


def _file_problems(corpus: Path, pages: list[Page], claimed: set[str]) -> list[str]:
    problems = []
    ids = Counter(p.id for p in pages)
    problems += [f"{pid}: id used by {n} labels" for pid, n in sorted(ids.items()) if n > 1]
    for page in pages:
        if not page.path.is_file():
            problems.append(f"{page.id}: page file {page.file} does not exist")
    for path in sorted((corpus / "pages").glob("*")):
        if f"pages/{path.name}" not in claimed:
            problems.append(f"pages/{path.name}: page has no label in labels.jsonl")
    return problems


def _evidence_problems(pages: Iterable[Page]) -> list[str]:
    problems = []
    for page in pages:
        text = page.text
        if not text.strip():
            problems.append(f"{page.id}: page has no visible text")
        for markup in sorted(set(LABEL_MARKUP.findall(text))):
            problems.append(f"{page.id}: a writer's label markup is left in the visible text: {markup!r}")
        for cid, sentences in page.evidence.items():
            for sentence in sentences:
                if normalise(sentence) not in text:
                    problems.append(f"{page.id}: evidence for {cid} not found in the page's visible text: {sentence!r}")
    return problems


def _split_problems(pages: Iterable[Page]) -> list[str]:
    splits: dict[str, set[str]] = defaultdict(set)
    for page in pages:
        splits[page.site].add(page.split)
    return [f"site {site}: pages in several splits ({', '.join(sorted(s))}); a site belongs to one split"
            for site, s in sorted(splits.items()) if len(s) > 1]


def shingles(text: str, n: int = 5) -> set[int]:
    """Hashed word n-grams of a text, lower-cased."""
    words = _WORD.findall(text.lower())
    return {hash(tuple(words[i:i + n])) for i in range(max(len(words) - n + 1, 0))}


def _near_duplicate_problems(pages: list[Page]) -> list[str]:
    grams = {p.id: shingles(p.text) for p in pages}
    problems = []
    for a, b in combinations(pages, 2):
        ga, gb = grams[a.id], grams[b.id]
        if not ga or not gb:
            continue
        shared = len(ga & gb)
        if shared and shared / (len(ga) + len(gb) - shared) >= NEAR_DUPLICATE_JACCARD:
            problems.append(f"{a.id} and {b.id}: near-duplicates (they share most of their word 5-grams)")
    return problems


def long_sentence_sites(pages: Iterable[Page]) -> dict[str, set[str]]:
    """Sentences longer than the word limit, with the sites whose pages show them."""
    sites: dict[str, set[str]] = defaultdict(set)
    for page in pages:
        for sentence in split_sentences(page.text):
            if len(sentence.text.split()) > SHARED_SENTENCE_WORDS:
                sites[sentence.text].add(page.site)
    return sites


def _shared_sentence_problems(pages: list[Page]) -> list[str]:
    return [f"sentence on pages of {len(s)} sites ({', '.join(sorted(s))}); at most {SHARED_SENTENCE_SITES}"
            f" may share a sentence over {SHARED_SENTENCE_WORDS} words: {text!r}"
            for text, s in sorted(long_sentence_sites(pages).items()) if len(s) > SHARED_SENTENCE_SITES]


def corpus_figures(pages: list[Page]) -> dict:
    """The numbers the targets are judged on."""
    rubric = load_rubric()
    distinct = {s.text for p in pages for s in split_sentences(p.text)}
    return {
        "pages": len(pages),
        "sites": len({p.site for p in pages}),
        "distinct_sentences": len(distinct),
        "by_kind": Counter(p.kind for p in pages),
        "by_grade": Counter(p.grade for p in pages),
        "by_criterion": Counter(c for p in pages for c in p.criteria),
        "criteria": rubric.ids,
    }


def target_problems(figures: dict) -> list[str]:
    """Where the corpus falls short of the size and balance targets."""
    t = TARGETS
    problems = [f"{name}: {figures[name]} < {t[name]}" for name in ("pages", "sites", "distinct_sentences")
                if figures[name] < t[name]]
    problems += [f"kind {k}: {figures['by_kind'][k]} pages < {t['pages_per_kind']}" for k in KINDS
                 if figures["by_kind"][k] < t["pages_per_kind"]]
    problems += [f"grade {g}: {figures['by_grade'][g]} pages < {t['pages_per_grade']}" for g in range(4)
                 if figures["by_grade"][g] < t["pages_per_grade"]]
    problems += [f"criterion {c}: {figures['by_criterion'][c]} pages < {t['pages_per_criterion']}"
                 for c in figures["criteria"] if figures["by_criterion"][c] < t["pages_per_criterion"]]
    return problems


SECOND_PASS = "second_pass.jsonl"


def agreement(corpus: Path, pages: list[Page]) -> dict | None:
    """Agreement of the blind second-pass labels (``second_pass.jsonl``) with the corpus labels, or None."""
    path = Path(corpus) / SECOND_PASS
    if not path.is_file():
        return None
    from sklearn.metrics import cohen_kappa_score, f1_score

    first = {p.id: p for p in pages}
    second = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    pairs = [(first[s["id"]], s) for s in second if s["id"] in first]
    ids = load_rubric().ids
    a = [p.grade for p, _ in pairs]
    b = [s["grade"] for _, s in pairs]
    truth = [[c in p.criteria for c in ids] for p, _ in pairs]
    other = [[c in s["criteria"] for c in ids] for _, s in pairs]
    return {
        "pages": len(pairs),
        "share_of_corpus": round(len(pairs) / len(pages), 3) if pages else 0.0,
        "grade_exact": round(sum(x == y for x, y in zip(a, b)) / len(pairs), 3),
        "grade_within_one": round(sum(abs(x - y) <= 1 for x, y in zip(a, b)) / len(pairs), 3),
        "grade_quadratic_kappa": round(float(cohen_kappa_score(a, b, weights="quadratic")), 3),
        "applicable": round(sum((p.kind == "irrelevant") == (s["kind"] == "irrelevant") for p, s in pairs)
                            / len(pairs), 3),
        "kind": round(sum(p.kind == s["kind"] for p, s in pairs) / len(pairs), 3),
        "criteria_micro_f1": round(float(f1_score(truth, other, average="micro")), 3),
        "criteria_macro_f1": round(float(f1_score(truth, other, average="macro", zero_division=0)), 3),
    }


def _table(header: list[str], rows: list[list[object]]) -> str:
    cells = [header] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = ["  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths))) for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def corpus_stats(corpus: Path) -> str:
    """Distribution tables of a corpus folder, as text."""
    pages = load_pages(corpus)
    figures = corpus_figures(pages)
    rubric = load_rubric()
    out = [f"corpus: {corpus}", f"pages {figures['pages']}, sites {figures['sites']},"
           f" distinct sentences {figures['distinct_sentences']}", ""]

    grades = list(range(4))
    kind_rows = [[k, *(sum(1 for p in pages if p.kind == k and p.grade == g) for g in grades), figures["by_kind"][k]]
                 for k in KINDS]
    kind_rows.append(["total", *(figures["by_grade"][g] for g in grades), len(pages)])
    out += ["Pages by kind x grade", _table(["kind", *(f"grade {g}" for g in grades), "total"], kind_rows), ""]

    crit_rows = [[c.id, c.kind, figures["by_criterion"][c.id],
                  *(sum(1 for p in pages if p.split == s and c.id in p.criteria) for s in SPLITS),
                  sum(len(p.evidence.get(c.id, [])) for p in pages)] for c in rubric.criteria]
    out += ["Pages per criterion", _table(["criterion", "kind", "pages", *SPLITS, "evidence sentences"], crit_rows), ""]

    split_rows = [[s, sum(1 for p in pages if p.split == s), len({p.site for p in pages if p.split == s}),
                   *(sum(1 for p in pages if p.split == s and p.grade == g) for g in grades)] for s in SPLITS]
    out += ["Pages per split", _table(["split", "pages", "sites", *(f"grade {g}" for g in grades)], split_rows), ""]

    sizes = sorted(len(p.html) for p in pages) or [0]
    chars = sorted(len(p.text) for p in pages) or [0]
    size_rows = [[name, values[0], int(statistics.median(values)), values[-1]]
                 for name, values in (("HTML bytes", sizes), ("visible characters", chars))]
    buckets = Counter(_size_bucket(n) for n in sizes)
    out += ["Sizes", _table(["measure", "min", "median", "max"], size_rows),
            "HTML size buckets: " + ", ".join(f"{b}: {buckets[b]}" for b in _SIZE_BUCKETS), ""]

    shared = long_sentence_sites(pages)
    widest = max((len(s) for s in shared.values()), default=0)
    out += [f"Sentences over {SHARED_SENTENCE_WORDS} words: {len(shared)} distinct; most sites sharing one: {widest}", ""]
    second = agreement(corpus, pages)
    if second:
        out += [f"Blind second pass: {second['pages']} pages ({second['share_of_corpus']:.0%} of the corpus)",
                _table(["measure", "agreement"], [[k, v] for k, v in second.items() if k not in ("pages", "share_of_corpus")]),
                ""]
    missing = target_problems(figures)
    out.append("Targets: all met" if not missing else "Targets not met:\n  " + "\n  ".join(missing))
    return "\n".join(out)


_SIZE_BUCKETS = ("<10 KB", "10-50 KB", "50-200 KB", ">=200 KB")


def _size_bucket(size: int) -> str:
    for limit, name in zip((10_000, 50_000, 200_000), _SIZE_BUCKETS):
        if size < limit:
            return name
    return _SIZE_BUCKETS[-1]
