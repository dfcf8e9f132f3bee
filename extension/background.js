// Owns settings, per-tab results and all network traffic to the stemclaim service.
"use strict";
if (!globalThis.stemclaimLevels && typeof importScripts === "function") importScripts("levels.js");
const api = globalThis.browser || globalThis.chrome;

// Two services: ``serviceUrl`` scores pages (and stores nothing); ``reportUrl`` receives reports, which it stores for
// regulators (a regulator's own instance, or the same service).
const DEFAULTS = { consent: false, mode: "auto", serviceUrl: "http://127.0.0.1:8000", reportUrl: "http://127.0.0.1:8000",
                   neverSites: [], dismissedSites: [] };
const SERVICE_URL = /^https?:\/\/[^\s]+$/i;
const MODES = ["auto", "manual", "off"];
const BADGES = { ...Object.fromEntries(Object.entries(globalThis.stemclaimLevels).map(([id, l]) => [id, [l.badge, l.colour]])),
                 error: ["!", "#50575e"] };
const TIMEOUT_MS = 20000;
// The last result or error per tab, and the latest overall, kept in session storage so that they survive the
// service worker being stopped (and are gone when the browser closes).
const session = api.storage.session || null;
const memory = new Map();
const rubrics = new Map(); // service URL -> rubric promise
const identities = new Map(); // service URL -> promise: true (a stemclaim service), false (something else), null (unreachable)

async function settings() {
  return { ...DEFAULTS, ...(await api.storage.local.get(Object.keys(DEFAULTS))) };
}

function hostOf(url) {
  try {
    return new URL(url).hostname;
  } catch (error) {
    return "";
  }
}

/** The page URL as sent: no query string, no fragment. */
function pageUrl(url) {
  // Only what names the page: no user:password@, no ;jsessionid=-style path parameters, no query, no fragment.
  try {
    const parsed = new URL(url);
    parsed.username = "";
    parsed.password = "";
    parsed.pathname = parsed.pathname.replace(/;[^/]*/g, "");
    parsed.search = "";
    parsed.hash = "";
    return parsed.toString();
  } catch (error) {
    return null;
  }
}

function endpoint(serviceUrl, path) {
  return String(serviceUrl).replace(/\/+$/, "") + path;
}

function errorText(status, serviceUrl) {
  if (status === 413) return "This page is too large for the stemclaim service to check.";
  if (status === 429) return "The stemclaim service is rate limiting requests; try again in a minute.";
  if (status === 503) return "The stemclaim service is busy; try again shortly.";
  if (status >= 400 && status < 500) return `The stemclaim service could not read this page (error ${status}).`;
  if (status) return `The stemclaim service had a problem (error ${status}).`;
  return `The stemclaim service could not be reached at ${serviceUrl}. Is it running?`;
}

async function fetchJson(url, options = {}) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
  try {
    const response = await fetch(url, { ...options, signal: controller.signal });
    return { status: response.status, body: response.ok ? await response.json() : null };
  } catch (error) {
    return { status: 0, body: null };
  } finally {
    clearTimeout(timer);
  }
}

/** Whether what answers at ``serviceUrl`` is a stemclaim service (its /health says so): checked before a page is sent. */
function identify(serviceUrl) {
  if (!identities.has(serviceUrl)) {
    const pending = (async () => {
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
      let response;
      try {
        response = await fetch(endpoint(serviceUrl, "/health"), { signal: controller.signal });
      } catch (error) {
        return null;
      } finally {
        clearTimeout(timer);
      }
      const body = await response.json().catch(() => null);
      return Boolean(body && body.service === "stemclaim");
    })().then((known) => {
      if (known !== true) identities.delete(serviceUrl);
      return known;
    });
    identities.set(serviceUrl, pending);
  }
  return identities.get(serviceUrl);
}

/** An error text if pages must not be sent to ``serviceUrl``, else null. */
async function notStemclaim(serviceUrl) {
  const known = await identify(serviceUrl);
  if (known === null) return errorText(0, serviceUrl);
  return known ? null : `The service at ${serviceUrl} is not a stemclaim service, so nothing was sent to it.`;
}

function rubricFor(serviceUrl) {
  if (!rubrics.has(serviceUrl)) {
    const pending = fetchJson(endpoint(serviceUrl, "/v1/criteria")).then((r) => {
      if (!r.body) rubrics.delete(serviceUrl);
      return r.body;
    });
    rubrics.set(serviceUrl, pending);
  }
  return rubrics.get(serviceUrl);
}

function setBadge(tabId, key) {
  if (tabId === undefined || tabId === null) return;
  const [text, color] = BADGES[key] || ["", "#50575e"];
  api.action.setBadgeText({ tabId, text }).catch(() => {});
  if (text) api.action.setBadgeBackgroundColor({ tabId, color }).catch(() => {});
}

async function remember(tabId, status) {
  const entries = { latest: status };
  if (tabId !== undefined && tabId !== null) entries[`tab:${tabId}`] = status;
  for (const [key, value] of Object.entries(entries)) memory.set(key, value);
  if (session) await session.set(entries).catch(() => {});
  setBadge(tabId, status.error ? "error" : status.level);
}

async function recall(key) {
  if (memory.has(key)) return memory.get(key);
  if (!session) return null;
  const stored = await session.get(key).catch(() => ({}));
  return stored[key] || null;
}

