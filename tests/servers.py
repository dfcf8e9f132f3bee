"""Helpers for tests that need a real `stemclaim serve` process or a free loopback port."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_service(env: dict[str, str], log: Path | None = None):
    """`stemclaim serve` on a free port with ``env`` (plus PATH and HOME); yields its base URL once healthy."""
    port = free_port()
    full_env = {"PATH": "/usr/bin:/bin", "HOME": "/tmp", **env}
    sink = log.open("w") if log else subprocess.DEVNULL
    process = subprocess.Popen([sys.executable, "-m", "service.cli", "serve", "--port", str(port)], cwd=ROOT,
                               env=full_env, stdout=sink, stderr=sink)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/health", timeout=1)
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("stemclaim serve did not start" + (f": {log.read_text()}" if log else ""))
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(10)
        if log:
            sink.close()


@contextmanager
def local_page(path: Path):
    """A saved page (a report) opened in Debian's headless Chromium; yields the page and every URL it requested."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1150, "height": 900})
            requests: list[str] = []
            page.on("request", lambda request: requests.append(request.url))
            page.goto(path.as_uri())
            yield page, requests
        finally:
            browser.close()
