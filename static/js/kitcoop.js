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
