"""Tabular exports shared by the report store and the audit: hits flattened once, cells safe in a spreadsheet."""

from __future__ import annotations

import csv
import io


def hit_evidence(criteria: list[dict]) -> dict[str, str]:
    """Each hit criterion of an ``Assessment.to_dict()`` with its first quoted sentence ("" if it has none), in order."""
    return {c["id"]: c["evidence"][0]["text"] if c["evidence"] else "" for c in criteria if c["hit"]}


def flat_hits(evidence: dict[str, str]) -> dict[str, str]:
    """The ``hit_criteria`` and ``evidence`` cells of a CSV row."""
    return {"hit_criteria": ";".join(evidence),
            "evidence": " | ".join(f"{k}: {v}" for k, v in evidence.items() if v)}


def safe_cell(value) -> str:
    """A CSV cell; text that a spreadsheet would run as a formula is prefixed with an apostrophe."""
    text = "" if value is None else value if isinstance(value, str) else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_line(fields: tuple[str, ...], row: dict | None = None) -> str:
    """One CSV line: the header when ``row`` is None, else the row's ``fields`` as safe cells."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow(fields if row is None else [safe_cell(row.get(f)) for f in fields])
    return buffer.getvalue()
