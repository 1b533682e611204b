// Jobs page: while a job is queued or running, fetch the page again every 5 seconds and swap in
// its job lists, unless the admin turns the updates off. Without this script, "Refresh" does it.
"use strict";

(() => {
  const live = document.getElementById("jobs-live");
  const toggle = document.getElementById("auto-update");
  if (!live || !toggle) {
    return;
  }
  const parts = ["failed-part", "jobs-part"];

  async function update() {
    if (!toggle.checked || live.dataset.moving !== "true") {
      return;
    }
    try {
      const answer = await fetch(window.location.pathname, { headers: { Accept: "text/html" } });
      if (!answer.ok) {
        return;
      }
      const fresh = new DOMParser().parseFromString(await answer.text(), "text/html");
      for (const id of parts) {
        const replacement = fresh.getElementById(id);
        if (replacement) {
          document.getElementById(id).replaceWith(replacement);
        }
      }
      live.dataset.moving = fresh.getElementById("jobs-live")?.dataset.moving ?? "false";
    } catch {
      // The next tick tries again; the page itself still shows the last known state.
    }
  }

  toggle.closest("[hidden]")?.removeAttribute("hidden");
  window.setInterval(update, 5000);
})();
