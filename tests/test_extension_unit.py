"""The extension's JavaScript unit tests (Node's built-in test runner, jsdom), run as part of the suite."""

import shutil
import subprocess
from pathlib import Path

EXTENSION = Path(__file__).resolve().parent.parent / "extension"


def test_javascript_unit_tests_pass():
    node = shutil.which("node")
    assert node, "Node.js is needed for the extension's unit tests (tests/run.sh installs it)"
    assert (EXTENSION / "node_modules" / "jsdom").is_dir(), "run `npm ci` in extension/ (tests/run.sh does)"
    run = subprocess.run([node, "--test", "tests/"], cwd=EXTENSION, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "# fail 0" in run.stdout and "# pass 0" not in run.stdout


def test_extension_levels_follow_the_rubric():
    """extension/levels.js names the rubric's levels, with its colours, and nothing else."""
    import re

    from model.rubric import LEVELS, load_rubric

    source = (EXTENSION / "levels.js").read_text("utf-8")
    found = dict(re.findall(r'(\w+): Object\.freeze\(\{ name: "[^"]+", badge: "[^"]*", colour: "(#[0-9a-f]{6})" \}\)',
                            source))
    assert tuple(found) == LEVELS
    assert found == load_rubric().level_colours
