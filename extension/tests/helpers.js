// Loads the content scripts into a jsdom window, as the browser would.
const fs = require("node:fs");
const path = require("node:path");
const { JSDOM } = require("jsdom");

function pageWith(html) {
  const dom = new JSDOM(html, { runScripts: "outside-only" });
  for (const name of ["levels.js", "content/relevance.js", "content/sanitize.js", "content/banner.js"]) {
    dom.window.eval(fs.readFileSync(path.join(__dirname, "..", name), "utf8"));
  }
  return dom.window;
}

function assessment(overrides = {}) {
  return {
    score: 91.2, grade: 3, level: "high", applicable: true, headline: "Several claims here match common warning signs",
    summary: "This page makes claims that stem-cell scientists and consumer regulators list as warning signs.",
    text_length: 100, model: { name: "overclaim", version: "1", sha256: "0".repeat(64), rubric_version: "1" },
    criteria: [
      { id: "cure_claim", kind: "red_flag", title: "Claims a cure or repair", hit: true, probability: 0.99,
        evidence: [{ text: "Our cells reverse MS.", start: 0, end: 21 }] },
      { id: "risk_minimization", kind: "red_flag", title: "Plays down the risks", hit: true, probability: 0.9,
        evidence: [{ text: "No side effects at all.", start: 22, end: 45 }] },
      { id: "commercial_pressure", kind: "red_flag", title: "Sales pressure", hit: true, probability: 0.8,
        evidence: [{ text: "Only 3 places left.", start: 46, end: 65 }] },
      { id: "testimonial_evidence", kind: "red_flag", title: "Patient stories as proof", hit: true, probability: 0.6,
        evidence: [{ text: "I walk again!", start: 66, end: 79 }] },
      { id: "cure_all", kind: "red_flag", title: "One treatment for many diseases", hit: false, probability: 0.1,
        evidence: [] },
      { id: "discusses_risks", kind: "mitigating", title: "Names the risks", hit: false, probability: 0.05,
        evidence: [] },
    ],
    ...overrides,
  };
}

const RUBRIC = {
  rubric_version: "1",
  criteria: [
    { id: "cure_claim", grade: 3, description: "Says the treatment cures, reverses or halts MS." },
    { id: "risk_minimization", grade: 3, description: "Says it is risk-free." },
    { id: "commercial_pressure", grade: 1, description: "Urgency, discounts, package prices." },
    { id: "testimonial_evidence", grade: 1, description: "Patient stories as proof." },
    { id: "discusses_risks", description: "Names specific risks." },
  ],
  neutral_sources: [
    { title: "FDA consumer information", url: "https://www.fda.gov/example" },
    { title: "Bad link", url: "javascript:alert(1)" },
  ],
  disclaimer: "Automated review of the page's wording. Not affiliated with FDA or FTC.",
};

module.exports = { pageWith, assessment, RUBRIC };
