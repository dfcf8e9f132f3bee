"""Visible text extraction and sentence splitting."""

from model.sentences import split_sentences
from model.text import visible_text


def test_drops_invisible_content_and_keeps_blocks_apart():
    html = """<html><head><title>T</title><style>p{color:red}</style></head><body>
    <nav><ul><li>Home</li><li>Treatments</li></ul></nav>
    <p>Stem cells <b>may</b> help.<span style="display: none">hidden span</span></p>
    <script>document.write("script text")</script><noscript>noscript text</noscript>
    <template><p>template text</p></template><svg><text>svg text</text></svg>
    <div hidden>hidden div</div><div aria-hidden="true">aria hidden</div>
    <form><input type="text" value="typed value"><textarea>draft</textarea>
    <select><option>Option A</option></select><button>Send</button></form>
    <!-- a comment --><div>First block</div><div>Second block</div></body></html>"""
    text = visible_text(html)
    assert text.split("\n") == ["Home", "Treatments", "Stem cells may help.", "Send", "First block", "Second block"]


def test_inline_markup_joins_and_superscripts_flatten():
    assert visible_text("<p>A dose of 10<sup>6</sup> cells per&nbsp;kg, <em>twice</em>.</p>") == (
        "A dose of 106 cells per kg, twice."
    )


def test_image_alt_text_is_its_own_line():
    assert visible_text('<p>Before<img src="a.png" alt="Clinic logo">after</p>') == "Before\nClinic logo\nafter"


def test_bytes_use_the_meta_charset():
    html = '<html><head><meta charset="windows-1252"></head><body><p>caf\xe9 \x93quoted\x94</p></body></html>'
    assert visible_text(html.encode("latin-1")) == "caf\u00e9 \u201cquoted\u201d"


def test_deep_nesting_does_not_recurse():
    html = "<div>" * 5000 + "deep" + "</div>" * 5000
    assert "deep" in visible_text(html)


def test_sentences_keep_offsets_and_respect_abbreviations():
    text = "Dr. Lee treats MS. Cells repair myelin! Is it safe? Yes.\nNext block without stop"
    sentences = split_sentences(text)
    assert [s.text for s in sentences] == [
        "Dr. Lee treats MS.", "Cells repair myelin!", "Is it safe?", "Yes.", "Next block without stop",
    ]
    assert all(text[s.start:s.end] == s.text for s in sentences)


def test_sentences_do_not_split_inside_numbers_or_lowercase_continuations():
    text = "About 2.8 million people have MS e.g. in Europe. Success was 85.5 percent."
    assert [s.text for s in split_sentences(text)] == [
        "About 2.8 million people have MS e.g. in Europe.", "Success was 85.5 percent.",
    ]


def test_plain_text_keeps_its_own_lines():
    assert visible_text("Home\nAbout us\n\n  Stem cells   cure MS.  \n") == "Home\nAbout us\nStem cells cure MS."


def test_many_unclosed_invisible_blocks_are_left_to_the_parser():
    # Tens of thousands of unclosed openers: a naive scan for each closing tag would be quadratic.
    html = "<p>start</p>" + "<!-- y" * 50_000 + "<script>x" * 50_000 + "<p>end</p>"
    assert visible_text(html) == "start"
