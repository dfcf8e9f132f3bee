// Draws the risk banner at the top of the page, in its own shadow root. Every text is set with textContent.
(function (root) {
  "use strict";

  const LEVELS = root.stemclaimLevels;
  const STYLE = `
    :host { all: initial; display: block; position: relative; z-index: 2147483647; }
    .box { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1d2327; background: #fff;
           border-bottom: 4px solid var(--accent); box-shadow: 0 2px 6px rgba(0,0,0,.15); padding: 12px 16px; }
    .top { display: flex; gap: 12px; align-items: baseline; flex-wrap: wrap; }
    .badge { background: var(--accent); color: #fff; border-radius: 4px; padding: 1px 8px; font-weight: 600; }
    h2 { font-size: 16px; margin: 0; flex: 1; }
    p { margin: 6px 0; }
    ul { margin: 6px 0; padding-left: 20px; }
    q { font-style: italic; }
    .muted { color: #50575e; font-size: 12px; }
    button { font: inherit; border: 1px solid #8c8f94; background: #f6f7f7; border-radius: 4px; padding: 2px 10px;
             cursor: pointer; }
    details { margin: 6px 0; } summary { cursor: pointer; }
    .hit { font-weight: 600; } a { color: #135e96; }`;

  function el(doc, tag, text, className) {
    const node = doc.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }

  function safeLink(doc, href, text) {
    const link = el(doc, "a", text);
    if (/^https:\/\//i.test(String(href))) link.setAttribute("href", href);
    link.setAttribute("target", "_blank");
    link.setAttribute("rel", "noopener noreferrer");
    return link;
  }

  /** The top ``n`` red flags the page hits, strongest first, each with its first evidence sentence. */
  /** Every red flag the page shows, heaviest first (the grade the rubric gives it, then the model's confidence). */
  function redFlags(result, rubric) {
    const weight = new Map(((rubric && rubric.criteria) || []).map((c) => [c.id, c.grade || 0]));
    return (result.criteria || [])
      .filter((c) => c.hit && c.kind === "red_flag")
      .sort((a, b) => (weight.get(b.id) || 0) - (weight.get(a.id) || 0) || b.probability - a.probability)
      .map((c) => ({ id: c.id, title: c.title, quote: c.evidence && c.evidence.length ? c.evidence[0].text : "" }));
  }

  /**
   * Build the banner host for an assessment (the service's JSON) and the rubric (``/v1/criteria``).
   * Returns null for pages that are not applicable. ``onDismiss`` runs when the reader dismisses it.
   */
  function buildBanner(doc, result, rubric, onDismiss) {
    if (!result || !LEVELS[result.level] || result.level === "not_applicable") return null;
    const host = doc.createElement("div");
    host.id = "stemclaim-banner";
    host.setAttribute("data-level", result.level);
    const shadow = host.attachShadow({ mode: "open" });
    shadow.appendChild(el(doc, "style", STYLE));
    const box = el(doc, "section", null, "box " + result.level);
    box.style.setProperty("--accent", LEVELS[result.level].colour);
    box.setAttribute("role", "region");
    box.setAttribute("aria-label", "stemclaim review of this page");

    const top = el(doc, "div", null, "top");
    top.appendChild(el(doc, "span", LEVELS[result.level].name + " · score " + Math.round(result.score), "badge"));
    top.appendChild(el(doc, "h2", result.headline));
    const dismiss = el(doc, "button", "Dismiss for this site");
    dismiss.setAttribute("type", "button");
    dismiss.addEventListener("click", () => {
      host.remove();
      if (onDismiss) onDismiss();
    });
    top.appendChild(dismiss);
    box.appendChild(top);
    box.appendChild(el(doc, "p", result.summary));

    const flags = redFlags(result, rubric);
    if (flags.length) {
      const list = el(doc, "ul", null, "flags");
      for (const flag of flags) {
        const item = el(doc, "li");
        item.appendChild(el(doc, "span", flag.title, "hit"));
        if (flag.quote) {
          item.appendChild(doc.createTextNode(": this page says "));
          item.appendChild(el(doc, "q", flag.quote));
        }
        list.appendChild(item);
      }
      box.appendChild(list);
    }

    const descriptions = new Map(((rubric && rubric.criteria) || []).map((c) => [c.id, c.description]));
    const all = el(doc, "details");
    all.appendChild(el(doc, "summary", "All criteria checked"));
    const criteria = el(doc, "ul");
    for (const c of result.criteria || []) {
      const item = el(doc, "li");
      const shown = c.kind === "mitigating" ? (c.hit ? "shown (a good sign)" : "not shown") : (c.hit ? "shown" : "not found");
      item.appendChild(el(doc, "span", c.title + ": " + shown, c.hit ? "hit" : ""));
      if (descriptions.has(c.id)) item.appendChild(el(doc, "div", descriptions.get(c.id), "muted"));
      criteria.appendChild(item);
    }
    all.appendChild(criteria);
    box.appendChild(all);

    const sources = (rubric && rubric.neutral_sources) || [];
    if (sources.length) {
      const para = el(doc, "p", "Neutral information: ");
      sources.forEach((s, i) => {
        if (i) para.appendChild(doc.createTextNode(" · "));
        para.appendChild(safeLink(doc, s.url, s.title));
      });
      box.appendChild(para);
    }
    box.appendChild(el(doc, "p", (rubric && rubric.disclaimer) ||
      "Automated review of the page's wording. Not affiliated with FDA or FTC. Not medical or legal advice.", "muted"));
    shadow.appendChild(box);
    return host;
  }

  /** Put the banner at the top of the page, replacing an earlier one. */
  function showBanner(doc, result, rubric, onDismiss) {
    const old = doc.getElementById("stemclaim-banner");
    if (old) old.remove();
    const host = buildBanner(doc, result, rubric, onDismiss);
    if (host) (doc.body || doc.documentElement).prepend(host);
    return host;
  }

  const api = { buildBanner, showBanner, redFlags };
  root.stemclaim = Object.assign(root.stemclaim || {}, api);
  if (typeof module !== "undefined") module.exports = api;
})(typeof globalThis !== "undefined" ? globalThis : this);
