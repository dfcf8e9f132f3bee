"""`stemclaim corpus check` catches each broken rule on a small corpus, naming the page and the problem."""

import json
from pathlib import Path

import pytest

from service.cli import main
from training.corpus import check_corpus

TOPICS = ["knee cartilage", "myelin repair", "relapse rates", "travel packages", "trial enrolment", "fatigue"]


def page_html(n: int, extra: str = "") -> str:
    topic = TOPICS[n % len(TOPICS)]
    body = " ".join(f"Paragraph {n}-{i} talks about {topic} number {i * 7 + n}." for i in range(12))
    return f"<html><body><h1>Page {n} on {topic}</h1><p>Our cells repair myelin in page {n}.</p><p>{body}</p>{extra}</body></html>"


def label(n: int, **changes) -> dict:
    record = {
        "id": f"site{n}-01", "file": f"pages/site{n}-01.html", "site": f"site{n}", "kind": "clinic_ad",
        "grade": 2, "split": "train", "criteria": ["cure_claim"],
        "evidence": {"cure_claim": [f"Our cells repair myelin in page {n}."]},
    }
    record.update(changes)
    return record


def write_corpus(root: Path, labels: list[dict], pages: dict[str, str]) -> Path:
    (root / "pages").mkdir(parents=True)
    for name, html in pages.items():
        (root / "pages" / name).write_text(html, "utf-8")
    (root / "labels.jsonl").write_text("".join(json.dumps(r) + "\n" for r in labels), "utf-8")
    return root


@pytest.fixture
def good(tmp_path):
    labels = [label(n) for n in range(5)]
    pages = {f"site{n}-01.html": page_html(n) for n in range(5)}
    return labels, pages, tmp_path / "corpus"


def only_problem(problems: list[str], *fragments: str) -> None:
    assert len(problems) == 1, problems
    for fragment in fragments:
        assert fragment in problems[0], problems[0]


def test_a_sound_corpus_passes(good, capsys):
    labels, pages, root = good
    write_corpus(root, labels, pages)
    assert check_corpus(root) == []
    assert main(["corpus", "check", "--corpus", str(root)]) == 0
    assert "corpus ok" in capsys.readouterr().out


def test_invalid_json_line(good):
    labels, pages, root = good
    write_corpus(root, labels, pages)
    with (root / "labels.jsonl").open("a") as f:
        f.write("{not json\n")
    only_problem(check_corpus(root), "labels.jsonl:6", "not valid JSON")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"kind": "advert"}, "unknown kind 'advert'"),
        ({"split": "holdout"}, "unknown split 'holdout'"),
        ({"grade": 4}, "grade must be an integer 0-3"),
        ({"grade": True}, "grade must be an integer 0-3"),
        ({"criteria": ["cure_claim", "miracle_claim"], "evidence": {"cure_claim": ["x"], "miracle_claim": ["y"]}},
         "unknown criterion id(s): miracle_claim"),
        ({"criteria": ["cure_claim", "cure_all"]}, "evidence keys must be exactly the listed criteria"),
        ({"evidence": {"cure_claim": []}}, "evidence for cure_claim must be a non-empty list"),
        ({"file": "pages/other.html"}, "file must be 'pages/site0-01.html'"),
        ({"id": "Site0_01", "file": "pages/Site0_01.html"}, "must be lowercase letters"),
        ({"kind": "irrelevant"}, "irrelevant page is not about stem cells for MS"),
        ({"criteria": ["cites_evidence"], "evidence": {"cites_evidence": ["Our cells repair myelin in page 0."]}},
         "grade 2 needs at least one red flag"),
    ],
)
def test_schema_rules(good, changes, message):
    labels, pages, root = good
    labels[0] = label(0, **changes)
    if "id" in changes:
        pages[f"{changes['id']}.html"] = pages.pop("site0-01.html")
    write_corpus(root, labels, pages)
    only_problem(check_corpus(root), "labels.jsonl:1", message)


def test_missing_and_extra_fields(good):
    labels, pages, root = good
    del labels[0]["site"]
    labels[1]["notes"] = "x"
    write_corpus(root, labels, pages)
    problems = check_corpus(root)
    assert any("labels.jsonl:1" in p and "missing site" in p for p in problems), problems
    assert any("labels.jsonl:2" in p and "unexpected notes" in p for p in problems), problems


def test_evidence_must_be_in_visible_text(good):
    labels, pages, root = good
    pages["site1-01.html"] = page_html(1).replace("<p>Our cells", "<script>Our cells").replace(
        "page 1.</p>", "page 1.</script>", 1)
    write_corpus(root, labels, pages)
    only_problem(check_corpus(root), "site1-01", "evidence for cure_claim not found")


def test_a_writers_label_markup_left_in_the_page(good):
    labels, pages, root = good
    pages["site2-01.html"] = page_html(2, "<p>{comm|Enrol this week for a free kit.}</p>")
    write_corpus(root, labels, pages)
    only_problem(check_corpus(root), "site2-01", "label markup", "{comm|Enrol this week for a free kit.}")


def test_missing_page_file_and_unlabelled_page(good):
    labels, pages, root = good
    del pages["site2-01.html"]
    pages["stray-01.html"] = page_html(9)
    write_corpus(root, labels, pages)
    problems = check_corpus(root)
    assert any("site2-01: page file pages/site2-01.html does not exist" in p for p in problems), problems
    assert any("pages/stray-01.html: page has no label" in p for p in problems), problems


def test_duplicate_id(good):
    labels, pages, root = good
    labels.append(label(0))
    write_corpus(root, labels, pages)
    assert any("site0-01: id used by 2 labels" in p for p in check_corpus(root))


def test_site_in_two_splits(good):
    labels, pages, root = good
    labels.append(label(0, id="site0-02", file="pages/site0-02.html", split="test",
                        evidence={"cure_claim": ["Our cells repair myelin in page 5."]}))
    pages["site0-02.html"] = page_html(5)
    write_corpus(root, labels, pages)
    only_problem(check_corpus(root), "site site0", "several splits")


def test_near_duplicate_pages(good):
    labels, pages, root = good
    pages["site1-01.html"] = page_html(0).replace("page 0.</p>", "page 0.</p><p>Our cells repair myelin in page 1.</p>", 1)
    write_corpus(root, labels, pages)
    only_problem(check_corpus(root), "site0-01 and site1-01", "near-duplicates")


def test_long_sentence_on_more_than_three_sites(good):
    labels, pages, root = good
    shared = "<p>We use cookies to give you the best possible experience on this website.</p>"
    for n in range(4):
        pages[f"site{n}-01.html"] = page_html(n, shared)
    write_corpus(root, labels, pages)
    only_problem(check_corpus(root), "sentence on pages of 4 sites", "We use cookies")


def test_cli_names_problems_and_exits_non_zero(good, capsys):
    labels, pages, root = good
    labels[0] = label(0, kind="advert")
    write_corpus(root, labels, pages)
    assert main(["corpus", "check", "--corpus", str(root)]) == 1
    err = capsys.readouterr().err
    assert "site0-01" in err and "unknown kind" in err and "1 problem(s)" in err


def test_cli_reports_a_missing_label_file(tmp_path, capsys):
    assert main(["corpus", "check", "--corpus", str(tmp_path)]) == 1
    assert "labels.jsonl: cannot read" in capsys.readouterr().err
