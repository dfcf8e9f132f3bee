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
