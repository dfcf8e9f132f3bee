"""The committed real-page development set (`training/external/`): its files agree with each other, and hold URLs
and labels only, never a page's text."""

import json
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from model.rubric import load_rubric
from training.corpus import KINDS
from training.external import agreement, merge, read_jsonl

ROOT = Path(__file__).resolve().parent.parent
SET = ROOT / "training" / "external"


def _address(url: str) -> str:
    parts = urlsplit(url)
    return f"{(parts.hostname or '').removeprefix('www.')}{parts.path.rstrip('/')}?{parts.query}"


@pytest.fixture(scope="module")
def files() -> dict[str, list[dict]]:
    return {name: read_jsonl(SET / f"{name}.jsonl") for name in ("sources", "labels-a", "labels-b", "labels")}


def test_every_page_has_one_source_line_with_its_url_kind_and_query(files):
    sources = files["sources"]
    ids = [s["id"] for s in sources]
    assert len(ids) == len(set(ids))
    assert all(s["url"].startswith(("http://", "https://")) and s["kind"] in KINDS and s["query"] for s in sources)
    addresses = [_address(s["url"]) for s in sources]
    assert len(addresses) == len(set(addresses)), "a page is in the set twice"


def test_both_passes_label_every_page_with_rubric_ids(files):
    ids, known = [s["id"] for s in files["sources"]], set(load_rubric().ids)
    for name in ("labels-a", "labels-b"):
        labels = files[name]
        assert [x["id"] for x in labels] == ids, f"{name} does not list the pages in sources.jsonl, in its order"
        for x in labels:
            assert x["grade"] in (0, 1, 2, 3) and isinstance(x["applicable"], bool), x["id"]
            assert set(x["criteria"]) <= known, x["id"]
            assert x["applicable"] or x["grade"] == 0, f"{x['id']}: a page not about stem cells for MS is grade 0"


def test_merged_labels_and_agreement_are_what_the_two_passes_give(files):
    assert files["labels"] == merge(files["labels-a"], files["labels-b"])
    assert json.loads((SET / "agreement.json").read_text("utf-8")) == agreement(files["labels-a"], files["labels-b"])


def test_no_page_text_is_committed(files):
    assert not any({"text", "html"} & record.keys() for records in files.values() for record in records)
    tracked = subprocess.run(["git", "ls-files", "training/external"], cwd=ROOT, capture_output=True, text=True)
    if tracked.returncode:
        pytest.skip("not a git checkout")
    assert tracked.stdout and not [f for f in tracked.stdout.split() if f.startswith("training/external/texts/")]
