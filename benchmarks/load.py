"""Load benchmark: the service on loopback with default settings, 32 clients posting the 170 KB page for 60 s.

    python benchmarks/load.py [--seconds 60] [--clients 32]

Reports requests per second, p50 / p95 / p99 latency, errors, the server's memory (all its processes) before and
after, and the latency of one 20-page batch.
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

try:
    import httpx
except ImportError:
    sys.exit("benchmarks/load.py needs httpx: install the bench extra first, pip install -e '.[bench]'")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from assess import make_page  # noqa: E402


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            children = (task / "children").read_text().split() if (task / "children").exists() else []
            todo += [int(c) for c in children]
    return pids


def rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants, in MB."""
    total = 0
    for p in _tree(pid):
        for line in Path(f"/proc/{p}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024


async def _client(base: str, page: bytes, until: float, latencies: list[float], errors: list[int]) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        while time.perf_counter() < until:
            started = time.perf_counter()
            response = await client.post("/v1/assess?url=https://bench.example/page", content=page,
                                         headers={"content-type": "text/html"})
            latencies.append(time.perf_counter() - started)
            if response.status_code != 200:
                errors.append(response.status_code)


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


async def drive(base: str, seconds: float, clients: int) -> tuple[list[float], list[int], float]:
    page = make_page(170_000).encode()
    latencies: list[float] = []
    errors: list[int] = []
    started = time.perf_counter()
    until = started + seconds
    await asyncio.gather(*(_client(base, page, until, latencies, errors) for _ in range(clients)))
    return latencies, errors, time.perf_counter() - started


def batch_latency(base: str, runs: int = 5) -> float:
    pages = [{"html": make_page(170_000, seed=i), "url": f"https://bench.example/{i}"} for i in range(20)]
    times = []
    with httpx.Client(base_url=base, timeout=120) as client:
        for _ in range(runs):
            started = time.perf_counter()
            response = client.post("/v1/assess/batch", json={"pages": pages})
            response.raise_for_status()
            times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=32)
    args = parser.parse_args()
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, "-m", "service.cli", "serve", "--port", str(port)], cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(300):
            try:
                httpx.get(f"{base}/health", timeout=1).raise_for_status()
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        before = rss_mb(server.pid)
        latencies, errors, elapsed = asyncio.run(drive(base, args.seconds, args.clients))
        after = rss_mb(server.pid)
        batch = batch_latency(base)
    finally:
        server.terminate()
        server.wait(10)
    print(f"{args.clients} clients, {elapsed:.0f} s, 170 KB page, default settings")
    print(f"requests: {len(latencies)}  requests/s: {len(latencies) / elapsed:.1f}  errors: {len(errors)}"
          + (f" ({sorted(set(errors))})" if errors else ""))
    print(f"latency ms: p50 {_pct(latencies, 0.5):.0f}  p95 {_pct(latencies, 0.95):.0f}  p99 {_pct(latencies, 0.99):.0f}")
    print(f"server memory MB: before {before:.0f}  after {after:.0f}  growth {100 * (after - before) / before:+.1f}%")
    print(f"20-page batch (20 x 170 KB): median {batch:.0f} ms over 5 runs")


if __name__ == "__main__":
    main()
