"""`stemclaim audit`: score many saved pages or WARC records in parallel, resumably, into citable outputs."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from urllib.parse import urlsplit

from joblib import Parallel, delayed, parallel_config

from service.audit_sources import Record, Skipped, read_inputs

CHUNK = 32
RESULTS, ERRORS, CSV_FILE, REPORT = "results.jsonl", "errors.jsonl", "results.csv", "report.html"
CSV_FIELDS = ("key", "path", "warc", "record_id", "warc_date", "payload_digest", "url", "host", "score", "grade",
              "level", "applicable", "hit_criteria", "evidence", "model_version", "rubric_version")


@dataclass
class Summary:
    scored: int
    failed: int
    already_done: int
    skipped: dict[str, int]


def score_chunk(records: list[Record]) -> list[dict]:
    """Score a chunk in a worker; the model is loaded once per worker process (on its first chunk)."""
    from model.assessment import NotTextError, default_assessor

    assessor = default_assessor()
    out = []
    # scikit-learn's own joblib calls run here, in this worker: never handed back to a Dask cluster.
    with parallel_config(backend="sequential"):
        for record in records:
            try:
                assessment = assessor.assess(record.html, record.url)
            except NotTextError as exc:
                out.append({"key": record.key, "source": record.source, "url": record.url, "error": str(exc)})
                continue
            out.append(result_row(record, assessment.to_dict()))
    return out


def result_row(record: Record, assessment: dict) -> dict:
    host = (urlsplit(record.url).hostname or "") if record.url else ""
    hits = [{"id": c["id"], "kind": c["kind"], "title": c["title"], "probability": c["probability"],
             "evidence": [e["text"] for e in c["evidence"]]} for c in assessment["criteria"] if c["hit"]]
    model = assessment["model"]
    return {"key": record.key, "source": record.source, "url": record.url, "host": host, "score": assessment["score"],
            "grade": assessment["grade"], "level": assessment["level"], "applicable": assessment["applicable"],
            "hits": hits, "model_version": model["version"], "model_sha256": model["sha256"],
            "rubric_version": model["rubric_version"]}


def _done_keys(out: Path) -> set[str]:
    """Keys already written by an earlier run; a last line cut short by an interruption is dropped (and redone)."""
    keys = set()
    for name in (RESULTS, ERRORS):
        path = out / name
        if not path.exists():
            continue
        data = path.read_bytes()
        if data and not data.endswith(b"\n"):
            data = data[: data.rfind(b"\n") + 1]
            path.write_bytes(data)
        for line in data.decode("utf-8").splitlines():
            keys.add(json.loads(line)["key"])
    return keys


def _chunks(records: Iterable[Record], size: int) -> Iterator[list[Record]]:
    iterator = iter(records)
    while chunk := list(islice(iterator, size)):
        yield chunk


@contextmanager
def _backend(backend: str, scheduler: str | None, jobs: int):
    if backend == "loky":
        with parallel_config(backend="loky", n_jobs=jobs):
            yield
        return
    from dask.distributed import Client, LocalCluster

    if scheduler:
        client, cluster = Client(scheduler), None
    else:
        workers = jobs if jobs > 0 else None
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, host="127.0.0.1", dashboard_address=None,
                               processes=True)
        client = Client(cluster)
    try:
        with parallel_config(backend="dask", n_jobs=-1):
            yield
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _progress(total_hint: int | None):
    if sys.stderr.isatty():
        from tqdm import tqdm

        return tqdm(total=total_hint, unit="page", dynamic_ncols=True, file=sys.stderr)
    return None


def run_audit(inputs: list[str], out: Path, jobs: int = -1, backend: str = "loky", scheduler: str | None = None,
              chunk: int = CHUNK) -> Summary:
    """Score every new record of ``inputs`` into ``out``; records already there (from an earlier run) are skipped."""
    out.mkdir(parents=True, exist_ok=True)
    done = _done_keys(out)
    skipped = Skipped()
    already = 0
    scored = failed = 0

    def pending() -> Iterator[Record]:
        nonlocal already
        for record in read_inputs(inputs, skipped):
            if record.key in done:
                already += 1
                continue
            done.add(record.key)
            yield record

    bar = _progress(None)
    with _backend(backend, scheduler, jobs), (out / RESULTS).open("a", encoding="utf-8") as results, \
            (out / ERRORS).open("a", encoding="utf-8") as errors, (nullcontext() if bar is None else bar):
        parallel = Parallel(return_as="generator")
        for rows in parallel(delayed(_score_or_fail)(c) for c in _chunks(pending(), chunk)):
            for row in rows:
                target = errors if "error" in row else results
                target.write(json.dumps(row, ensure_ascii=False) + "\n")
                failed += "error" in row
                scored += "error" not in row
            results.flush()
            errors.flush()
            if bar is not None:
                bar.update(len(rows))
    write_csv(out)
    from service.audit_report import write_report

    write_report(out, skipped.counts)
    return Summary(scored, failed, already, dict(skipped.counts))


def _score_or_fail(records: list[Record]) -> list[dict]:
    """Records that failed while reading are passed through as errors; the others are scored."""
    bad = {r.key: {"key": r.key, "source": r.source, "url": r.url, "error": r.error} for r in records if r.error}
    scored = iter(score_chunk([r for r in records if not r.error]))
    return [bad[r.key] if r.key in bad else next(scored) for r in records]


def read_results(out: Path) -> list[dict]:
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
    from service.store import safe_cell

    with (out / CSV_FILE).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_FIELDS)
        for row in read_results(out):
            source = row["source"]
            flat = {**row, **{k: source.get(k, "") for k in ("path", "warc", "record_id", "warc_date",
                                                              "payload_digest")},
                    "hit_criteria": ";".join(h["id"] for h in row["hits"]),
                    "evidence": " | ".join(f"{h['id']}: {h['evidence'][0]}" for h in row["hits"] if h["evidence"])}
            writer.writerow([safe_cell("" if flat.get(f) is None else flat[f]) for f in CSV_FIELDS])
