"""The extension in real Chromium (Debian's, driven by Playwright) against the real service and local pages."""

import functools
import http.server
import urllib.parse
import threading
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright
from servers import CHROMIUM, CHROMIUM_ARGS, ROOT, free_port, running_service

pytestmark = pytest.mark.browser

EXTENSION = ROOT / "extension"
PAGES = Path(__file__).parent / "fixtures" / "pages"
EXTENSION_ID = "kbckmaflfimjpaeeecfmiilbpcncpone"  # fixed by the "key" in extension/manifest.json
BANNER = "#stemclaim-banner"


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the test pages; ``?cache=VALUE`` adds ``Cache-Control: VALUE`` to the response."""

    def end_headers(self):
        control = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query).get("cache")
        if control:
            self.send_header("Cache-Control", control[0])
        super().end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def pages_server():
    port = free_port()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), functools.partial(QuietHandler, directory=PAGES))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield port
    server.shutdown()


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    """`stemclaim serve` on a free port; its log (method, path, status) tells how many pages were sent."""
    log = tmp_path_factory.mktemp("service") / "service.log"
    data_dir = tmp_path_factory.mktemp("data")
    with running_service({"STEMCLAIM_SCORING_WORKERS": "1", "STEMCLAIM_DATA_DIR": str(data_dir)}, log) as base:

        class Service:
            url = base

            @staticmethod
            def logged(line: str, timeout: float = 10.0) -> bool:
                """Whether `line` reaches the log within `timeout` seconds (it is written after the response)."""
                deadline = time.monotonic() + timeout
                while line not in log.read_text():
                    if time.monotonic() > deadline:
                        return False
                    time.sleep(0.05)
                return True

            @staticmethod
            def count(line: str) -> int:
                """Log lines containing ``line`` so far, read once the log has been quiet for half a second."""
                count = -1
                while count != (count := log.read_text().count(line)):
                    time.sleep(0.5)
                return count

            @classmethod
            def assess_requests(cls) -> int:
                return cls.count("POST /v1/assess ")

        yield Service


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    assert Path(CHROMIUM).exists(), "Debian's chromium is needed: apt-get install -y chromium (tests/run.sh does)"
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("profile")), executable_path=CHROMIUM, headless=True,
            args=[f"--disable-extensions-except={EXTENSION}", f"--load-extension={EXTENSION}", *CHROMIUM_ARGS])
        worker = context.service_workers[0] if context.service_workers else context.wait_for_event("serviceworker")
        assert EXTENSION_ID in worker.url
        yield context
        context.close()


def extension_page(context, name: str):
    page = context.new_page()
    page.goto(f"chrome-extension://{EXTENSION_ID}/pages/{name}")
    return page


def set_service(context, url: str, reports: str | None = None) -> None:
    """Score pages at ``url``; file reports there too, or at ``reports``."""
    page = extension_page(context, "options.html")
    expect(page.locator("#serviceUrl")).not_to_have_value("")  # a string predicate is eval, which the CSP forbids
    page.fill("#serviceUrl", url)
    page.fill("#reportUrl", reports or url)
    page.click("#save")
    page.wait_for_selector("#saved:has-text('Saved.')")
    page.close()


@pytest.fixture(scope="module")
def consented(browser, service):
    page = extension_page(browser, "consent.html")
    page.get_by_role("button", name="I agree").click()
    page.wait_for_selector("#done", state="visible")
    page.close()
    set_service(browser, service.url)
    return browser


def visit(context, url: str):
    page = context.new_page()
    page.goto(url)
    return page


def banner_text(page) -> str:
    return page.eval_on_selector(BANNER, "host => host.shadowRoot.textContent")


def test_nothing_is_sent_before_consent(browser, service, pages_server):
    page = visit(browser, f"http://127.0.0.1:{pages_server}/clinic_overclaim.html")
    time.sleep(3)
    assert page.query_selector(BANNER) is None
    assert service.assess_requests() == 0
    page.close()


def test_overclaiming_clinic_page_gets_a_high_banner(consented, service, pages_server):
    page = visit(consented, f"http://127.0.0.1:{pages_server}/clinic_overclaim.html")
    page.wait_for_selector(BANNER, state="attached", timeout=30000)
    assert page.get_attribute(BANNER, "data-level") == "high"
    text = banner_text(page)
    assert "Several claims here match common warning signs" in text
    assert "Claims a cure or repair: this page says" in text
    assert "Not affiliated with FDA or FTC" in text
    assert page.eval_on_selector(BANNER, "host => host.parentElement === document.body && !!host.shadowRoot")
    page.set_viewport_size({"width": 1100, "height": 700})
    page.eval_on_selector(BANNER, "host => host.shadowRoot.querySelector('details').open = true")
    (ROOT / "docs").mkdir(exist_ok=True)
    page.screenshot(path=str(ROOT / "docs" / "banner.png"))
    page.close()


def test_careful_hospital_page_gets_a_low_banner(consented, pages_server):
    page = visit(consented, f"http://127.0.0.1:{pages_server}/hospital_careful.html")
    page.wait_for_selector(BANNER, state="attached", timeout=30000)
    assert page.get_attribute(BANNER, "data-level") == "low"
    assert "Few warning signs" in banner_text(page)
    page.close()


def assert_nothing_sent(context, service, url: str) -> None:
    """Visiting ``url`` shows no banner and sends the service no page."""
    before = service.assess_requests()
    page = visit(context, url)
    time.sleep(3)
    assert page.query_selector(BANNER) is None
    assert service.assess_requests() == before
    page.close()


def test_irrelevant_page_sends_nothing(consented, service, pages_server):
    assert_nothing_sent(consented, service, f"http://127.0.0.1:{pages_server}/irrelevant_knee.html")


@pytest.mark.parametrize("control", ["no-store", "private, max-age=60"])
def test_a_page_served_as_private_is_not_sent_by_itself(consented, service, pages_server, control):
    query = urllib.parse.urlencode({"cache": control})
    assert_nothing_sent(consented, service, f"http://127.0.0.1:{pages_server}/clinic_overclaim.html?{query}")


def test_hostile_page_text_stays_inert(consented, pages_server):
    page = visit(consented, f"http://127.0.0.1:{pages_server}/hostile.html")
    page.wait_for_selector(BANNER, state="attached", timeout=30000)
    assert page.eval_on_selector(BANNER, "host => host.shadowRoot.querySelectorAll('img, script').length") == 0
    text = banner_text(page)
    assert "<img src=x onerror" in text or "<script>" in text
    assert page.title() != "pwned"
    page.close()


def test_report_this_page_files_a_report(consented, service, pages_server):
    page = visit(consented, f"http://127.0.0.1:{pages_server}/clinic_overclaim.html?session=secret")
    page.wait_for_selector(BANNER, state="attached", timeout=30000)
    worker = consented.service_workers[0]
    reply = worker.evaluate("""async () => {
        const [tab] = await chrome.tabs.query({url: "*://127.0.0.1/*clinic_overclaim.html*"});
        return handlers.report({tabId: tab.id, note: "seen in a sponsored post"});
    }""")
    assert reply["ok"] and reply["level"] == "high"
    assert service.logged("POST /v1/reports 202")
    page.close()


def test_reports_go_to_the_report_service_and_the_popup_says_where_each_goes(consented, service, pages_server):
    elsewhere = f"http://127.0.0.1:{pages_server}"  # answers, but is not a stemclaim service
    set_service(consented, service.url, reports=elsewhere)
    try:
        page = visit(consented, f"http://127.0.0.1:{pages_server}/clinic_overclaim.html?to=elsewhere")
        page.wait_for_selector(BANNER, state="attached", timeout=30000)  # still scored by the scoring service
        before = service.count("POST /v1/reports ")
        reply = consented.service_workers[0].evaluate("""async () => {
            const [tab] = await chrome.tabs.query({url: "*://127.0.0.1/*to=elsewhere*"});
            return handlers.report({tabId: tab.id, note: ""});
        }""")
        assert not reply["ok"] and f"The service at {elsewhere} is not a stemclaim service" in reply["error"]
        assert service.count("POST /v1/reports ") == before
        popup = extension_page(consented, "popup.html")
        expect(popup.locator("#reportTo")).not_to_have_text("")
        assert popup.text_content("#scoreAt") == service.url and popup.text_content("#reportTo") == elsewhere
        assert "stores nothing" in popup.text_content("body") and "stores them" in popup.text_content("details")
        popup.close()
        page.close()
    finally:
        set_service(consented, service.url)

def test_dismissed_banner_stays_hidden_on_reload(consented, pages_server):
    # "localhost" is a different site from 127.0.0.1, so this dismissal does not affect the other tests.
    page = visit(consented, f"http://localhost:{pages_server}/clinic_overclaim.html")
    page.wait_for_selector(BANNER, state="attached", timeout=30000)
    page.eval_on_selector(BANNER, "host => host.shadowRoot.querySelector('button').click()")
    assert page.query_selector(BANNER) is None
    page.reload()
    time.sleep(4)
    assert page.query_selector(BANNER) is None
    # the options page lists the dismissed site and can bring its banner back
    options = extension_page(consented, "options.html")
    restore = options.get_by_role("button", name="Show the banner again")
    restore.wait_for()
    assert "localhost" in options.inner_text("#dismissedSites")
    restore.click()
    options.wait_for_selector("#noneDismissed", state="visible")
    options.close()
    page.reload()
    page.wait_for_selector(BANNER, state="attached", timeout=30000)
    page.close()


def test_nothing_is_sent_to_a_service_that_is_not_stemclaim(consented, service, pages_server):
    set_service(consented, f"http://127.0.0.1:{pages_server}")  # a plain web server answers there, not stemclaim
    try:
        page = visit(consented, f"http://127.0.0.1:{pages_server}/clinic_overclaim.html")
        popup = extension_page(consented, "popup.html")
        popup.wait_for_selector("#message.error:has-text('is not a stemclaim service, so nothing was sent')",
                                timeout=30000)
        assert page.query_selector(BANNER) is None
        popup.close()
        page.close()
    finally:
        set_service(consented, service.url)


def test_service_down_leaves_the_page_alone_and_the_popup_says_so(consented, service, pages_server):
    set_service(consented, f"http://127.0.0.1:{free_port()}")
    try:
        page = visit(consented, f"http://127.0.0.1:{pages_server}/clinic_overclaim.html")
        original = (PAGES / "clinic_overclaim.html").read_text()
        time.sleep(4)
        assert page.query_selector(BANNER) is None
        assert "Reverse Multiple Sclerosis" in page.inner_text("h1") and "MS Gold package" in original
        popup = extension_page(consented, "popup.html")
        popup.wait_for_selector("#message.error:has-text('could not be reached')")
        popup.close()
        page.close()
    finally:
        set_service(consented, service.url)
