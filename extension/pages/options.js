"use strict";
const api = globalThis.browser || globalThis.chrome;
const form = document.getElementById("options");

function showDismissed(sites) {
  const list = document.getElementById("dismissedSites");
  list.replaceChildren();
  for (const host of sites) {
    const item = document.createElement("li");
    item.append(document.createTextNode(host + " "));
    const restore = document.createElement("button");
    restore.type = "button";
    restore.textContent = "Show the banner again";
    restore.addEventListener("click", () => {
      api.runtime.sendMessage({ type: "undismiss", host }, (reply) => showDismissed((reply && reply.dismissedSites) || []));
    });
    item.append(restore);
    list.append(item);
  }
  document.getElementById("noneDismissed").hidden = sites.length > 0;
}

api.runtime.sendMessage({ type: "get-options" }, (options) => {
  form.serviceUrl.value = options.serviceUrl;
  form.reportUrl.value = options.reportUrl;
  form.mode.value = options.mode;
  form.neverSites.value = options.neverSites.join("\n");
  showDismissed(options.dismissedSites);
});

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const serviceUrl = form.serviceUrl.value.trim();
  const reportUrl = form.reportUrl.value.trim();
  const remote = [...new Set([serviceUrl, reportUrl].map((url) => new URL(url).origin))]
    .filter((origin) => !/^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?$/.test(origin));
  if (remote.length && api.permissions) {
    const granted = await api.permissions.request({ origins: remote.map((origin) => `${origin}/*`) }).catch(() => false);
    if (!granted) {
      document.getElementById("saved").textContent = `stemclaim needs your permission to reach ${remote.join(" and ")}.`;
      return;
    }
  }
  const neverSites = form.neverSites.value.split(/\s+/).filter(Boolean);
  api.runtime.sendMessage({ type: "set-options", serviceUrl, reportUrl, mode: form.mode.value, neverSites }, (reply) => {
    document.getElementById("saved").textContent = reply && reply.ok ? "Saved." : "Could not save.";
  });
});