async function assess(message, tabId) {
  const s = await settings();
  if (!s.consent || s.mode === "off") return { ok: false, error: "stemclaim is switched off." };
  const url = pageUrl(message.url);
  const host = hostOf(message.url);
  const refused = await notStemclaim(s.serviceUrl);
  if (refused) {
    await remember(tabId, { url, host, error: refused, at: Date.now() });
    return { ok: false, error: refused };
  }
  const reply = await fetchJson(endpoint(s.serviceUrl, "/v1/assess"), {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ html: String(message.html || ""), url }),
  });
  if (!reply.body) {
    const error = errorText(reply.status, s.serviceUrl);
    await remember(tabId, { url, host, error, at: Date.now() });
    return { ok: false, error };
  }
  const result = reply.body;
  await remember(tabId, { url, host, level: result.level, result, at: Date.now() });
  return { ok: true, result, rubric: await rubricFor(s.serviceUrl), dismissed: s.dismissedSites.includes(host) };
}

async function addToList(key, host, present) {
  const s = await settings();
  const list = s[key].filter((h) => h !== host);
  if (present && host) list.push(host);
  await api.storage.local.set({ [key]: list });
}

async function activeTab() {
  const [tab] = await api.tabs.query({ active: true, currentWindow: true });
  return tab;
}

const handlers = {
  async state(message) {
    const s = await settings();
    const host = hostOf(message.url);
    return { consent: s.consent, mode: s.mode, blocked: s.neverSites.includes(host) };
  },
  assess: (message, sender) => assess(message, sender.tab && sender.tab.id),
  async dismiss(message) {
    await addToList("dismissedSites", hostOf(message.url), true);
    return { ok: true };
  },
  async consent() {
    await api.storage.local.set({ consent: true, mode: "auto" });
    return { ok: true };
  },
  async "popup-state"() {
    const s = await settings();
    const tab = await activeTab();
    const host = tab ? hostOf(tab.url || "") : "";
    const own = tab ? await recall(`tab:${tab.id}`) : null;
    const status = own || (await recall("latest"));
    return { consent: s.consent, mode: s.mode, host, never: s.neverSites.includes(host), status, checked: Boolean(own),
             tabId: tab && tab.id, serviceUrl: s.serviceUrl, reportUrl: s.reportUrl };
  },
  async "set-mode"(message) {
    if (!MODES.includes(message.mode)) return { ok: false };
    await api.storage.local.set({ mode: message.mode });
    return { ok: true };
  },
  async never(message) {
    await addToList("neverSites", message.host, Boolean(message.never));
    return { ok: true };
  },
  async report(message) {
    const s = await settings();
    if (!s.consent) return { ok: false, error: "stemclaim sends nothing until you agree." };
    const tab = await api.tabs.get(message.tabId).catch(() => null);
    const html = tab ? await api.tabs.sendMessage(tab.id, { type: "snapshot" }).catch(() => null) : null;
    if (!html) return { ok: false, error: "This page cannot be reported (stemclaim cannot read it)." };
    const refused = await notStemclaim(s.reportUrl);
    if (refused) return { ok: false, error: refused };
    const reply = await fetchJson(endpoint(s.reportUrl, "/v1/reports"), {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ url: pageUrl(tab.url), html, note: String(message.note || "").slice(0, 5000) || null }),
    });
    if (!reply.body) return { ok: false, error: errorText(reply.status, s.reportUrl) };
    return { ok: true, level: reply.body.assessment && reply.body.assessment.level };
  },
  async check(message) {
    if (message.tabId === undefined) return { ok: false };
    await api.tabs.sendMessage(message.tabId, { type: "check-now" }).catch(() => {});
    return { ok: true };
  },
  "get-options": () => settings(),
  async undismiss(message) {
    await addToList("dismissedSites", String(message.host || ""), false);
    return { ok: true, dismissedSites: (await settings()).dismissedSites };
  },
  async "set-options"(message) {
    const update = {};
    for (const key of ["serviceUrl", "reportUrl"]) {
      if (typeof message[key] === "string" && SERVICE_URL.test(message[key].trim())) update[key] = message[key].trim();
    }
    if (MODES.includes(message.mode)) update.mode = message.mode;
    if (Array.isArray(message.neverSites)) {
      update.neverSites = message.neverSites.map((h) => String(h).trim().toLowerCase()).filter(Boolean);
    }
    await api.storage.local.set(update);
    rubrics.clear();
    identities.clear();
    return { ok: true, saved: Object.keys(update) };
  },
};

api.runtime.onMessage.addListener((message, sender, sendResponse) => {
  const handler = message && handlers[message.type];
  if (!handler) return false;
  Promise.resolve(handler(message, sender))
    .then(sendResponse)
    .catch(() => sendResponse({ ok: false, error: "stemclaim had an internal problem." }));
  return true;
});

api.runtime.onInstalled.addListener((details) => {
  if (details.reason === "install") api.tabs.create({ url: api.runtime.getURL("pages/consent.html") });
});

api.tabs.onRemoved.addListener((tabId) => {
  memory.delete(`tab:${tabId}`);
  if (session) session.remove(`tab:${tabId}`).catch(() => {});
});
