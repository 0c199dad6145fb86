// Progressive enhancement only: every page works without this file.
import { initAll } from "./govuk/govuk-frontend.min.js";

initAll();

// Idle timeout warning (GOV.UK pattern): warn 2 minutes before the server signs the user out.
const dialog = document.getElementById("timeout-warning");
if (dialog && typeof dialog.showModal === "function") {
  const idle = Number(dialog.dataset.idleSeconds) * 1000;
  const warning = Number(dialog.dataset.warningSeconds) * 1000;
  let warnTimer;
  let outTimer;
  const schedule = () => {
    clearTimeout(warnTimer);
    clearTimeout(outTimer);
    warnTimer = setTimeout(() => dialog.showModal(), idle - warning);
    outTimer = setTimeout(() => { window.location.href = dialog.dataset.signoutUrl; }, idle);
  };
  dialog.querySelector("form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = new FormData(event.target);
    await fetch(dialog.dataset.keepaliveUrl, { method: "POST", body, credentials: "same-origin" });
    dialog.close();
    schedule();
  });
  schedule();
}

// Theming run progress: with JavaScript, follow the run in place (the status is a live
// region) instead of the no-script meta refresh, which would move a screen reader's place.
const runStatus = document.getElementById("run-status");
if (runStatus && runStatus.dataset.progressUrl) {
  const bar = document.querySelector("progress.app-progress");
  const poll = async () => {
    const response = await fetch(runStatus.dataset.progressUrl, { credentials: "same-origin" });
    const state = response.ok ? await response.json() : null;
    if (state && state.status === "running") {
      runStatus.textContent = `${state.stage}: ${state.percent}% done.`;
    }
    if (state && bar) {
      bar.value = state.percent;
      bar.textContent = `${state.percent}%`;
    }
    if (state && !["queued", "running"].includes(state.status)) {
      const link = document.createElement("a");
      link.className = "govuk-link";
      link.href = window.location.href;
      link.textContent = state.status === "finished" ? "See the themes" : "See what happened";
      const done = state.status === "finished" ? "The run has finished. " : "The run has stopped. ";
      runStatus.replaceChildren(done, link);
      return;
    }
    setTimeout(poll, 3000);
  };
  setTimeout(poll, 3000);
}
