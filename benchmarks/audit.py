"""Audit benchmark: 2,000 generated pages scored with 1 and 2 loky workers and with a Dask local cluster.

    python benchmarks/audit.py [--pages 2000]

Reports pages per second for each, and the 2-worker speed-up over one worker (target: at least 1.7x).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from assess import make_page  # noqa: E402

from service.audit.run import run_audit  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "pages"
        folder.mkdir()
        for i in range(args.pages):
            (folder / f"page-{i:05d}.html").write_text(make_page(15_000 + (i % 7) * 5_000, seed=i))
        size = sum(p.stat().st_size for p in folder.iterdir()) / args.pages / 1000
        print(f"{args.pages} pages, mean {size:.0f} KB")
        rates = {}
        for name, backend, jobs in (("1 worker", "loky", 1), ("2 workers", "loky", 2), ("dask local, 2", "dask", 2)):
            started = time.perf_counter()
            summary = run_audit([str(folder)], Path(tmp) / name.replace(" ", "-"), jobs=jobs, backend=backend)
            elapsed = time.perf_counter() - started
            rates[name] = summary.scored / elapsed
            print(f"{name:>14}: {summary.scored} pages in {elapsed:.1f} s = {rates[name]:.1f} pages/s "
                  f"(start-up and report included)")
        print(f"2 workers / 1 worker = {rates['2 workers'] / rates['1 worker']:.2f}x")


if __name__ == "__main__":
    main()
