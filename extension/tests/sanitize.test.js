const test = require("node:test");
const assert = require("node:assert/strict");
const { pageWith } = require("./helpers.js");

const PAGE = `<!doctype html><html><head><title>Clinic</title><style>.x{color:red}</style>
<link rel="stylesheet" href="/site.css"><script>var secret = "token-123";</script></head><body>
<!-- tracking comment --><h1>Stem cells for MS</h1><p>Our cells repair myelin.</p>
<iframe src="https://ads.example/"></iframe><noscript>enable js</noscript>
<form><input type="text" name="email" value="me@example.org"><input type="hidden" name="csrf" value="abc">
<textarea name="note">my private note</textarea><select><option value="a" selected>A</option></select></form>
<div id="stemclaim-banner">old banner</div></body></html>`;

test("the sent copy has no scripts, styles, frames, comments or form values, and keeps the text", () => {
  const window = pageWith(PAGE);
  window.document.querySelector("input[name=email]").value = "typed@example.org";
  const html = window.stemclaim.sanitizedHtml(window.document);
  for (const gone of ["<script", "token-123", "<style", "stylesheet", "<iframe", "tracking comment", "<noscript",
    "me@example.org", "typed@example.org", "csrf", "my private note", "selected", "old banner"]) {
    assert.ok(!html.includes(gone), `${gone} should be removed`);
  }
  assert.ok(html.startsWith("<!DOCTYPE html>"));
  assert.ok(html.includes("<h1>Stem cells for MS</h1>") && html.includes("Our cells repair myelin."));
  assert.ok(html.includes('name="email"'), "the field itself stays, only its value goes");
});

test("the live page is not changed", () => {
  const window = pageWith(PAGE);
  window.stemclaim.sanitizedHtml(window.document);
  assert.ok(window.document.querySelector("script"));
  assert.equal(window.document.querySelector("input[name=email]").getAttribute("value"), "me@example.org");
});
