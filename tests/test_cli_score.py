"""`stemclaim score`: text and JSON output, standard input, and unreadable files."""

import io
import json
import sys
from pathlib import Path

import pytest

from service.cli import main

FIXTURES = Path(__file__).parent / "fixtures" / "pages"
CLINIC = str(FIXTURES / "clinic_overclaim.html")
HOSPITAL = str(FIXTURES / "hospital_careful.html")


def test_text_format_shows_level_score_and_evidence(capsys):
    assert main(["score", CLINIC]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{CLINIC}: high (score ")
    assert "! cure_claim" in out and '"' in out


def test_json_format_prints_one_assessment_per_line(capsys):
    assert main(["score", "--format", "json", CLINIC, HOSPITAL]) == 0
    lines = capsys.readouterr().out.strip().split("\n")
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert first["path"] == CLINIC and first["level"] == "high"
    assert second["path"] == HOSPITAL and second["level"] == "low"


def test_standard_input(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(Path(CLINIC).read_bytes())))
    assert main(["score", "--format", "json", "-"]) == 0
    assert json.loads(capsys.readouterr().out)["level"] == "high"


def test_missing_file_is_reported_and_the_others_still_scored(capsys, tmp_path):
    missing = str(tmp_path / "nope.html")
    assert main(["score", missing, HOSPITAL]) == 2
    captured = capsys.readouterr()
    assert f"cannot read {missing}" in captured.err
    assert f"{HOSPITAL}: low" in captured.out


def test_directory_and_binary_files_are_errors(capsys, tmp_path):
    binary = tmp_path / "image.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64)
    assert main(["score", str(tmp_path), str(binary), HOSPITAL]) == 2
    captured = capsys.readouterr()
    assert f"cannot read {tmp_path}" in captured.err
    assert "binary data" in captured.err
    assert f"{HOSPITAL}: low" in captured.out


def test_a_url_is_not_fetched_and_the_message_says_how_to_pipe_it(capsys):
    assert main(["score", "https://clinic.example/ms"]) == 2
    err = capsys.readouterr().err
    assert "does not fetch pages" in err and "curl -sL 'https://clinic.example/ms' | stemclaim score -" in err


def test_version_and_help(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0 and capsys.readouterr().out.startswith("stemclaim ")
    with pytest.raises(SystemExit):
        main(["audit", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "--backend" in help_text and "a Dask cluster" in help_text and "``" not in help_text
