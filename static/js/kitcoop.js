// Progressive enhancement only: every page works without JavaScript.
document.addEventListener("htmx:configRequest", (event) => {
  const token = document.querySelector("[name=csrfmiddlewaretoken]");
  if (token) event.detail.headers["X-CSRFToken"] = token.value;
});

// A form that autosaves in the background (htmx, `data-autosave`) also has explicit
// save/submit buttons. Each save bumps the record's version, and a save carrying an old
// version is refused as "modified by someone else": so the two must not overlap.
// - A click on a button while an autosave is in flight waits for its response (which
//   updates the hidden version field), then submits.
// - Once the form is submitted, no autosave starts any more (one may be due after a
//   change event, for instance the one fired by leaving a field to click the button).
const isAutosaveForm = (element) => element instanceof HTMLFormElement && element.hasAttribute("data-autosave");

document.addEventListener("htmx:beforeRequest", (event) => {
  const form = event.detail.elt;
  if (isAutosaveForm(form) && form.dataset.submitted) event.preventDefault();
});
document.addEventListener("htmx:beforeSend", (event) => {
  if (isAutosaveForm(event.detail.elt)) event.detail.elt.dataset.autosaving = "true";
});
document.addEventListener("htmx:afterRequest", (event) => {
  if (isAutosaveForm(event.detail.elt)) delete event.detail.elt.dataset.autosaving;
}, true);
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!isAutosaveForm(form)) return;
  if (form.dataset.autosaving) {
    event.preventDefault();
    const submitter = event.submitter;
    form.addEventListener("htmx:afterRequest", () => form.requestSubmit(submitter), { once: true });
    return;
  }
  form.dataset.submitted = "true";
});
// Back to the page from the browser's cache: autosave again.
window.addEventListener("pageshow", (event) => {
  if (!event.persisted) return;
  for (const form of document.querySelectorAll("form[data-autosave]")) delete form.dataset.submitted;
});

// Error summary (templates/kitcoop_dsfr/errors.html): after a refused submit, the focus goes
// to the summary at the top of the form, so that a screen reader reads it and the keyboard
// starts there; each link then puts the focus in its field (a radio group: its first
// option).
const focusErrorSummary = () => {
  const summary = document.querySelector("[data-error-summary]");
  if (!summary) return;
  summary.focus();
  summary.scrollIntoView({ block: "start" });
};
document.addEventListener("DOMContentLoaded", focusErrorSummary);
document.addEventListener("click", (event) => {
  const link = event.target.closest("a[data-error-link]");
  if (!link) return;
  const id = decodeURIComponent(link.getAttribute("href").slice(1));
  const target = document.getElementById(id) || document.getElementById(`${id}_0`);
  if (!target) return;
  event.preventDefault();
  target.scrollIntoView({ block: "center" });
  target.focus();
});
