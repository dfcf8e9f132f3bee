"""HTML to the visible text a reader sees, one block of the page per line.

BeautifulSoup with the lxml parser; scripts, styles, templates, SVG, form values and
hidden elements are dropped; block elements end a line so sentences never run together.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bs4 import BeautifulSoup, Comment, NavigableString, Tag
from bs4.element import CData, Declaration, Doctype, ProcessingInstruction

DROPPED_TAGS = frozenset(
    {
        "script", "style", "noscript", "template", "svg", "math", "head", "title", "meta", "link",
        "iframe", "object", "embed", "canvas", "video", "audio", "picture", "source", "track",
        "input", "select", "option", "optgroup", "textarea", "datalist", "map", "dialog",
    }
)
BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "body", "br", "caption", "center", "dd",
        "details", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1",
        "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "html", "legend", "li", "main",
        "menu", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot",
        "th", "thead", "tr", "ul", "button", "img",
    }
)
_SKIPPED_STRINGS = (Comment, CData, Declaration, Doctype, ProcessingInstruction)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_SPACE = re.compile(r"[\s\u00a0\u200b\u2028\u2029\ufeff]+")


def is_hidden(tag: Tag) -> bool:
    """True for elements a browser would not show: hidden, aria-hidden, display:none."""
    attrs = tag.attrs
    if not attrs:
        return False
    if "hidden" in attrs or attrs.get("aria-hidden") == "true":
        return True
    style = attrs.get("style")
    return bool(style) and bool(_HIDDEN_STYLE.search(style))


_OPEN = r"<(script|style|svg|noscript|template)\b|<!--"
_OPEN_STR, _OPEN_BYTES = re.compile(_OPEN, re.I), re.compile(_OPEN.encode(), re.I)
_CLOSE_STR = {t: re.compile(rf"</{t}\s*>", re.I) for t in ("script", "style", "svg", "noscript", "template")}
_CLOSE_BYTES = {t: re.compile(rf"</{t}\s*>".encode(), re.I) for t in _CLOSE_STR}


def strip_invisible(html: str | bytes) -> str | bytes:
    """Cut closed script, style, svg, noscript and template blocks and comments before parsing: they are never
    shown, and on real pages they hold most of the elements and bytes. Linear time: once a block has no closing
    tag further on, blocks of that kind are left to the parser."""
    is_str = isinstance(html, str)
    opener = _OPEN_STR if is_str else _OPEN_BYTES
    closers = dict(_CLOSE_STR if is_str else _CLOSE_BYTES)
    comment_end = "-->" if is_str else b"-->"
    pieces, pos, search_from, comments = [], 0, 0, True
    while (match := opener.search(html, search_from)) is not None:
        name = match.group(1)
        if name is None:
            end = html.find(comment_end, match.end()) if comments else -1
            comments = end >= 0
            end = -1 if end < 0 else end + 3
        else:
            key = (name if is_str else name.decode()).lower()
            closer = closers.get(key)
            found = closer.search(html, match.end()) if closer is not None else None
            if found is None:
                closers.pop(key, None)
            end = found.end() if found is not None else -1
        if end < 0:
            search_from = match.end()
            continue
        pieces.append(html[pos:match.start()])
        pos = search_from = end
    if not pieces:
        return html
    pieces.append(html[pos:])
    return ("" if is_str else b"").join(pieces)


MAX_TAGS = 100_000  # far above any real page once scripts and styles are cut; tag soup beyond it costs seconds
_TAG_STR, _TAG_BYTES = re.compile(r"<[A-Za-z]"), re.compile(rb"<[A-Za-z]")


class TooManyTagsError(ValueError):
    """The page has more tags than a real page has: it is refused rather than parsed for seconds."""


def parse(html: str | bytes) -> BeautifulSoup:
    """Parse with lxml; bytes are decoded by the page's own meta charset when it has one. Raises
    :class:`TooManyTagsError` beyond ``MAX_TAGS`` tags (scripts, styles and comments not counted)."""
    html = strip_invisible(html)
    tags = (_TAG_STR if isinstance(html, str) else _TAG_BYTES).finditer(html)
    if sum(1 for _ in zip(range(MAX_TAGS + 1), tags)) > MAX_TAGS:
        raise TooManyTagsError(f"the page has more than {MAX_TAGS:,} tags, far more than a real page; it was not read")
    return BeautifulSoup(html, "lxml", multi_valued_attributes=None)


def _strings(root: Tag) -> Iterator[str | None]:
    """Text of the tree in document order; None marks a block boundary."""
    stack: list[Tag | NavigableString | None] = [root]
    while stack:
        node = stack.pop()
        if node is None:
            yield None
        elif isinstance(node, NavigableString):
            if not isinstance(node, _SKIPPED_STRINGS):
                yield str(node)
        elif node.name in DROPPED_TAGS or is_hidden(node):
            continue
        else:
            block = node.name in BLOCK_TAGS
            if block:
                yield None
                stack.append(None)
            if node.name == "img":
                alt = node.get("alt")
                if isinstance(alt, str) and alt.strip():
                    yield alt
            stack.extend(reversed(node.contents))


def soup_text(soup: BeautifulSoup) -> str:
    """Visible text of a parsed page: one line per block, whitespace collapsed."""
    lines: list[str] = []
    parts: list[str] = []
    for piece in _strings(soup):
        if piece is not None:
            parts.append(piece)
            continue
        if parts:
            line = _SPACE.sub(" ", "".join(parts)).strip()
            if line:
                lines.append(line)
            parts.clear()
    if parts:
        line = _SPACE.sub(" ", "".join(parts)).strip()
        if line:
            lines.append(line)
    return "\n".join(lines)


_MARKUP = re.compile(rb"<(?:[a-zA-Z][a-zA-Z0-9-]*|/[a-zA-Z]|!)[^>]{0,2000}>")


def looks_like_html(data: str | bytes) -> bool:
    """True when the input has any tag, comment or doctype; plain text is read line by line instead."""
    head = data[:200_000]
    return bool(_MARKUP.search(head.encode("utf-8", "surrogatepass") if isinstance(head, str) else head))


def plain_text(text: str) -> str:
    """Plain text (an already extracted page) as visible text: its own lines, whitespace collapsed."""
    lines = (_SPACE.sub(" ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def visible_text(html: str | bytes) -> str:
    """Visible text of an HTML page (see :func:`soup_text`); input with no markup keeps its own lines."""
    if not looks_like_html(html):
        if isinstance(html, bytes):
            html = parse(html).get_text()  # lets BeautifulSoup's charset detection decode the bytes
        return plain_text(html)
    return soup_text(parse(html))


def normalise(text: str) -> str:
    """Collapse whitespace the way :func:`visible_text` does, for comparing snippets."""
    return _SPACE.sub(" ", text).strip()
