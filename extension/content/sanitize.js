// Makes the copy of the page that is sent: what a reader sees, and nothing else. Scripts, styles, frames, comments,
// the head (meta tokens, canonical and preload URLs, <base>), hidden subtrees (display:none, hidden, aria-hidden:
// account menus), form values, text typed into editable regions, and every attribute but alt, lang and dir
// (data-*, form actions, button and data values, links) are removed.
(function (root) {
  "use strict";

  const REMOVED = "head, script, style, link, meta, base, iframe, frame, object, embed, noscript, template, " +
    "input[type='hidden'], #stemclaim-banner";
  const KEPT_ATTRIBUTES = new Set(["alt", "lang", "dir"]);

  function hiddenInPage(element, view) {
    if (element.hidden || element.getAttribute("aria-hidden") === "true") return true;
    if (!view || !view.getComputedStyle) return false;
    const style = view.getComputedStyle(element);
    return style.display === "none" || style.visibility === "hidden";
  }

  /** A sanitised clone of ``doc`` serialised as HTML; the live page is not touched. */
  function sanitizedHtml(doc) {
    const clone = doc.documentElement.cloneNode(true);
    // The clone has the live page's structure, so its elements pair up with the live ones in document order; the
    // live page says what is hidden (by style sheets too) and what the visitor may have typed into.
    const live = [doc.documentElement, ...doc.documentElement.querySelectorAll("*")];
    const copy = [clone, ...clone.querySelectorAll("*")];
    const view = doc.defaultView;
    const drop = [];
    live.forEach((element, i) => {
      if (i > 0 && element !== doc.body && hiddenInPage(element, view)) drop.push(copy[i]);
      else if (element.hasAttribute("contenteditable") && element.getAttribute("contenteditable") !== "false") {
        copy[i].textContent = "";
      }
    });
    drop.forEach((element) => element.remove());
    clone.querySelectorAll(REMOVED).forEach((element) => element.remove());
    clone.querySelectorAll("textarea").forEach((field) => { field.textContent = ""; });
    [clone, ...clone.querySelectorAll("*")].forEach((element) => {
      for (const name of element.getAttributeNames()) {
        if (!KEPT_ATTRIBUTES.has(name.toLowerCase())) element.removeAttribute(name);
      }
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
