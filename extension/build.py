"""`npm run build`: the two packages that ship, dist/stemclaim-chromium.zip and dist/stemclaim-firefox.zip.

Only what the extension runs goes in (no node_modules, tests or build files), each with the manifest its browser
reads: Chromium's background service worker and fixed key; Firefox's background scripts and add-on id.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHIPPED = ("levels.js", "background.js", "content/*.js", "pages/*.html", "pages/*.js", "pages/*.css", "icons/*.png")
FIXED_TIME = (2026, 1, 1, 0, 0, 0)  # the same sources give the same zip bytes


def manifest_for(browser: str) -> dict:
    manifest = json.loads((HERE / "manifest.json").read_text("utf-8"))
    if browser == "chromium":
        manifest["background"] = {"service_worker": manifest["background"]["service_worker"]}
        manifest.pop("browser_specific_settings", None)
    else:
        manifest["background"] = {"scripts": manifest["background"]["scripts"]}
        manifest.pop("key", None)
    return manifest


def build(out: Path = HERE / "dist") -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    files = sorted({path for pattern in SHIPPED for path in HERE.glob(pattern)})
    built = []
    for browser in ("chromium", "firefox"):
        target = out / f"stemclaim-{browser}.zip"
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as package:
            package.writestr(zipfile.ZipInfo("manifest.json", FIXED_TIME),
                             json.dumps(manifest_for(browser), indent=2) + "\n", zipfile.ZIP_DEFLATED)
            for path in files:
                package.writestr(zipfile.ZipInfo(path.relative_to(HERE).as_posix(), FIXED_TIME), path.read_bytes(),
                                 zipfile.ZIP_DEFLATED)
        built.append(target)
    return built


if __name__ == "__main__":
    for path in build():
        print(f"wrote {path.relative_to(HERE)} ({path.stat().st_size:,} bytes)")
