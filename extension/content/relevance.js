// Decides whether a page's visible text is about stem-cell therapy for MS; only such pages are sent in automatic mode.
(function (root) {
  "use strict";

  const STEM_CELL = /\bstem[\s-]?cells?\b|\bmesenchymal\b|\bMSCs?\b|\bexosomes?\b|\ba?HSCT\b|\bcord[\s-]blood\b|\bhaematopoietic\b|\bhematopoietic\b|\bWharton'?s jelly\b|\bstromal vascular\b/i;
  const MULTIPLE_SCLEROSIS = /\bmultiple sclerosis\b|\b(?:RR|SP|PP)MS\b/i;
  const MS_ABBREVIATION = /\bMS\b/; // case-sensitive: "MS", not "ms" (milliseconds)

  function mentionsStemCells(text) {
    return STEM_CELL.test(text);
  }

  function mentionsMultipleSclerosis(text) {
    return MULTIPLE_SCLEROSIS.test(text) || MS_ABBREVIATION.test(text);
  }

  /** True when the text mentions both stem-cell therapy and multiple sclerosis. */
  function isRelevant(text) {
    const sample = String(text || "").slice(0, 500000);
    return mentionsStemCells(sample) && mentionsMultipleSclerosis(sample);
  }

  const api = { isRelevant, mentionsStemCells, mentionsMultipleSclerosis };
  root.stemclaim = Object.assign(root.stemclaim || {}, api);
  if (typeof module !== "undefined") module.exports = api;
})(typeof globalThis !== "undefined" ? globalThis : this);
