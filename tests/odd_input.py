"""Odd and broken page input that every reader of pages must survive, shared by the model and text tests."""

ODD_PAGES = {
    "empty": "", "empty-bytes": b"", "spaces": "   ", "lone-bracket": "<",
    "broken": "<html><body><div><p>unclosed <b>tags <i>everywhere",
    "deep": "<div>" * 20000 + "stem cells cure MS" + "</div>" * 20000,
    "cp1252": b'<html><head><meta charset="windows-1252"></head><body><p>Stem cells \x93cure\x94 MS \x96 caf\xe9</p>'
              b"</body></html>",
    "utf16": b"\xff\xfe<\x00p\x00>\x00h\x00i\x00<\x00/\x00p\x00>\x00",
    "surrogate": "<p>\ud800 lone surrogate</p>",
    "bad-bytes": b"\x80\x81\x82 not utf-8 \xfe",
}
