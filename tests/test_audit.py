"""`stemclaim audit`: folders, path lists, JSON Lines and WARC files (written here with warcio), every output,
resumption, the error file, escaping in the report, the Dask backend, and the report in Chromium."""

import csv
import io
import json
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from servers import ROOT, local_page
from model.artifact import read_manifest
from model.rubric import load_rubric
from service.cli import main

PAGES = Path(__file__).parent / "fixtures" / "pages"
CLINIC = (PAGES / "clinic_overclaim.html").read_bytes()
HOSPITAL = (PAGES / "hospital_careful.html").read_bytes()
HOSTILE = (PAGES / "hostile.html").read_bytes()


def write_warc(path: Path, gz: bool) -> None:
    """Two HTML 200 responses, a 404, an image, a revisit and a request record."""
    with path.open("wb") as stream:
        writer = WARCWriter(stream, gzip=gz)

        def response(url: str, body: bytes, status: str = "200 OK", media: str = "text/html; charset=utf-8"):
            headers = StatusAndHeaders(status, [("Content-Type", media)], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                                          http_headers=headers))

        response("https://warc-clinic.example/ms", CLINIC)
        response("https://warc-hostile.example/cure", HOSTILE)
        response("https://warc-clinic.example/missing", b"<p>not found</p>", status="404 Not Found")
        response("https://warc-clinic.example/logo.png", b"\x89PNG\r\n", media="image/png")
        writer.write_record(writer.create_revisit_record("https://warc-clinic.example/ms", "sha1:AAAA",
                                                         "https://warc-clinic.example/ms", "2026-11-01T00:00:00Z"))
        writer.write_record(writer.create_warc_record("https://warc-clinic.example/ms", "request",
                                                      payload=io.BytesIO(b"GET /ms HTTP/1.1\r\n\r\n")))


@pytest.fixture
def inputs(tmp_path) -> dict[str, Path]:
    folder = tmp_path / "saved"
    (folder / "deeper").mkdir(parents=True)
    (folder / "clinic.html").write_bytes(CLINIC)
    (folder / "deeper" / "hospital.htm").write_bytes(HOSPITAL)
    (folder / "notes.txt").write_text("not a page")
    (folder / "empty.html").write_bytes(b"   ")
    listing = tmp_path / "pages.txt"
    listing.write_text(f"{PAGES / 'hostile.html'}\nmissing-page.html\n")
    lines = tmp_path / "pages.jsonl"
    lines.write_text(json.dumps({"url": "https://jsonl.example/a?ref=x", "html": HOSPITAL.decode()}) + "\n{broken\n"
                     + json.dumps({"url": "https://jsonl.example/big", "html": "x" * 5_000_001}) + "\n")
    warc, warc_gz = tmp_path / "crawl.warc", tmp_path / "crawl.warc.gz"
    write_warc(warc, gz=False)
    write_warc(warc_gz, gz=True)
    return {"folder": folder, "listing": listing, "jsonl": lines, "warc": warc, "warc_gz": warc_gz}


def run(args: list[str]) -> int:
    return main(["audit", *map(str, args)])


def results(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]


@pytest.mark.slow
def test_every_input_kind_and_every_output(inputs, tmp_path, capsys):
    out = tmp_path / "out"
    code = run([inputs["folder"], inputs["listing"], inputs["jsonl"], inputs["warc"], inputs["warc_gz"], "--out", out,
                "--jobs", "2"])
    assert code == 1  # some records failed
    printed = capsys.readouterr().out
    assert "scored 8, failed 4" in printed and "revisit 2" in printed and "status 404 2" in printed
    assert "not html (image/png) 2" in printed

    rows = results(out)
    assert [r["key"].split("/")[-1] for r in rows[:2]] == ["clinic.html", "hospital.htm"]
    by_url = {r["url"]: r for r in rows if r["url"]}
    warc_row = by_url["https://warc-clinic.example/ms"]
    assert warc_row["level"] == "high" and warc_row["host"] == "warc-clinic.example"
    assert warc_row["source"]["warc"].endswith(("crawl.warc", "crawl.warc.gz")) and warc_row["source"]["record_id"].startswith("<urn:uuid:")
    assert warc_row["source"]["warc_date"] and warc_row["source"]["payload_digest"].startswith("sha1:")
    cure = next(h for h in warc_row["hits"] if h["id"] == "cure_claim")
    assert cure["evidence"] and warc_row["model_version"] and warc_row["rubric_version"] == "1"
    assert by_url["https://jsonl.example/a?ref=x"]["level"] == "low"

    errors = {json.loads(line)["key"].split("/")[-1]: json.loads(line)["error"]
              for line in (out / "errors.jsonl").read_text().splitlines()}
    assert errors["empty.html"] == "empty" and errors["missing-page.html"].startswith("unreadable")
    assert errors["pages.jsonl:2"] == "not valid JSON" and errors["pages.jsonl:3"].startswith("oversized")

    table = list(csv.DictReader((out / "results.csv").open()))
    assert len(table) == len(rows) == 8
    assert table[0]["key"] == rows[0]["key"] and "cure_claim:" in table[0]["evidence"]

    report = (out / "report.html").read_text()
    assert "8 pages scored; 4 records could not be scored" in report
    assert report.count("data:image/png;base64,") == 3
    assert "warc-clinic.example" in report and "Strongest quoted claims" in report
    # each quoted claim with how often the model that found it is right on real pages when it names that criterion
    record = read_manifest()["metrics"]["real"]["per_criterion"]["cure_claim"]["precision"]
    cure_title = next(c.title for c in load_rubric().criteria if c.id == "cure_claim")
    assert "<th>Right on real pages</th>" in report and f"<td>{100 * record:.0f}%</td><td>{cure_title}</td>" in report
    assert "<script>document.title" not in report and "&lt;script&gt;document.title" in report
    assert "<img src=x" not in report
    assert "src=\"http" not in report and "<link" not in report  # self-contained: nothing to fetch
    assert "<h2>Every page</h2>" in report and report.count('rel="noreferrer"') >= 4  # page URLs are links
    assert "Records that could not be scored" in report and "not valid JSON" in report
    assert "Written 20" in report and "pages.jsonl" in report and "crawl.warc.gz" in report  # run metadata


