const test = require("node:test");
const assert = require("node:assert/strict");
const { isRelevant } = require("../content/relevance.js");

test("pages about stem cells and MS are relevant", () => {
  assert.ok(isRelevant("Our stem cell therapy helps people with multiple sclerosis."));
  assert.ok(isRelevant("Mesenchymal cells for RRMS"));
  assert.ok(isRelevant("aHSCT is an option for some people with MS."));
  assert.ok(isRelevant("Exosome infusions for MS fatigue"));
  assert.ok(isRelevant("Umbilical cord blood treatment, now for Multiple Sclerosis"));
});

test("pages about only one of the two are not", () => {
  assert.equal(isRelevant("Stem cell injections for knee arthritis and back pain."), false);
  assert.equal(isRelevant("Living well with multiple sclerosis: diet, exercise and fatigue."), false);
  assert.equal(isRelevant("The page loaded in 30 ms with stem cell images."), false); // "ms" is not MS
  assert.equal(isRelevant(""), false);
  assert.equal(isRelevant(undefined), false);
});

test("pages private by nature are never sent automatically, whatever they mention", () => {
  const { isPrivatePage } = require("../content/relevance.js");
  const { JSDOM } = require("jsdom");
  const inbox = new JSDOM("<p>Re: stem cell therapy for multiple sclerosis in Mexico?</p>").window.document;
  for (const url of ["https://mail.example.com/u/0/#inbox", "https://webmail.host.example/", "https://example.org/inbox/42",
    "https://social.example/messages/t/123", "https://bank.example.com/overview", "https://shop.example/checkout",
    "https://clinic.example/account/settings", "https://clinic.example/login?next=/"]) {
    assert.equal(isPrivatePage(inbox, url), true, url);
  }
  const signIn = new JSDOM('<form><input type="password"></form><p>Stem cells for MS</p>').window.document;
  assert.equal(isPrivatePage(signIn, "https://clinic.example/stem-cells-ms"), true);
  const card = new JSDOM('<input autocomplete="cc-number">').window.document;
  assert.equal(isPrivatePage(card, "https://clinic.example/book"), true);
  const clinic = new JSDOM("<h1>Stem cell therapy for MS</h1>").window.document;
  assert.equal(isPrivatePage(clinic, "https://clinic.example/treatments/multiple-sclerosis"), false);
  assert.equal(isPrivatePage(clinic, "https://www.mayoclinic.example/diseases/ms/stem-cells"), false);
  assert.equal(isPrivatePage(clinic, "https://my.hospital.example/health/treatments/stem-cells-ms"), false);
});

test("a page served with Cache-Control private or no-store is treated as private; so is one the cache lacks", async () => {
  const { servedPrivately } = require("../content/relevance.js");
  const asked = [];
  const cached = (control, ok = true) => async (url, options) => {
    asked.push(options);
    return { ok, headers: new Map(control === null ? [] : [["cache-control", control]]) };
  };
  assert.equal(await servedPrivately("https://clinic.example/ms", cached("private, max-age=0")), true);
  assert.equal(await servedPrivately("https://clinic.example/ms", cached("no-store")), true);
  assert.equal(await servedPrivately("https://clinic.example/ms", cached("No-Store, must-revalidate")), true);
  assert.equal(await servedPrivately("https://clinic.example/ms", cached("public, max-age=600")), false);
  assert.equal(await servedPrivately("https://clinic.example/ms", cached("no-cache")), false);
  assert.equal(await servedPrivately("https://clinic.example/ms", cached(null)), false);
  assert.equal(await servedPrivately("https://clinic.example/ms", cached(null, false)), true); // 504: not cached
  assert.equal(await servedPrivately("https://clinic.example/ms", async () => { throw new TypeError("x"); }), true);
  assert.ok(asked.every((o) => o.cache === "only-if-cached" && o.mode === "same-origin")); // never the network
});
