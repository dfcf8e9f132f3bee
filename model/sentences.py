"""Split visible text into sentences with character offsets.

Each line of the visible text is a block of the page, so a sentence never crosses a line.
Inside a line, a sentence ends at . ! ? (or a run of them, with closing quotes or brackets)
followed by a space and something that can start a sentence; common abbreviations do not end one.
"""

from __future__ import annotations

import re
from typing import NamedTuple

_END = re.compile(r"""[.!?]+["'\u201d\u2019)\]]*(?=\s+["'\u201c\u2018(\[]?[A-Z0-9\u00c0-\u024f•\-–])""")
_ABBREVIATIONS = frozenset(
    "dr mr mrs prof st vs etc e.g i.e approx dept fig inc ltd co jr sr u.s u.k al ph.d m.d "
    "mt ave jan feb mar apr jun jul aug sep sept oct nov dec ref vol p pp ca".split()
)


class Sentence(NamedTuple):
    """A sentence of the visible text and where it stands in it."""

    text: str
    start: int
    end: int


def _ends_with_abbreviation(line: str, stop: int) -> bool:
    word = line[:stop].rsplit(None, 1)[-1] if line[:stop].strip() else ""
    word = word.lstrip("(\"'\u201c").lower()
    return word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())


def split_sentences(text: str) -> list[Sentence]:
    """Sentences of ``text`` with ``start``/``end`` offsets such that ``text[start:end] == sentence``."""
    sentences: list[Sentence] = []
    offset = 0
    for line in text.split("\n"):
        begin = 0
        for match in _END.finditer(line):
            dot = match.start()
            if line[dot] == "." and _ends_with_abbreviation(line, dot):
                continue
            _append(sentences, line, begin, match.end(), offset)
            begin = match.end()
        _append(sentences, line, begin, len(line), offset)
        offset += len(line) + 1
    return sentences


def _append(sentences: list[Sentence], line: str, begin: int, end: int, offset: int) -> None:
    chunk = line[begin:end]
    stripped = chunk.strip()
    if not stripped:
        return
    lead = len(chunk) - len(chunk.lstrip())
    start = offset + begin + lead
    sentences.append(Sentence(stripped, start, start + len(stripped)))
