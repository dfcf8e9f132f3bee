"""HTML to the visible text a reader sees, one block of the page per line.

BeautifulSoup's lxml builder decides how the page is decoded and lxml parses it; the text is kept as the parser
reads it, exactly as a walk of BeautifulSoup's tree would give it, without building that tree. Scripts, styles,
templates, SVG, form values and hidden elements are dropped; block elements end a line so sentences never run
together.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from bs4 import BeautifulSoup, ParserRejectedMarkup
from bs4.builder import LXMLTreeBuilder
from lxml import etree

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
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_SPACE = re.compile(r"[\s\u00a0\u200b\u2028\u2029\ufeff]+")


def is_hidden(attrs: Mapping[str, object]) -> bool:
    """True for an element whose attributes a browser would not show it with: hidden, aria-hidden, display:none."""
    if not attrs:
        return False
    if "hidden" in attrs or attrs.get("aria-hidden") == "true":
        return True
    style = attrs.get("style")
    return isinstance(style, str) and bool(_HIDDEN_STYLE.search(style))


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


class VisibleText:
    """An lxml parser target that keeps the visible text as the parser reads the page, building no tree.

    It receives the very events BeautifulSoup's lxml tree builder turns into a soup, and keeps what a walk of that
    soup would show: no dropped or hidden subtree, comments, doctypes or processing instructions; a line break
    around every block element; an image's alt text. An end tag closes the nearest open element of its name and
    everything opened inside it, and one with no open element of its name is ignored, as BeautifulSoup does."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.parts: list[str] = []
        self.open: list[tuple[str, bool, bool]] = []  # (name, is a shown block, is hidden)

    def _break(self) -> None:
        if self.parts:
            line = _SPACE.sub(" ", "".join(self.parts)).strip()
            if line:
                self.lines.append(line)
            self.parts.clear()

    def start(self, tag: str, attrib: dict) -> None:
        open_ = self.open
        hidden = bool(open_) and open_[-1][2]
        block = False
        if not hidden:
            if tag in DROPPED_TAGS or is_hidden(attrib):
                hidden = True
            elif tag in BLOCK_TAGS:
                block = True
                if self.parts:
                    self._break()
                alt = attrib.get("alt") if tag == "img" else None
                if alt and alt.strip():
                    self.parts.append(alt)
        open_.append((tag, block, hidden))

    def end(self, tag: str) -> None:
        open_ = self.open
        if open_ and open_[-1][0] == tag:  # lxml's events nest, so this is every end tag on the pages tested
            if open_.pop()[1] and self.parts:
                self._break()
            return
        for i in range(len(open_) - 2, -1, -1):
            if open_[i][0] == tag:
                if any(block for _, block, _ in open_[i:]):
                    self._break()
                del open_[i:]
                return

    def data(self, text: str) -> None:
        if not (self.open and self.open[-1][2]):
            self.parts.append(text)

    def close(self) -> None:
        self._break()

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def _checked(html: str | bytes) -> str | bytes:
    """The page without its closed invisible blocks (:func:`strip_invisible`); :class:`TooManyTagsError` beyond
    ``MAX_TAGS`` tags."""
    html = strip_invisible(html)
    if html.count("<" if isinstance(html, str) else b"<") <= MAX_TAGS:  # every tag opens with "<": no need to count
        return html
    tags = (_TAG_STR if isinstance(html, str) else _TAG_BYTES).finditer(html)
    if sum(1 for _ in zip(range(MAX_TAGS + 1), tags)) > MAX_TAGS:
        raise TooManyTagsError(f"the page has more than {MAX_TAGS:,} tags, far more than a real page; it was not read")
    return html


def read_page(html: str | bytes) -> VisibleText:
    """Parse with lxml exactly as BeautifulSoup's lxml builder does (same parser options, same encodings tried in
    the same order: bytes by their BOM and meta charset first), into a :class:`VisibleText`. Raises
    :class:`TooManyTagsError` beyond ``MAX_TAGS`` tags (scripts, styles and comments not counted)."""
    rejections = []
    for markup, encoding, _, _ in LXMLTreeBuilder().prepare_markup(_checked(html)):
        target = VisibleText()
        try:
            parser = etree.HTMLParser(target=target, recover=True, huge_tree=False, encoding=encoding)
            parser.feed(markup)
            parser.close()
        except (UnicodeDecodeError, LookupError, etree.ParserError) as exc:
            rejections.append(str(exc))
            continue
        return target
    raise ParserRejectedMarkup(f"lxml could not read the page in any encoding: {rejections}")


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
    """Visible text of an HTML page (see :class:`VisibleText`); input with no markup keeps its own lines."""
    if not looks_like_html(html):
        if isinstance(html, bytes):
            # BeautifulSoup decodes the bytes (BOM, charset detection) and gives their text
            html = BeautifulSoup(_checked(html), "lxml", multi_valued_attributes=None).get_text()
        return plain_text(html)
    return read_page(html).text


def normalise(text: str) -> str:
    """Collapse whitespace the way :func:`visible_text` does, for comparing snippets."""
    return _SPACE.sub(" ", text).strip()
