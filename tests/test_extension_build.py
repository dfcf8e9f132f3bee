"""`npm run build` in extension/: the two zips hold what ships and nothing else, and the Chromium one loads."""

import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from servers import CHROMIUM, CHROMIUM_ARGS, ROOT

EXTENSION = ROOT / "extension"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, zipfile.ZipFile]:
    out = tmp_path_factory.mktemp("dist")
    code = (f"import sys, pathlib; sys.path.insert(0, {str(EXTENSION)!r}); import build; "
            f"build.build(pathlib.Path({str(out)!r}))")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
    return {browser: zipfile.ZipFile(out / f"stemclaim-{browser}.zip") for browser in ("chromium", "firefox")}


def referenced(package: zipfile.ZipFile) -> set[str]:
    """Every file the manifest, and the pages it names, load."""
    manifest = json.loads(package.read("manifest.json"))
    files = set(manifest["background"].get("scripts", [])) | {manifest["background"].get("service_worker", "")}
    files |= {js for script in manifest["content_scripts"] for js in script["js"]}
    files |= {manifest["action"]["default_popup"], manifest["options_ui"]["page"], *manifest["icons"].values()}
    for page in [f for f in files if f.endswith(".html")]:
        html = package.read(page).decode()
        folder = Path(page).parent
        refs = re.findall(r'(?:src|href)="([^"]+)"', html)
        files |= {(folder / ref).as_posix().replace("pages/../", "") for ref in refs}
    return {f for f in files if f}


@pytest.mark.parametrize("browser", ["chromium", "firefox"])
def test_a_package_holds_what_ships_and_nothing_else(built, browser):
    package = built[browser]
    names = set(package.namelist())
    assert not any(n.startswith(("node_modules/", "tests/", "dist/")) or n in ("package.json", "build.py")
                   for n in names)
    assert referenced(package) <= names, referenced(package) - names
    manifest = json.loads(package.read("manifest.json"))
    if browser == "chromium":
        assert set(manifest["background"]) == {"service_worker"} and "key" in manifest
        assert "browser_specific_settings" not in manifest
    else:
        assert set(manifest["background"]) == {"scripts"} and "key" not in manifest
        assert manifest["browser_specific_settings"]["gecko"]["id"]


@pytest.mark.browser
def test_the_chromium_package_loads_in_chromium(built, tmp_path):
    from playwright.sync_api import sync_playwright

    unpacked = tmp_path / "unpacked"
    built["chromium"].extractall(unpacked)
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=CHROMIUM, headless=True,
            args=[f"--disable-extensions-except={unpacked}", f"--load-extension={unpacked}", *CHROMIUM_ARGS])
        try:
            worker = context.service_workers[0] if context.service_workers else context.wait_for_event("serviceworker")
            assert worker.evaluate("chrome.runtime.getManifest().name") == "stemclaim"
            assert worker.evaluate("Object.keys(globalThis.stemclaimLevels)") == ["high", "moderate", "low",
                                                                                  "not_applicable"]
        finally:
            context.close()


@pytest.mark.slow
def test_web_ext_lint_finds_nothing_to_fix_in_the_firefox_package(built):
    import os

    web_ext = EXTENSION / "node_modules" / ".bin" / "web-ext"
    assert web_ext.exists(), "npm ci in extension/ installs web-ext (tests/run.sh does)"
    run = subprocess.run([str(web_ext), "lint", "--source-dir", built["firefox"].filename, "--output", "json",
                          "--no-config-discovery"], capture_output=True, text=True, timeout=300,
                         env={**os.environ, "NO_UPDATE_NOTIFIER": "1"})
    report = json.loads(run.stdout)
    assert report["summary"] == {"errors": 0, "notices": 0, "warnings": 0}, report
    assert report["metadata"]["manifestVersion"] == 3
