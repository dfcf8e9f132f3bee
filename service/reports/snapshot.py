"""The snapshot a report keeps: what a reader of the page saw, and nothing else."""

from __future__ import annotations

from bs4 import BeautifulSoup, Comment

from model.text import is_hidden
from service.scoring.pool import assess_here

REMOVED = ("head", "script", "style", "link", "meta", "base", "iframe", "frame", "object", "embed", "noscript",
           "template", "input[type=hidden]", "#stemclaim-banner")
KEPT_ATTRIBUTES = frozenset({"alt", "lang", "dir"})


def sanitised_snapshot(html: str | bytes) -> str:
    """A copy of the page that keeps what a reader saw and nothing else: no head (meta tokens, canonical and preload
    URLs, <base>), nothing that runs, no hidden subtrees, no form values or typed text, no attribute but alt, lang
    and dir (so no data-*, form actions, button or data values, or link URLs with their tokens)."""
    soup = BeautifulSoup(html, "lxml")
    for element in soup.select(", ".join(REMOVED)):
        element.decompose()
    for element in [tag for tag in soup.find_all(True) if is_hidden(tag.attrs)]:
        if not element.decomposed:
            element.decompose()
    for comment in soup.find_all(string=lambda s: isinstance(s, Comment)):
        comment.extract()
    for tag in soup.find_all(True):
        if tag.name == "textarea" or tag.get("contenteditable", "false").lower() != "false":
            tag.clear()
        tag.attrs = {name: value for name, value in tag.attrs.items() if name.lower() in KEPT_ATTRIBUTES}
    return str(soup)


def snapshot_and_assess(html: str) -> tuple[str, dict]:
    """In a scoring worker (see :meth:`service.scoring.pool.ScoringPool.run`): the snapshot a report keeps and its
    assessment, so that no page work runs in the threads the report store needs."""
    snapshot = sanitised_snapshot(html)
    return snapshot, assess_here(snapshot)
