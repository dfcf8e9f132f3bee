"""The snapshot a report keeps: the page with scripts, styles, frames, comments, event handlers and form values cut."""

from __future__ import annotations

from bs4 import BeautifulSoup, Comment

from service.scoring.pool import assess_here

REMOVED = ("script", "style", "iframe", "frame", "object", "embed", "noscript", "template", "link", "meta[http-equiv]",
           "input[type=hidden]", "#stemclaim-banner")


def sanitised_snapshot(html: str | bytes) -> str:
    """A copy of the page that keeps what a reader saw and nothing that runs or that a visitor typed."""
    soup = BeautifulSoup(html, "lxml")
    for element in soup.select(", ".join(REMOVED)):
        element.decompose()
    for comment in soup.find_all(string=lambda s: isinstance(s, Comment)):
        comment.extract()
    for tag in soup.find_all(True):
        for name in [a for a in tag.attrs if a.lower().startswith("on") or a.lower() in ("value", "srcdoc")]:
            del tag[name]
        if tag.name == "textarea":
            tag.clear()
    return str(soup)


def snapshot_and_assess(html: str) -> tuple[str, dict]:
    """In a scoring worker (see :meth:`service.scoring.pool.ScoringPool.run`): the snapshot a report keeps and its
    assessment, so that no page work runs in the threads the report store needs."""
    snapshot = sanitised_snapshot(html)
    return snapshot, assess_here(snapshot)
