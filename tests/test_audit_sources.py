"""What the audit reads, and what it refuses to read: FIFOs, huge files, links out of a folder, the same file twice,
its own output, WARC records with missing or repeated ids."""

import io
import os
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from servers import ROOT
from service.audit.sources import InputError, Skipped, read_inputs

PAGE = b"<html><body><p>Stem cell therapy for multiple sclerosis.</p></body></html>"


def keys(inputs, skipped=None, out=None) -> list[str]:
    return [r.key for r in read_inputs([str(i) for i in inputs], skipped or Skipped(), out)]


def test_a_fifo_is_refused_not_waited_on(tmp_path):
    folder = tmp_path / "saved"
    folder.mkdir()
    (folder / "page.html").write_bytes(PAGE)
    os.mkfifo(folder / "pipe.html")
    out = tmp_path / "out"
    # in a subprocess with a deadline: reading a FIFO with no writer would block for ever
    run = subprocess.run([sys.executable, "-m", "service.cli", "audit", str(folder), "--out", str(out), "--jobs", "1"],
                         cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert run.returncode == 1, run.stderr
    assert '"error": "not a regular file"' in (out / "errors.jsonl").read_text()


def test_an_oversized_file_is_refused_without_being_read(tmp_path):
    huge = tmp_path / "huge.html"
    with huge.open("wb") as handle:
        handle.truncate(50_000_000)  # sparse: no disk used
    tracemalloc.start()
    try:
        records = list(read_inputs([str(huge)], Skipped()))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert records[0].error.startswith("oversized: 50000000 bytes")
    assert peak < 10_000_000


def test_a_link_out_of_the_folder_is_not_followed(tmp_path):
    folder, elsewhere = tmp_path / "saved", tmp_path / "private"
    folder.mkdir()
    elsewhere.mkdir()
    (folder / "page.html").write_bytes(PAGE)
    (elsewhere / "secret.html").write_bytes(PAGE)
    (folder / "linked.html").symlink_to(elsewhere / "secret.html")
    skipped = Skipped()
    assert [Path(k).name for k in keys([folder], skipped)] == ["page.html"]
    assert skipped.counts["link outside the folder"] == 1


def test_one_file_named_twice_is_read_once(tmp_path, monkeypatch):
    (tmp_path / "page.html").write_bytes(PAGE)
    listing = tmp_path / "list.txt"
    listing.write_text("page.html\n")
    monkeypatch.chdir(tmp_path)
    skipped = Skipped()
    assert len(keys([tmp_path / "page.html", "page.html", listing, tmp_path], skipped)) == 1
    assert skipped.counts["named twice"] == 3


def test_an_output_folder_inside_an_input_folder_is_refused(tmp_path):
    (tmp_path / "page.html").write_bytes(PAGE)
    with pytest.raises(InputError, match="inside the input folder"):
        keys([tmp_path], out=tmp_path / "audit")
    assert not (tmp_path / "audit").exists()


@pytest.mark.parametrize("record_id", [None, "<urn:uuid:00000000-0000-0000-0000-000000000000>"])
def test_warc_records_are_keyed_by_offset_not_by_id(tmp_path, record_id):
    """Records with no WARC-Record-ID, or all with the same one, are each scored."""
    warc = tmp_path / "crawl.warc"
    with warc.open("wb") as stream:
        writer = WARCWriter(stream, gzip=False)
        for n in range(3):
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
            record = writer.create_warc_record(f"https://same-id.example/{n}", "response",
                                               payload=io.BytesIO(PAGE), http_headers=headers)
            if record_id is None:
                record.rec_headers.remove_header("WARC-Record-ID")
            else:
                record.rec_headers.replace_header("WARC-Record-ID", record_id)
            writer.write_record(record)
    found = keys([warc])
    assert len(found) == len(set(found)) == 3


def test_a_saved_page_names_its_own_address(tmp_path):
    pages = {
        "saved.html": b"<!-- saved from url=(0035)https://clinic.example/ms-stem-cells -->\n" + PAGE,
        "canonical.html": b'<html><head><link rel="canonical" href="https://clinic.example/canon?a=1&amp;b=2">'
                          b"</head><body><p>x</p></body></html>",
        "og.html": b'<html><head><meta property="og:url" content="https://clinic.example/og"></head><body>x</body></html>',
        "local.html": b'<html><head><link rel="canonical" href="javascript:alert(1)"></head><body>x</body></html>',
    }
    for name, data in pages.items():
        (tmp_path / name).write_bytes(data)
    urls = {Path(r.key).name: r.url for r in read_inputs([str(tmp_path)], Skipped())}
    assert urls == {"canonical.html": "https://clinic.example/canon?a=1&b=2", "local.html": None,
                    "og.html": "https://clinic.example/og", "saved.html": "https://clinic.example/ms-stem-cells"}


def test_jsonl_records_with_a_non_web_url_are_refused_with_a_reason(tmp_path):
    lines = tmp_path / "pages.jsonl"
    lines.write_text('{"url": "javascript:alert(1)", "html": "<p>x</p>"}\n{"url": "file:///etc/passwd", "html": "x"}\n'
                     '{"url": 7, "html": "x"}\n{"url": "https://ok.example/", "html": "<p>x</p>"}\n')
    records = list(read_inputs([str(lines)], Skipped()))
    assert [r.error for r in records[:3]] == ['"url" must be an absolute http or https URL'] * 3
    assert records[3].error is None and records[3].url == "https://ok.example/"
