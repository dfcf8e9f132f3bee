// Decides whether a page may be sent in automatic mode: its visible text is about stem-cell therapy for MS, and it is
// not a page private by nature (mail, sign-in, banking, account, checkout) or served as private.
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

  // Pages private by nature are never sent automatically, whatever they mention: sign-in, mail, messaging, banking,
  // account and checkout pages, and any page with a password or payment-card field.
  const PRIVATE_HOST = /^(?:mail|webmail|inbox|outlook|messages?|chat|login|signin|accounts?|auth|sso|bank|banking|online-?banking|secure|checkout|pay|payments?|billing)\./i;
  const PRIVATE_PATH = /\/(?:mail|webmail|inbox|messages?|messaging|chat|conversations?|login|log-in|signin|sign-in|signup|sign-up|account|accounts|my-?account|profile|settings|banking|checkout|cart|basket|payment|payments|billing|orders?|wallet)(?:\/|$|[.?#])/i;
  const PRIVATE_FIELDS = "input[type='password'], input[autocomplete~='cc-number'], input[autocomplete~='current-password'], " +
    "input[autocomplete~='new-password'], input[autocomplete~='one-time-code']";

  /** True for a page that is private by nature (see above); ``where`` is the page's location (or URL). */
  function isPrivatePage(doc, where) {
    let url = null;
    try {
      url = new URL(String(where && where.href ? where.href : where));
    } catch (error) {
      return true; // no readable address: do not send
    }
    if (PRIVATE_HOST.test(url.hostname) || PRIVATE_PATH.test(url.pathname)) return true;
    return Boolean(doc && doc.querySelector && doc.querySelector(PRIVATE_FIELDS));
  }

  /**
   * Whether the page was served as private (``Cache-Control: private`` or ``no-store``): read from the browser's
   * own cache, so no request goes out. A page the cache does not hold was most likely served with no-store, and is
   * treated as private too. ``fetchImpl`` defaults to a fetch made as the page: Firefox's content scripts fetch as
   * the extension unless they use ``content.fetch``; Chromium's fetch as the page already.
   */
  async function servedPrivately(url, fetchImpl = pageFetch()) {
    try {
      const response = await fetchImpl(String(url), { cache: "only-if-cached", mode: "same-origin" });
      if (!response || !response.ok) return true;
      return /(?:^|[\s,])(?:private|no-store)(?:$|[\s,=])/i.test(response.headers.get("cache-control") || "");
    } catch (error) {
      return true;
    }
  }

  function pageFetch() {
    const page = typeof content !== "undefined" ? content : null; // Firefox: the page's own window functions
    return page && typeof page.fetch === "function" ? page.fetch.bind(page) : globalThis.fetch;
  }

  const api = { isRelevant, isPrivatePage, servedPrivately, mentionsStemCells, mentionsMultipleSclerosis };
  root.stemclaim = Object.assign(root.stemclaim || {}, api);
  if (typeof module !== "undefined") module.exports = api;
})(typeof globalThis !== "undefined" ? globalThis : this);
