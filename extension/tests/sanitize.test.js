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
  assert.ok(html.includes("<input>"), "the field itself stays, without its value or any attribute");
});

test("the live page is not changed", () => {
  const window = pageWith(PAGE);
  window.stemclaim.sanitizedHtml(window.document);
  assert.ok(window.document.querySelector("script"));
  assert.equal(window.document.querySelector("input[name=email]").getAttribute("value"), "me@example.org");
});

const SECRETS = `<!doctype html><html><head><title>Inbox (3) - jo@mail.example</title>
<meta name="csrf-token" content="csrf-secret-1"><meta property="og:url" content="https://clinic.example/?sid=og-secret">
<link rel="canonical" href="https://clinic.example/?session=canon-secret"><link rel="preload" href="/x?t=preload-secret">
<base href="https://clinic.example/?b=base-secret"><style>.menu-closed{display:none}</style></head><body>
<h1 data-user="jo@mail.example" data-session="data-secret">Stem cell therapy for MS</h1>
<p>Our cells repair myelin. <a href="https://clinic.example/book?token=link-secret">Book</a></p>
<form action="/pay?token=action-secret"><button value="button-secret">Pay</button></form>
<data value="data-value-secret">Price</data><div contenteditable="true">typed-secret draft</div>
<nav hidden>hidden-attr-secret</nav><div aria-hidden="true">aria-secret</div>
<div style="display:none">account-menu-secret</div><div class="menu-closed">stylesheet-hidden-secret</div>
<img src="/photo.jpg?u=img-secret" alt="A clinic photo"></body></html>`;

test("nothing a page carries outside what a reader sees leaves the browser", () => {
  const window = pageWith(SECRETS);
  const html = window.stemclaim.sanitizedHtml(window.document);
  for (const secret of ["jo@mail.example", "csrf-secret-1", "og-secret", "canon-secret", "preload-secret",
    "base-secret", "data-secret", "link-secret", "action-secret", "button-secret", "data-value-secret",
    "typed-secret", "hidden-attr-secret", "aria-secret", "account-menu-secret", "stylesheet-hidden-secret",
    "img-secret"]) {
    assert.ok(!html.includes(secret), `${secret} should not be sent`);
  }
  for (const kept of ["Stem cell therapy for MS", "Our cells repair myelin.", "Book", "Pay", "Price",
    'alt="A clinic photo"']) {
    assert.ok(html.includes(kept), `${kept} is what a reader sees`);
  }
});
