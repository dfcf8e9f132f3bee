"""The triage pages in real Chromium: sign in, filter the queue, read a report's evidence, change its status."""

import json
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright
from servers import CHROMIUM, CHROMIUM_ARGS, ROOT, running_service

pytestmark = pytest.mark.browser

PAGES = Path(__file__).parent / "fixtures" / "pages"


def post_json(url: str, payload: dict) -> dict:
    request = urllib.request.Request(url, data=json.dumps(payload).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`stemclaim serve` on a SQLite file in a fresh data directory, with three reports filed and one token."""
    data_dir = tmp_path_factory.mktemp("data")
    env = {"STEMCLAIM_DATA_DIR": str(data_dir), "STEMCLAIM_SCORING_WORKERS": "1", "PATH": "/usr/bin:/bin",
           "HOME": str(data_dir)}
    created = subprocess.run([sys.executable, "-m", "service.cli", "tokens", "create", "inspector-b"], cwd=ROOT,
                             env=env, capture_output=True, text=True, check=True)
    token = created.stdout.strip().split("\n")[-1].split()[-1]
    with running_service(env) as base:
        for name, file in (("clinic", "clinic_overclaim.html"), ("hospital", "hospital_careful.html"),
                           ("hostile", "hostile.html")):
            post_json(f"{base}/v1/reports", {"url": f"https://{name}.example/ms", "html": (PAGES / file).read_text(),
                                             "note": f"complaint about {name}"})
        queue = urllib.request.Request(f"{base}/v1/reports", headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(queue, timeout=60) as response:
            ids = {r["host"].split(".")[0]: r["id"] for r in json.loads(response.read())["items"]}
        yield base, token, ids


@pytest.fixture(scope="module")
def page(server):
    assert Path(CHROMIUM).exists(), "Debian's chromium is needed (tests/run.sh installs it)"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser.new_page()
        browser.close()


def test_sign_in_filter_open_and_change_status(server, page):
    base, token, ids = server
    page.goto(f"{base}/triage")
    page.fill("#token", "sc_wrong")
    page.click("button[type=submit]")
    assert "That token is not valid." in page.inner_text("[role=alert]")
    page.fill("#token", token)
    page.click("button[type=submit]")
    page.wait_for_selector("tr.report-row")
    assert page.locator("tr.report-row").count() == 3
    assert "signed in as inspector-b" in page.inner_text("header")

    page.select_option("#level", "low")
    page.click("form.filters button")
    page.wait_for_url("**level=low**")
    rows = page.locator("tr.report-row")
    assert rows.count() == 1 and "hospital.example" in rows.first.inner_text()

    page.goto(f"{base}/triage")
    page.click("a[href='/triage/reports/%d']" % ids["clinic"])
    marks = page.locator("#snapshot mark")
    assert marks.count() >= 2
    assert "Reverse Multiple Sclerosis" in page.inner_text("#snapshot mark >> nth=0") or marks.count() > 2
    assert "complaint about clinic" in page.inner_text("main")

    page.select_option("#status", "escalated")
    page.fill("#note", "sent to enforcement")
    page.click("text=Save status")
    page.wait_for_selector("#current-status:has-text('escalated')")
    trail = page.inner_text("#audit")
    assert "inspector-b" in trail and "new" in trail and "escalated" in trail and "sent to enforcement" in trail


def test_hostile_page_text_renders_as_text(server, page):
    base, token, ids = server
    page.goto(f"{base}/triage/reports/{ids['hostile']}")
    snapshot = page.inner_text("#snapshot")
    assert "<img src=x onerror" in snapshot and "<script>" in snapshot
    assert page.locator("#snapshot img, #snapshot script").count() == 0
    assert page.title() != "pwned"
    assert page.evaluate("document.querySelectorAll('main img').length") == 0


def test_the_pages_work_at_phone_width(server, page):
    base, token, ids = server
    docs = ROOT / "docs"
    docs.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1100, "height": 800})
    page.goto(f"{base}/triage")
    page.screenshot(path=str(docs / "triage-queue.png"), full_page=True)
    page.goto(f"{base}/triage/reports/{ids['clinic']}")
    page.screenshot(path=str(docs / "triage-report.png"))
    page.set_viewport_size({"width": 390, "height": 844})
    for path in ("/triage", f"/triage/reports/{ids['clinic']}"):
        page.goto(base + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path  # nothing runs off the side
    page.goto(f"{base}/triage")
    cell, link = page.locator("td.url").first.bounding_box(), page.locator("td.url a").first.bounding_box()
    assert cell["width"] > 300 and link["height"] < 50  # a URL reads across the screen, not one character per line
    page.screenshot(path=str(docs / "triage-queue-phone.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 720})


def test_signed_out_reader_sees_only_the_sign_in_form(server, page):
    base, token, ids = server
    page.click("text=Sign out")
    page.goto(f"{base}/triage/reports/{ids['clinic']}")
    assert page.locator("#token").count() == 1 and page.locator("#snapshot").count() == 0
