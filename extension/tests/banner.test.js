const test = require("node:test");
const assert = require("node:assert/strict");
const { pageWith, assessment, RUBRIC } = require("./helpers.js");

test("a high assessment renders a banner with every red flag, heaviest first, each with its quote", () => {
  const window = pageWith("<html><body><p>page</p></body></html>");
  const host = window.stemclaim.showBanner(window.document, assessment(), RUBRIC);
  assert.equal(window.document.body.firstElementChild, host);
  assert.equal(host.id, "stemclaim-banner");
  assert.equal(host.getAttribute("data-level"), "high");
  const shadow = host.shadowRoot;
  assert.ok(shadow, "open shadow root");
  assert.match(shadow.querySelector("h2").textContent, /Several claims/);
  const flags = [...shadow.querySelectorAll("ul.flags li")].map((li) => li.textContent);
  assert.equal(flags.length, 4);
  assert.match(flags[0], /Claims a cure or repair: this page says Our cells reverse MS\./);
  assert.match(flags[3], /Patient stories as proof: this page says I walk again!/);
  const all = shadow.querySelector("details").textContent;
  assert.match(all, /Names the risks: not shown/);
  assert.match(all, /Says the treatment cures, reverses or halts MS\./);
  assert.match(shadow.textContent, /Not affiliated with FDA or FTC/);
  const links = [...shadow.querySelectorAll("a")];
  assert.equal(links[0].getAttribute("href"), "https://www.fda.gov/example");
  assert.equal(links[1].getAttribute("href"), null, "non-https links get no href");
});

test("not applicable pages get no banner", () => {
  const window = pageWith("<html><body><p>page</p></body></html>");
  const host = window.stemclaim.showBanner(window.document, assessment({ level: "not_applicable" }), RUBRIC);
  assert.equal(host, null);
  assert.equal(window.document.getElementById("stemclaim-banner"), null);
});

test("hostile page text is shown as inert text", () => {
  const window = pageWith("<html><body></body></html>");
  const payload = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>';
  const result = assessment({ headline: payload, summary: payload });
  result.criteria[0].evidence[0].text = `Our cells cure MS ${payload}`;
  result.criteria[0].title = payload;
  const host = window.stemclaim.showBanner(window.document, result, { ...RUBRIC, disclaimer: payload });
  const shadow = host.shadowRoot;
  assert.equal(shadow.querySelectorAll("img, script").length, 0);
  assert.ok(shadow.querySelector("h2").textContent.includes("<img src=x"));
  assert.ok(shadow.querySelector("q").textContent.includes("<script>"));
  assert.equal(window.pwned, undefined);
});

test("dismissing removes the banner and tells the caller", () => {
  const window = pageWith("<html><body></body></html>");
  let dismissed = 0;
  const host = window.stemclaim.showBanner(window.document, assessment(), RUBRIC, () => { dismissed += 1; });
  host.shadowRoot.querySelector("button").click();
  assert.equal(window.document.getElementById("stemclaim-banner"), null);
  assert.equal(dismissed, 1);
});

test("showing again replaces the earlier banner", () => {
  const window = pageWith("<html><body></body></html>");
  window.stemclaim.showBanner(window.document, assessment(), RUBRIC);
  window.stemclaim.showBanner(window.document, assessment({ level: "low" }), RUBRIC);
  const banners = window.document.querySelectorAll("#stemclaim-banner");
  assert.equal(banners.length, 1);
  assert.equal(banners[0].getAttribute("data-level"), "low");
});

test("red flags are ordered by the rubric's weight before the model's confidence", () => {
  const window = pageWith("<html><body><p>page</p></body></html>");
  const result = assessment();
  result.criteria.find((c) => c.id === "commercial_pressure").probability = 0.999;
  result.criteria.find((c) => c.id === "cure_claim").probability = 0.55;
  const titles = window.stemclaim.redFlags(result, RUBRIC).map((f) => f.id);
  assert.deepEqual(titles, ["risk_minimization", "cure_claim", "commercial_pressure", "testimonial_evidence"]);
});
