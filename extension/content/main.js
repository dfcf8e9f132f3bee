// Orchestrates a page: asks the background whether and how to check, sends the sanitised page, shows the banner.
(function () {
  "use strict";
  const api = globalThis.browser || globalThis.chrome;
  const { isPrivatePage, isRelevant, sanitizedHtml, servedPrivately, showBanner } = globalThis.stemclaim;

  function send(message) {
    return new Promise((resolve) => {
      try {
        api.runtime.sendMessage(message, (reply) => resolve(api.runtime.lastError ? null : reply));
      } catch (error) {
        resolve(null);
      }
    });
  }

  async function check(respectDismissal) {
    const reply = await send({ type: "assess", html: sanitizedHtml(document), url: location.href });
    if (!reply || !reply.ok) return; // errors are shown in the popup, never on the page
    if (respectDismissal && reply.dismissed) return;
    showBanner(document, reply.result, reply.rubric, () => send({ type: "dismiss", url: location.href }));
  }

  async function start() {
    const state = await send({ type: "state", url: location.href });
    if (!state || !state.consent) return;
    api.runtime.onMessage.addListener((message, _sender, sendResponse) => {
      if (message && message.type === "check-now") check(false).catch(() => {});
      if (message && message.type === "snapshot") sendResponse(sanitizedHtml(document));
    });
    if (state.mode !== "auto" || state.blocked || isPrivatePage(document, location)) return;
    if (!isRelevant(document.body ? document.body.innerText : "")) return;
    if (await servedPrivately(location.href)) return; // Cache-Control: private or no-store: never sent by itself
    await check(true);
  }

  start().catch(() => {});
})();
