"""`stemclaim audit`: score many saved pages or WARC records in parallel, resumably, into citable outputs."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from joblib import Parallel, delayed, parallel_config

from service.audit.outputs import ERRORS, RESULTS, result_row, write_csv
from service.audit.report import write_report
from service.audit.sources import Record, Skipped, read_inputs

CHUNK = 32


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
    for record in records:
        try:
            assessment = assessor.assess(record.html, record.url)
        except NotTextError as exc:
            out.append({"key": record.key, "source": record.source, "url": record.url, "error": str(exc)})
            continue
        out.append(result_row(record, assessment.to_dict()))
    return out


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
    skipped = Skipped()
    records = read_inputs(inputs, skipped, out)  # checks every input before anything is written
    out.mkdir(parents=True, exist_ok=True)
    done = _done_keys(out)
    already = 0
    scored = failed = 0

    def pending() -> Iterator[Record]:
        nonlocal already
        for record in records:
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
    write_report(out, skipped.counts, inputs)
    return Summary(scored, failed, already, dict(skipped.counts))


def _score_or_fail(records: list[Record]) -> list[dict]:
    """Records that failed while reading are passed through as errors; the others are scored."""
    bad = {r.key: {"key": r.key, "source": r.source, "url": r.url, "error": r.error} for r in records if r.error}
    scored = iter(score_chunk([r for r in records if not r.error]))
    return [bad[r.key] if r.key in bad else next(scored) for r in records]
