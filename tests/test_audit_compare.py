"""`stemclaim audit compare`: two real audits of the same sites, six months apart, and what changed between them."""

import json
from pathlib import Path

import pytest

from servers import ROOT, local_page
from service.audit.compare import page_key
from service.cli import main

PAGES = Path(__file__).parent / "fixtures" / "pages"
CLINIC = (PAGES / "clinic_overclaim.html").read_text()
HOSPITAL = (PAGES / "hospital_careful.html").read_text()
TONED_DOWN = ("<h1>Stem cell therapy for MS</h1><p>Stem cell therapy for multiple sclerosis is investigational. "
              "Talk to your MS neurologist first; results vary and there are risks.</p>")
HOSTILE_CLAIM = ('<h1>Stem cells for MS</h1><p>Our stem cell treatment cures multiple sclerosis. We repair myelin '
                 '&lt;img src=x onerror=alert(1)&gt; in every patient.</p><script>document.title="pwned"</script>')


def audit(tmp_path: Path, name: str, pages: dict[str, str]) -> Path:
    lines = tmp_path / f"{name}.jsonl"
    lines.write_text("".join(json.dumps({"url": url, "html": html}) + "\n" for url, html in pages.items()))
    out = tmp_path / name
    assert main(["audit", str(lines), "--out", str(out), "--jobs", "1"]) == 0
    return out


@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("compare")
    before = audit(tmp_path, "june", {"https://www.clinic.example/ms/": CLINIC, "https://hospital.example/ms": HOSPITAL,
                                      "https://gone.example/ms": CLINIC})
    after = audit(tmp_path, "december", {"https://clinic.example/ms": TONED_DOWN,
                                         "https://hospital.example/ms": HOSPITAL,
                                         "https://new.example/ms": HOSTILE_CLAIM})
    out = tmp_path / "changes"
    assert main(["audit", "compare", str(before), str(after), "--out", str(out)]) == 0
    changes = {c["page"]: c for c in map(json.loads, (out / "changes.jsonl").read_text("utf-8").splitlines())}
    return out, changes


@pytest.mark.slow
def test_compare_finds_each_kind_of_change_and_quotes_the_claims(compared):
    _, changes = compared
    assert set(changes) == {"clinic.example/ms", "hospital.example/ms", "gone.example/ms", "new.example/ms"}
    clinic = changes["clinic.example/ms"]  # matched across www., a trailing slash and two captures
    assert clinic["change"] == "level_changed" and clinic["old"]["level"] == "high" and clinic["new"]["level"] != "high"
    assert clinic["score_change"] < 0 and clinic["claims_removed"] and not clinic["claims_added"]
    assert {"cure_claim"} <= {c["id"] for c in clinic["claims_removed"]}
    assert all(c["quote"] in CLINIC.replace("&amp;", "&") or c["quote"] == "" for c in clinic["claims_removed"])
    assert changes["hospital.example/ms"]["change"] == "unchanged"
    assert changes["gone.example/ms"]["change"] == "disappeared" and changes["gone.example/ms"]["new"] is None
    new = changes["new.example/ms"]
    assert new["change"] == "appeared" and new["old"] is None and "cure_claim" in {c["id"] for c in new["claims_added"]}


@pytest.mark.slow
def test_compare_refuses_a_folder_that_is_not_an_audit(compared, tmp_path, capsys):
    out, _ = compared
    assert main(["audit", "compare", str(tmp_path), str(out), "--out", str(tmp_path / "x")]) == 2
    assert "is not an audit folder" in capsys.readouterr().err


def test_pages_match_by_url_without_scheme_www_or_trailing_slash_else_by_file_name():
    def row(url, path=None):
        return {"url": url, "key": "k", "source": {"path": path} if path else {}}

    assert page_key(row("https://www.Clinic.example/ms/")) == page_key(row("http://clinic.example/ms"))
    assert page_key(row("https://clinic.example/ms")) != page_key(row("https://clinic.example/ms/price"))
    assert page_key(row(None, "/audits/june/pages/clinic.html")) == page_key(row(None, "/december/clinic.html"))


@pytest.mark.browser
def test_the_comparison_opens_in_chromium_escaped_and_self_contained(compared):
    out, _ = compared
    with local_page(out / "compare.html") as (page, requests):
        assert page.title() != "pwned" and page.locator("img").count() == 0
        text = page.inner_text("body")
        assert "<img src=x onerror=alert(1)>" in text  # the page's own words, shown as text
        assert "level changed" in text and "appeared" in text and "disappeared" in text
        assert [u for u in requests if not u.startswith("file:")] == []
        page.screenshot(path=str(ROOT / "docs" / "audit-compare.png"), full_page=True)
