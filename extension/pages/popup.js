"use strict";
const api = globalThis.browser || globalThis.chrome;
const LEVELS = globalThis.stemclaimLevels;

function send(message) {
  return new Promise((resolve) => api.runtime.sendMessage(message, resolve));
}

function show(state) {
  document.getElementById("consent").hidden = Boolean(state.consent);
  document.getElementById("mode").value = state.mode;
  document.getElementById("host").textContent = state.host || "this site";
  document.getElementById("never").checked = Boolean(state.never);
  document.getElementById("scoreAt").textContent = state.serviceUrl || "";
  document.getElementById("reportTo").textContent = state.reportUrl || "";
  const status = state.status;
  const message = document.getElementById("message");
  const result = document.getElementById("result");
  if (!status) return;
  document.getElementById("page").textContent = status.url ? `Page: ${status.url}` : "";
  if (status.error) {
    message.textContent = status.error;
    message.className = "error";
    result.hidden = true;
    return;
  }
  message.textContent = "";
  result.hidden = false;
  const level = document.getElementById("level");
  const known = LEVELS[status.level];
  level.textContent = known ? known.name : status.level;
  level.className = "level";
  level.style.background = known ? known.colour : "";
  document.getElementById("headline").textContent = status.result ? status.result.headline : "";
}

async function refresh() {
  show(await send({ type: "popup-state" }));
}

async function check(tabId) {
  await send({ type: "check", tabId });
  setTimeout(refresh, 1500);
}

document.getElementById("mode").addEventListener("change", async (event) => {
  await send({ type: "set-mode", mode: event.target.value });
  refresh();
});
document.getElementById("never").addEventListener("change", async (event) => {
  const state = await send({ type: "popup-state" });
  await send({ type: "never", host: state.host, never: event.target.checked });
});
document.getElementById("check").addEventListener("click", async () => {
  check((await send({ type: "popup-state" })).tabId);
});

document.getElementById("report").addEventListener("click", async () => {
  const state = await send({ type: "popup-state" });
  const reply = await send({ type: "report", tabId: state.tabId, note: document.getElementById("note").value });
  document.getElementById("reported").textContent = reply && reply.ok
    ? "Reported: the page and your note are with the regulators' queue. Thank you." : (reply && reply.error) || "Not sent.";
});

// A check still under way when the popup opens: show its result (kept in session storage) when it arrives.
api.storage.onChanged.addListener((changes, area) => {
  if (area === "session" || area === "local") refresh();
});

(async () => {
  const state = await send({ type: "popup-state" });
  show(state);
  // In manual mode, clicking the toolbar button is the request to check this page.
  if (state.consent && state.mode === "manual" && !state.checked && state.tabId !== undefined) check(state.tabId);
})();
