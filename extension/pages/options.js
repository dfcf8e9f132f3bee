"use strict";
const api = globalThis.browser || globalThis.chrome;
const form = document.getElementById("options");

api.runtime.sendMessage({ type: "get-options" }, (options) => {
  form.serviceUrl.value = options.serviceUrl;
  form.mode.value = options.mode;
  form.neverSites.value = options.neverSites.join("\n");
});

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const serviceUrl = form.serviceUrl.value.trim();
  const origin = new URL(serviceUrl).origin;
  if (!/^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?$/.test(origin) && api.permissions) {
    const granted = await api.permissions.request({ origins: [`${origin}/*`] }).catch(() => false);
    if (!granted) {
      document.getElementById("saved").textContent = `stemclaim needs your permission to reach ${origin}.`;
      return;
    }
  }
  const neverSites = form.neverSites.value.split(/\s+/).filter(Boolean);
  api.runtime.sendMessage({ type: "set-options", serviceUrl, mode: form.mode.value, neverSites }, (reply) => {
    document.getElementById("saved").textContent = reply && reply.ok ? "Saved." : "Could not save.";
  });
});