@pytest.mark.slow
def test_rerun_resumes_and_keeps_order(inputs, tmp_path):
    first, whole = tmp_path / "first", tmp_path / "whole"
    assert run([inputs["folder"], "--out", first, "--jobs", "1"]) == 1
    before = (first / "results.jsonl").read_text()
    assert run([inputs["folder"], inputs["warc"], "--out", first, "--jobs", "2"]) == 1
    after = (first / "results.jsonl").read_text()
    assert after.startswith(before) and len(after.splitlines()) == 4
    assert run([inputs["folder"], inputs["warc"], "--out", whole, "--jobs", "2"]) == 1
    strip = lambda text: [json.loads(line)["key"] for line in text.splitlines()]
    assert strip(after) == strip((whole / "results.jsonl").read_text())
    assert len((first / "errors.jsonl").read_text().splitlines()) == 1  # the empty page, not logged twice
    assert run([inputs["folder"], inputs["warc"], "--out", first]) == 1
    assert (first / "results.jsonl").read_text() == after


@pytest.mark.slow
def test_interrupted_line_is_scored_again(inputs, tmp_path):
    out = tmp_path / "out"
    run([inputs["folder"], "--out", out])
    lines = (out / "results.jsonl").read_text().splitlines()
    (out / "results.jsonl").write_text(lines[0] + "\n" + lines[1][: len(lines[1]) // 2])
    run([inputs["folder"], "--out", out])
    rows = results(out)  # every line parses again
    assert [r["key"] for r in rows] == [json.loads(line)["key"] for line in lines] and len(rows) == 2


def test_missing_input_is_a_clear_error(tmp_path, capsys):
    assert run([tmp_path / "nope", "--out", tmp_path / "out"]) == 2
    assert "no such file or folder" in capsys.readouterr().err


@pytest.mark.slow
def test_dask_backend_on_a_loopback_local_cluster(inputs, tmp_path):
    out, reference = tmp_path / "dask", tmp_path / "loky"
    assert run([inputs["warc"], inputs["folder"], "--out", out, "--backend", "dask", "--jobs", "1"]) == 1
    assert run([inputs["warc"], inputs["folder"], "--out", reference, "--jobs", "1"]) == 1
    assert [(r["key"], r["score"]) for r in results(out)] == [(r["key"], r["score"]) for r in results(reference)]


@pytest.mark.browser
def test_report_opens_in_chromium_and_is_screenshotted(inputs, tmp_path):
    out = tmp_path / "out"
    run([inputs["warc_gz"], inputs["jsonl"], "--out", out])  # pages with URLs, so no temporary paths show
    with local_page(out / "report.html") as (page, requests):
        assert page.locator("img").count() == 3
        assert all(page.evaluate(f"document.images[{i}].naturalWidth") > 0 for i in range(3))
        assert "&lt;script&gt;" not in page.inner_text("body") and "<script>document.title" in page.inner_text("body")
        assert page.title() == "stemclaim audit report"
        assert [u for u in requests if not u.startswith(("file:", "data:"))] == []
        (ROOT / "docs").mkdir(exist_ok=True)
        page.screenshot(path=str(ROOT / "docs" / "audit-report.png"), full_page=True)


@pytest.mark.slow
def test_audit_in_an_interactive_terminal_shows_progress_and_finishes(tmp_path):
    """On a terminal a progress bar is drawn; a bar with no known total must not break the run."""
    import os
    import pty
    import subprocess
    import sys

    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "clinic.html").write_bytes((ROOT / "tests" / "fixtures" / "pages" / "clinic_overclaim.html").read_bytes())
    out = tmp_path / "out"
    controller, terminal = pty.openpty()
    try:
        run = subprocess.run([sys.executable, "-m", "service.cli", "audit", str(pages), "--out", str(out), "--jobs", "1"],
                             stdin=terminal, stdout=terminal, stderr=terminal, timeout=300, cwd=ROOT)
        os.close(terminal)
        shown = b""
        while True:
            try:
                chunk = os.read(controller, 65536)
            except OSError:
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(controller)
    assert run.returncode == 0, shown.decode("utf-8", "replace")[-2000:]
    assert len((out / "results.jsonl").read_text("utf-8").splitlines()) == 1
    assert b"scored 1, failed 0" in shown
