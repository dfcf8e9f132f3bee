"""The audit's `report.html`: one self-contained file (charts embedded as PNG), every page-derived text escaped."""

from __future__ import annotations

import base64
import io
import statistics
from collections import Counter, defaultdict
import json
from datetime import datetime, timezone
from html import escape
from pathlib import Path
from urllib.parse import urlsplit

from model.artifact import read_manifest
from model.rubric import LEVELS, load_rubric
from service.audit.outputs import ERRORS, REPORT, read_results
from service.scoring.reliability import precision_by_criterion
from service.settings import stemclaim_version


def _png(figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def charts(rows: list[dict]) -> dict[str, str]:
    """The three charts as data URLs: pages by level, score histogram, criterion hit counts."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    levels = Counter(r["level"] for r in rows)
    out = {}
    figure, axis = plt.subplots(figsize=(5, 2.6))
    axis.bar([l.replace("_", " ") for l in LEVELS], [levels[l] for l in LEVELS],
             color=[load_rubric().level_colours[l] for l in LEVELS])
    axis.set_ylabel("pages")
    axis.yaxis.set_major_locator(MaxNLocator(integer=True))
    axis.set_title("Pages by level")
    out["levels"] = _png(figure)
    plt.close(figure)

    figure, axis = plt.subplots(figsize=(5, 2.6))
    axis.hist([r["score"] for r in rows if r["applicable"]], bins=20, range=(0, 100), color="#12686e")
    axis.set_xlabel("score (pages about stem cells for MS)")
    axis.set_ylabel("pages")
    axis.yaxis.set_major_locator(MaxNLocator(integer=True))
    axis.set_title("Scores")
    out["scores"] = _png(figure)
    plt.close(figure)

    rubric = load_rubric()
    counts = Counter(h["id"] for r in rows if r["applicable"] for h in r["hits"])
    titles = [c.title for c in rubric.criteria][::-1]
    figure, axis = plt.subplots(figsize=(6.5, 4.2))
    axis.barh(titles, [counts[c.id] for c in rubric.criteria][::-1],
              color=["#b3261e" if c.kind == "red_flag" else "#2e7d32" for c in rubric.criteria][::-1])
    axis.set_xlabel("pages")
    axis.xaxis.set_major_locator(MaxNLocator(integer=True))
    axis.set_title("How often each criterion is hit (red flags red, mitigating green)")
    out["criteria"] = _png(figure)
    plt.close(figure)
    return out


def _host_rows(rows: list[dict]) -> list[tuple]:
    hosts = defaultdict(list)
    for row in rows:
        hosts[row["host"] or "(no URL)"].append(row)
    table = []
    for host, pages in hosts.items():
        worst = max(pages, key=lambda r: r["score"])
        table.append((host, len(pages), statistics.median(r["score"] for r in pages), worst))
    return sorted(table, key=lambda t: (-t[2], t[0]))


def _strongest_claims(rows: list[dict], n: int = 25, per_page: int = 3) -> list[tuple]:
    """The strongest quoted red flags across pages, at most ``per_page`` from one page so that a single page with
    many claims does not crowd the others out."""
    claims = []
    for row in rows:
        if row["applicable"]:
            hits = sorted((h for h in row["hits"] if h["kind"] == "red_flag" and h["evidence"]),
                          key=lambda h: -h["probability"])[:per_page]
            claims += [(hit["probability"], hit["id"], hit["title"], hit["evidence"][0], row) for hit in hits]
    return sorted(claims, key=lambda c: (-c[0], c[4]["key"]))[:n]


def _where(row: dict) -> str:
    return row["url"] or row["source"].get("path") or row["source"].get("warc", "")


STYLE = """ body { font: 15px/1.5 system-ui, sans-serif; color: #1d2327; margin: 24px; max-width: 1100px; }
 table { border-collapse: collapse; margin: 8px 0 24px; } th, td { border-bottom: 1px solid #dcdcde; padding: 4px 10px;
 text-align: left; vertical-align: top; } figure { display: inline-block; margin: 0 16px 16px 0; }
 .muted { color: #50575e; font-size: 13px; } q { font-style: italic; }"""  # the audit pages' shared look


def link(url: str | None, otherwise: str) -> str:
    """``url`` as a link (http and https only), else ``otherwise``, as text."""
    if urlsplit(url or "").scheme.lower() in ("http", "https"):
        return f'<a href="{escape(url)}" rel="noreferrer">{escape(url)}</a>'
    return escape(otherwise)


def _link(row: dict) -> str:
    """The page's URL as a link, else where it was read from."""
    return link(row["url"], _where(row))


def _page_rows(rows: list[dict]) -> str:
    """Every scored page, highest score first: where it is, its host, capture date, score, level and hits."""
    ordered = sorted(rows, key=lambda r: (-r["score"], r["key"]))
    return "".join(
        f"<tr><td>{_link(r)}</td><td>{escape(r['host'] or '')}</td>"
        f"<td>{escape(str(r['source'].get('warc_date') or ''))}</td><td>{r['score']:.0f}</td>"
        f"<td>{escape(r['level'].replace('_', ' '))}</td><td>{escape(', '.join(h['id'] for h in r['hits']))}</td></tr>"
        for r in ordered)


def _error_rows(errors: list[dict]) -> str:
    return "".join(f"<tr><td>{escape(str(e.get('url') or e.get('key', '')))}</td><td>{escape(str(e.get('error', '')))}"
                   f"</td></tr>" for e in errors)


def _record(precision: dict[str, float], criterion: str) -> str:
    return f"{100 * precision[criterion]:.0f}%" if criterion in precision else "n/a"


def render(rows: list[dict], skipped: dict[str, int], errors: list[dict], run: dict,
           precision: dict[str, float] | None = None) -> str:
    """The report: run details, totals, charts, sites, strongest claims, every page, every error. ``precision``: how
    often the model that scored the pages is right on real pages when it names each criterion, if known."""
    precision = precision or {}
    rubric = load_rubric()
    levels = Counter(r["level"] for r in rows)
    images = charts(rows) if rows else {}
    versions = sorted({f"{r['model_version']} (rubric {r['rubric_version']})" for r in rows})
    level_cells = "".join(f"<td>{levels[l]}</td>" for l in LEVELS)
    hosts = "".join(
        f"<tr><td>{escape(h)}</td><td>{n}</td><td>{median:.0f}</td>"
        f"<td>{escape(_where(worst))} ({worst['score']:.0f})</td></tr>" for h, n, median, worst in _host_rows(rows))
    claims = "".join(
        f"<tr><td>{p:.2f}</td>{f'<td>{_record(precision, c)}</td>' if precision else ''}<td>{escape(title)}</td>"
        f"<td><q>{escape(text)}</q></td><td>{escape(_where(row))}</td></tr>"
        for p, c, title, text, row in _strongest_claims(rows))
    record_note = ('<p class="muted">Right on real pages: of the real pages on which this model named the criterion, '
                   "the share that two careful readers had also marked with it (the model card lists every criterion)."
                   "</p>" if precision else "")
    skipped_text = ", ".join(f"{escape(k)}: {v}" for k, v in sorted(skipped.items())) or "none"
    figures = "".join(f'<figure><img alt="{escape(name)} chart" src="{src}"></figure>' for name, src in images.items())
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>stemclaim audit report</title>
<style>
{STYLE}
</style></head><body>
<h1>stemclaim audit report</h1>
<p>{len(rows)} pages scored; {len(errors)} records could not be scored (see <code>errors.jsonl</code>); skipped on purpose:
{skipped_text}. Model: {escape(", ".join(versions)) or "n/a"}.</p>
<p class="muted">Written {escape(run.get("written", ""))} by stemclaim {escape(run.get("stemclaim", ""))} from:
{escape(", ".join(run.get("inputs", []))) or "n/a"}.</p>
<table><tr>{"".join(f"<th>{l.replace('_', ' ')}</th>" for l in LEVELS)}</tr><tr>{level_cells}</tr></table>
{figures}
<h2>Sites</h2>
<table><tr><th>Host</th><th>Pages</th><th>Median score</th><th>Worst page (score)</th></tr>{hosts}</table>
<h2>Strongest quoted claims</h2>
<table><tr><th>Confidence</th>{"<th>Right on real pages</th>" if precision else ""}<th>Criterion</th><th>The page says</th><th>Page</th></tr>{claims}</table>
{record_note}
<h2>Every page</h2>
<table><tr><th>Page</th><th>Host</th><th>Captured</th><th>Score</th><th>Level</th><th>Criteria hit</th></tr>
{_page_rows(rows)}</table>
{f"<h2>Records that could not be scored</h2><table><tr><th>Record</th><th>Why</th></tr>{_error_rows(errors)}</table>"
 if errors else ""}
<p class="muted">{escape(rubric.disclaimer)} Every quote is the page's own sentence, found by an automated model:
check it on the page before citing it.</p>
</body></html>
"""


def write_report(out: Path, skipped: dict[str, int], inputs: list[str]) -> None:
    errors_path = out / ERRORS
    errors = [json.loads(line) for line in errors_path.read_text("utf-8").splitlines()
              if line.strip()] if errors_path.exists() else []
    run = {"written": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "inputs": [str(i) for i in inputs],
           "stemclaim": stemclaim_version()}
    rows = read_results(out)
    manifest = read_manifest()
    # the loaded model's record speaks for these pages only if that model scored them all
    same_model = rows and all(r["model_version"] == manifest["version"] for r in rows)
    precision = precision_by_criterion(manifest) if same_model else {}
    (out / REPORT).write_text(render(rows, skipped, errors, run, precision), "utf-8")
