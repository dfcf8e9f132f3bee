"""Shared fixtures and the test tiers.

Markers: ``browser`` (drives Debian's Chromium), ``postgres`` (needs the throwaway PostgreSQL that tests/run.sh
starts), ``slow`` (trains a model, fuzzes the API, or starts process pools). While working, run the fast tier:

    .venv/bin/python -m pytest -m "not browser and not postgres and not slow"

and before committing, the whole suite with ``bash tests/run.sh``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURE_PAGES = Path(__file__).resolve().parent / "fixtures" / "pages"


@pytest.fixture(scope="session")
def fixture_html():
    """The text of one of our own test pages (tests/fixtures/pages/<name>.html)."""

    def read(name: str) -> str:
        return (FIXTURE_PAGES / f"{name}.html").read_text("utf-8")

    return read
