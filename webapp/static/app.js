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
