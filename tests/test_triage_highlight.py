"""The triage page's evidence highlighting: right pieces, and work that does not grow with the page's length."""

import random
import tracemalloc

from service.reports.triage import highlight


def reference(text: str, criteria: list[dict]) -> list[tuple[str, list[str]]]:
    """Character by character: the obvious reading of what highlight must return."""
    marks = [sorted({c["title"] for c in criteria if c["hit"] for e in c["evidence"] if e["start"] <= i < e["end"]})
             for i in range(len(text))]
    pieces: list[tuple[str, list[str]]] = []
    for char, titles in zip(text, marks):
        if pieces and pieces[-1][1] == titles:
            pieces[-1] = (pieces[-1][0] + char, titles)
        else:
            pieces.append((char, titles))
    return pieces


def test_pieces_match_a_character_by_character_reading():
    rng = random.Random(7)
    for _ in range(200):
        text = "".join(rng.choice("ab. ") for _ in range(rng.randint(0, 60)))
        criteria = [{"title": f"C{k}", "hit": rng.random() < 0.8,
                     "evidence": [{"start": (s := rng.randint(-5, 65)), "end": s + rng.randint(-3, 30)}
                                  for _ in range(rng.randint(0, 3))]} for k in range(3)]
        assert highlight(text, criteria) == reference(text, criteria)


def test_a_large_report_is_highlighted_without_per_character_bookkeeping():
    text = "x" * 2_000_000
    criteria = [{"title": "Claims a cure", "hit": True, "evidence": [{"start": 10, "end": 1_999_990}]}]
    tracemalloc.start()
    try:
        pieces = highlight(text, criteria)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [len(chunk) for chunk, _ in pieces] == [10, 1_999_980, 10]
    assert peak < 10_000_000  # the pieces themselves take 2 MB; a mark per character took over 100 MB
