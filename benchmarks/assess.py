"""Benchmark `model.assess` against trafilatura.extract and a bare lxml parse, on three generated pages.

    python benchmarks/assess.py [--repeat 30]

Prints, per page size: median and p95 seconds, pages per second and peak memory of `assess`, the same page through
`trafilatura.extract` and through `lxml.html` parse + text_content (the floor); then import + artifact load time.
`assess` is timed twice: on a page it has read before (its per-sentence caches hold every sentence, as when a
service sees the same page again) and on a page it has not (those caches emptied before each call; what it knows
of single words stays, as in a process that has been running a while).
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SUBJECTS = ["Our umbilical cord stem cells", "Mesenchymal cells from donated tissue", "The regenerative protocol",
            "aHSCT at an accredited centre", "Exosome infusions", "Our medical team", "Many patients with MS",
            "The clinic's laboratory", "This programme", "Disease-modifying drugs"]
VERBS = ["may help with", "repair", "are offered for", "reduce", "aim to calm", "are studied for", "improve",
         "do not cure", "support recovery from", "are priced for"]
OBJECTS = ["fatigue and balance problems", "damaged myelin", "relapsing multiple sclerosis", "inflammation in the brain",
           "progressive MS", "walking distance", "bladder symptoms", "new lesions on MRI", "travel packages",
           "patients under fifty"]
TAILS = ["within three months", "according to our records", "in selected patients", "at our partner hotel",
         "as reported by families", "in a small study", "without side effects", "under medical supervision",
         "for a limited time", "in 2024"]


def _sentence(rng: random.Random) -> str:
    return f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} {rng.choice(TAILS)}."


def _script(rng: random.Random, size: int) -> str:
    words = ["function", "var", "return", "window", "document", "push", "length", "null", "true", "config"]
    body = ";".join(f"{rng.choice(words)}_{i}={rng.randint(0, 99999)}" for i in range(max(size, 0) // 19))
    return f"<script>{body}</script>"


def _style(rng: random.Random, size: int) -> str:
    rules = "".join(f".c{i}{{margin:{rng.randint(0, 40)}px;color:#{rng.randint(0, 0xFFFFFF):06x}}}"
                    for i in range(size // 36))
    return f"<style>{rules}</style>"


_ICON = ("<svg class='icon' viewBox='0 0 24 24' aria-hidden='true'><path d='M12 2l3 7h7l-5.5 4 2 7-6.5-4.5L5.5 20l2-7"
         "L2 9h7z'/></svg>")


def _block(rng: random.Random, n: int) -> str:
    """One page-builder section: nested wrappers, an icon, a heading, a paragraph, a list and an FAQ item."""
    paragraph = " ".join(_sentence(rng) for _ in range(rng.randint(2, 4)))
    wrap = "".join(f"<div class='elementor-widget-wrap e-con-inner col-{k} flex items-center gap-{k}'>" for k in range(4))
    return (f"<section class='elementor-section elementor-top-section s{n}' data-id='{rng.getrandbits(32):x}'>{wrap}"
            f"{_ICON}<h2 class='elementor-heading-title'>{rng.choice(OBJECTS).capitalize()}</h2>"
            f"<p class='elementor-text-editor'>{paragraph}</p>"
            f"<ul class='elementor-icon-list'><li><span class='icon'>{_ICON}</span>{rng.choice(OBJECTS)}</li>"
            f"<li><span class='icon'>{_ICON}</span>{rng.choice(OBJECTS)}</li></ul>"
            f"<details><summary>{rng.choice(SUBJECTS)}?</summary><p>{_sentence(rng)}</p></details>"
            + "</div>" * 4 + "</section>")


def make_page(target_bytes: int, seed: int = 0) -> str:
    """A page-builder clinic page of about ``target_bytes``: about a tenth of it visible text, the rest markup,
    icons, styles, JSON data and scripts, as on real sites."""
    rng = random.Random(seed)
    nav = "<nav><ul>" + "".join(f'<li class="menu-item"><a href="/p{i}">Section {i}</a></li>' for i in range(30)) + "</ul></nav>"
    head = f"<head><meta charset='utf-8'><title>Stem cells for MS</title>{_style(rng, target_bytes // 6)}</head>"
    parts = ["<!doctype html><html>", head, "<body>", nav, "<div class='cookie'>This site uses cookies.</div>"]
    size = sum(map(len, parts))
    n = 0
    while size < target_bytes * 0.6:
        block = _block(rng, n)
        parts.append(block)
        size += len(block)
        n += 1
    footer = "<footer>" + "".join(f"<p>Footer line {i}</p>" for i in range(20)) + "</footer>"
    parts += [footer, _script(rng, target_bytes - size - len(footer) - 40), "</body></html>"]
    return "".join(parts)


def _time(fn, page: str, repeat: int, before=None) -> list[float]:
    fn(page)
    times = []
    for _ in range(repeat):
        if before is not None:
            before()
        start = time.perf_counter()
        fn(page)
        times.append(time.perf_counter() - start)
    return times


def _peak_mb(fn, page: str) -> float:
    tracemalloc.start()
    fn(page)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 1e6


def _p95(times: list[float]) -> float:
    return sorted(times)[max(0, int(round(0.95 * len(times))) - 1)]


def load_time() -> float:
    code = ("import time; t=time.perf_counter(); import model; model.assessment.default_assessor();"
            "print(time.perf_counter()-t)")
    runs = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                                 cwd=Path(__file__).resolve().parent.parent).stdout) for _ in range(3)]
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()

    import lxml.html

    try:
        import trafilatura
    except ImportError:
        sys.exit("benchmarks/assess.py compares with trafilatura: install the bench extra first, "
                 "pip install -e '.[bench]'")

    from model import assess
    from model.assessment import default_assessor

    forget_sentences = default_assessor().model.forget_sentences

    def floor(page: str) -> str:
        return lxml.html.fromstring(page).text_content()

    print(f"{'page':>8} {'what':<22} {'median ms':>10} {'p95 ms':>8} {'pages/s':>8} {'peak MB':>8}")
    for target in (30_000, 170_000, 580_000):
        page = make_page(target)
        label = f"{len(page) / 1000:.0f} KB"
        rows = {}
        for name, fn, before in (("assess, page seen", assess, None), ("assess, new page", assess, forget_sentences),
                                 ("trafilatura.extract", trafilatura.extract, None), ("lxml floor", floor, None)):
            times = _time(fn, page, args.repeat, before)
            rows[name] = statistics.median(times)
            print(f"{label:>8} {name:<22} {rows[name] * 1000:>10.1f} {_p95(times) * 1000:>8.1f} "
                  f"{1 / rows[name]:>8.1f} {_peak_mb(fn, page):>8.1f}")
        for name in ("assess, page seen", "assess, new page"):
            print(f"{label:>8} {name}: / trafilatura = {rows[name] / rows['trafilatura.extract']:.2f}, "
                  f"/ lxml floor = {rows[name] / rows['lxml floor']:.1f}")
    print(f"import + artifact load: {load_time():.2f} s (median of 3 fresh processes)")


if __name__ == "__main__":
    main()
