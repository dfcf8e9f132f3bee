"use strict";
const api = globalThis.browser || globalThis.chrome;

api.runtime.sendMessage({ type: "get-options" }, (options) => {
  if (options && options.serviceUrl) document.getElementById("service").textContent = options.serviceUrl;
  if (options && options.reportUrl) document.getElementById("reports").textContent = options.reportUrl;
});
document.getElementById("agree").addEventListener("click", () => {
  api.runtime.sendMessage({ type: "consent" }, () => {
    document.getElementById("agree").disabled = true;
    document.getElementById("done").hidden = false;
  });
});
