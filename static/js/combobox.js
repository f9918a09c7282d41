// Establishment picker: a text input with suggestions fetched by htmx (ARIA 1.2 combobox,
// list autocomplete). Keyboard: ↓/↑ move through the suggestions, Entrée chooses, Échap
// closes. Without JavaScript the input stays a plain FINESS field.
(() => {
  const setup = (box) => {
    const input = box.querySelector("input[role=combobox]");
    const list = box.querySelector("[role=listbox]");
    const status = box.querySelector("[role=status]");
    if (!input || !list) return;
    let active = -1;
    const options = () => Array.from(list.querySelectorAll("[role=option]:not([aria-disabled=true])"));
    const open = (isOpen) => {
      list.hidden = !isOpen;
      input.setAttribute("aria-expanded", isOpen ? "true" : "false");
      if (!isOpen) {
        active = -1;
        input.removeAttribute("aria-activedescendant");
      }
    };
    const highlight = (index) => {
      const items = options();
      items.forEach((item, i) => item.setAttribute("aria-selected", i === index ? "true" : "false"));
      active = index;
      if (index >= 0 && items[index]) {
        input.setAttribute("aria-activedescendant", items[index].id);
        items[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    };
    const choose = (item) => {
      input.value = item.dataset.value;
      open(false);
      if (status) status.textContent = `${item.querySelector(".kc-combobox__name")?.textContent || ""} choisi (FINESS ${item.dataset.value}).`;
    };
    list.addEventListener("htmx:afterSwap", () => {
      const count = options().length;
      const empty = list.querySelector("[aria-disabled=true]");
      open(count > 0 || Boolean(empty));
      highlight(-1);
      if (status) {
        status.textContent = count
          ? `${count} suggestion${count > 1 ? "s" : ""}. Flèches haut et bas pour parcourir, Entrée pour choisir.`
          : (empty ? empty.textContent : "");
      }
    });
    input.addEventListener("keydown", (event) => {
      const items = options();
      if (event.key === "ArrowDown") {
        if (list.hidden && items.length) open(true);
        if (items.length) highlight(Math.min(active + 1, items.length - 1));
        event.preventDefault();
      } else if (event.key === "ArrowUp") {
        if (items.length) highlight(Math.max(active - 1, 0));
        event.preventDefault();
      } else if (event.key === "Enter" && !list.hidden && active >= 0 && items[active]) {
        choose(items[active]);
        event.preventDefault();
      } else if (event.key === "Escape" && !list.hidden) {
        open(false);
        event.preventDefault();
      }
    });
    list.addEventListener("mousedown", (event) => event.preventDefault());
    list.addEventListener("click", (event) => {
      const item = event.target.closest("[role=option]:not([aria-disabled=true])");
      if (item) choose(item);
    });
    input.addEventListener("blur", () => open(false));
  };
  const init = () => document.querySelectorAll("[data-combobox]").forEach(setup);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
