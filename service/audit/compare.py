"""`stemclaim audit compare OLD NEW`: what changed between two audits of the same sites.

Pages are matched by URL (scheme, ``www.``, a trailing slash and letter case of the host ignored), else by where
they were read from; when an audit holds several captures of one page (a WARC crawled twice), the latest counts.
Each page appeared, disappeared, changed level, changed its claims at the same level, or stayed the same; a claim is
a criterion with the page's own sentence, so "claims added" and "claims removed" quote the page.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime, timezone
from html import escape
from pathlib import Path
from urllib.parse import urlsplit

from model.rubric import LEVELS, load_rubric
from service.audit.outputs import RESULTS, read_results
from service.audit.report import STYLE, link
from service.settings import stemclaim_version

CHANGES, COMPARE_REPORT = "changes.jsonl", "compare.html"
KINDS = ("level_changed", "claims_changed", "appeared", "disappeared", "unchanged")  # the order pages are listed in


class CompareError(ValueError):
    """An audit folder that cannot be compared, and why."""


def page_key(row: dict) -> str:
    """What identifies a page across two audits: its URL without scheme, ``www.`` or trailing slash, else its path."""
    if row.get("url"):
        parts = urlsplit(row["url"])
        host = (parts.hostname or "").removeprefix("www.")
        return f"{host}{parts.path.rstrip('/') or '/'}"
    source = row.get("source", {})
    return Path(source.get("path") or source.get("warc") or row["key"]).name


def latest(rows: list[dict]) -> dict[str, dict]:
    """One row per page: the latest capture when a page was captured more than once."""
    pages: dict[str, dict] = {}
    for row in sorted(rows, key=lambda r: (str(r["source"].get("warc_date") or ""), r["key"])):
        pages[page_key(row)] = row
    return pages


def _claims(row: dict | None) -> set[tuple[str, str]]:
    if row is None:
        return set()
    return {(hit["id"], quote) for hit in row["hits"] if hit["kind"] == "red_flag" for quote in hit["evidence"] or [""]}


def _side(row: dict | None) -> dict | None:
    if row is None:
        return None
    return {"url": row["url"], "score": row["score"], "level": row["level"],
            "captured": row["source"].get("warc_date"), "model_version": row["model_version"],
            "red_flags": [h["id"] for h in row["hits"] if h["kind"] == "red_flag"]}


def compare(old_rows: list[dict], new_rows: list[dict]) -> list[dict]:
    """One change record per page in either audit, the largest changes first."""
    titles = {c.id: c.title for c in load_rubric().criteria}
    old, new = latest(old_rows), latest(new_rows)
    changes = []
    for key in sorted(old.keys() | new.keys()):
        before, after = old.get(key), new.get(key)
        added = sorted(_claims(after) - _claims(before))
        removed = sorted(_claims(before) - _claims(after))
        if before is None:
            change = "appeared"
        elif after is None:
            change = "disappeared"
        elif before["level"] != after["level"]:
            change = "level_changed"
        elif added or removed:
            change = "claims_changed"
        else:
            change = "unchanged"
        changes.append({
            "page": key, "change": change, "old": _side(before), "new": _side(after),
            "score_change": round(after["score"] - before["score"], 1) if before and after else None,
            "claims_added": [{"id": c, "title": titles.get(c, c), "quote": q} for c, q in added],
            "claims_removed": [{"id": c, "title": titles.get(c, c), "quote": q} for c, q in removed],
        })
    return sorted(changes, key=lambda c: (KINDS.index(c["change"]), -abs(c["score_change"] or 0), c["page"]))


def load_audit(folder: Path) -> list[dict]:
    if not (folder / RESULTS).is_file():
        raise CompareError(f"{folder} is not an audit folder (no {RESULTS}; write one with stemclaim audit)")
    return read_results(folder)


def _quotes(claims: list[dict]) -> str:
    return "".join(f"<li>{escape(c['title'])}: <q>{escape(c['quote'])}</q></li>" for c in claims)


def _level(side: dict | None) -> str:
    return f"{escape(side['level'].replace('_', ' '))} ({side['score']:.0f})" if side else "&mdash;"


def _link(change: dict) -> str:
    return link((change["new"] or change["old"])["url"], change["page"])


def render(changes: list[dict], old: Path, new: Path) -> str:
    """A self-contained HTML page: counts of each kind of change, then every page that changed, claims quoted."""
    counts = Counter(c["change"] for c in changes)
    models = {side: sorted({c[side]["model_version"] for c in changes if c[side]}) for side in ("old", "new")}
    model_note = ("" if models["old"] == models["new"] else
                  f"<p class=\"warn\">The two audits were scored by different models ({escape(', '.join(models['old']))}"
                  f" and {escape(', '.join(models['new']))}): part of what changed may be the model, not the pages. "
                  f"Re-run the older audit with the current model to compare like with like.</p>")
    rows = "".join(
        f"<tr><td>{_link(c)}</td><td class='kind'>{escape(c['change'].replace('_', ' '))}</td><td>{_level(c['old'])}</td>"
        f"<td>{_level(c['new'])}</td><td><ul>{_quotes(c['claims_added'])}</ul></td>"
        f"<td><ul>{_quotes(c['claims_removed'])}</ul></td></tr>" for c in changes if c["change"] != "unchanged")
    level_moves = Counter((c["old"]["level"], c["new"]["level"]) for c in changes if c["change"] == "level_changed")
    moves = "".join(f"<tr><td>{escape(a.replace('_', ' '))}</td><td>{escape(b.replace('_', ' '))}</td><td>{n}</td></tr>"
                    for (a, b), n in sorted(level_moves.items(), key=lambda m: (LEVELS.index(m[0][0]), LEVELS.index(m[0][1]))))
    written = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>stemclaim: what changed between two audits</title>
<style>
{STYLE}
 td ul {{ margin: 0; padding-left: 18px; }} td {{ overflow-wrap: anywhere; }} .warn {{ color: #8a2424; }}
 .kind {{ white-space: nowrap; }}
</style></head><body>
<h1>What changed between two audits</h1>
<p>Before: <code>{escape(str(old))}</code>; after: <code>{escape(str(new))}</code>.</p>
{model_note}
<table><tr>{"".join(f"<th>{k.replace('_', ' ')}</th>" for k in KINDS)}</tr>
<tr>{"".join(f"<td>{counts[k]}</td>" for k in KINDS)}</tr></table>
{f"<h2>Level changes</h2><table><tr><th>Before</th><th>After</th><th>Pages</th></tr>{moves}</table>" if moves else ""}
<h2>Pages that changed</h2>
{f'''<table><tr><th>Page</th><th>Change</th><th>Before</th><th>After</th><th>Claims added</th><th>Claims removed</th></tr>
{rows}</table>''' if rows else "<p>No page changed.</p>"}
<p class="muted">Written {written} by stemclaim {escape(stemclaim_version())}. Pages are matched by URL (else by file
name); a claim is a red flag with the page's own sentence, found by an automated model: check it on the page before
citing it. {escape(load_rubric().disclaimer)}</p>
</body></html>
"""


def write_comparison(old: Path, new: Path, out: Path) -> Counter:
    """Write ``changes.jsonl`` and ``compare.html`` into ``out``; the number of pages of each kind of change."""
    changes = compare(load_audit(old), load_audit(new))
    out.mkdir(parents=True, exist_ok=True)
    with (out / CHANGES).open("w", encoding="utf-8") as handle:
        for change in changes:
            handle.write(json.dumps(change, ensure_ascii=False) + "\n")
    (out / COMPARE_REPORT).write_text(render(changes, old, new), "utf-8")
    return Counter(c["change"] for c in changes)
