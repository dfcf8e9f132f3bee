// Makes the copy of the page that is sent: scripts, styles, iframes, comments, form values and hidden inputs removed.
(function (root) {
  "use strict";

  const REMOVED = "script, style, link[rel~='stylesheet'], iframe, frame, object, embed, noscript, template, " +
    "input[type='hidden'], #stemclaim-banner";

  /** A sanitised clone of ``doc`` serialised as HTML; the live page is not touched. */
  function sanitizedHtml(doc) {
    const clone = doc.documentElement.cloneNode(true);
    clone.querySelectorAll(REMOVED).forEach((el) => el.remove());
    clone.querySelectorAll("input, textarea, select, option").forEach((field) => {
      field.removeAttribute("value");
      field.removeAttribute("checked");
      field.removeAttribute("selected");
      if (field.tagName === "TEXTAREA") field.textContent = "";
    });
    const walker = doc.createTreeWalker(clone, 128 /* NodeFilter.SHOW_COMMENT */);
    const comments = [];
    while (walker.nextNode()) comments.push(walker.currentNode);
    comments.forEach((comment) => comment.remove());
    return "<!DOCTYPE html>\n" + clone.outerHTML;
  }

  const api = { sanitizedHtml };
  root.stemclaim = Object.assign(root.stemclaim || {}, api);
  if (typeof module !== "undefined") module.exports = api;
})(typeof globalThis !== "undefined" ? globalThis : this);
