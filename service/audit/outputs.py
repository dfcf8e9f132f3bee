"""The audit's output files: one JSON line per scored record, one per failure, and the same results as CSV."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

from service.audit.sources import Record
from service.export import csv_line, flat_hits

RESULTS, ERRORS, CSV_FILE, REPORT = "results.jsonl", "errors.jsonl", "results.csv", "report.html"
CSV_FIELDS = ("key", "path", "warc", "record_id", "warc_date", "payload_digest", "url", "host", "score", "grade",
              "level", "applicable", "hit_criteria", "evidence", "model_version", "rubric_version")
SOURCE_FIELDS = ("path", "warc", "record_id", "warc_date", "payload_digest")


def result_row(record: Record, assessment: dict) -> dict:
    """One ``results.jsonl`` line: the record's key, source and URL, and its assessment with only the hits kept."""
    host = (urlsplit(record.url).hostname or "") if record.url else ""
    hits = [{"id": c["id"], "kind": c["kind"], "title": c["title"], "probability": c["probability"],
             "evidence": [e["text"] for e in c["evidence"]]} for c in assessment["criteria"] if c["hit"]]
    model = assessment["model"]
    return {"key": record.key, "source": record.source, "url": record.url, "host": host, "score": assessment["score"],
            "grade": assessment["grade"], "level": assessment["level"], "applicable": assessment["applicable"],
            "hits": hits, "model_version": model["version"], "model_sha256": model["sha256"],
            "rubric_version": model["rubric_version"]}


def read_results(out: Path) -> list[dict]:
    """The scored records written so far (a line cut short by an interruption is left out)."""
    path = out / RESULTS
    if not path.exists():
        return []
    rows = []
    for line in path.read_text("utf-8").splitlines():
        try:
            rows.append(json.loads(line))
        except ValueError:
            continue
    return rows


def write_csv(out: Path) -> None:
    """``results.csv`` from ``results.jsonl``: one row per scored record, hits flattened as in the report export."""
    with (out / CSV_FILE).open("w", encoding="utf-8", newline="") as handle:
        handle.write(csv_line(CSV_FIELDS))
        for row in read_results(out):
            evidence = {h["id"]: h["evidence"][0] if h["evidence"] else "" for h in row["hits"]}
            source = {k: row["source"].get(k, "") for k in SOURCE_FIELDS}
            handle.write(csv_line(CSV_FIELDS, {**row, **source, **flat_hits(evidence)}))
