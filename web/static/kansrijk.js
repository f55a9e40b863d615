// Small progressive enhancements; every page also works without JavaScript.

// Tables (web/templates/_tabel.html). The filter form holds the search, the filters and hidden
// sort/page fields; htmx reloads the results when it fires "tabel-vernieuwen".
function tabelVernieuwen(form) {
  if (window.htmx) window.htmx.trigger(form, "tabel-vernieuwen");
  else form.submit();
}

// A sort header or pager link sets the hidden fields instead of navigating (the search text stays out of the URL).
document.addEventListener("click", (event) => {
  const link = event.target.closest("a[data-tabel-form]");
  if (!link || !window.htmx || event.ctrlKey || event.metaKey || event.shiftKey) return;
  const form = document.getElementById(link.dataset.tabelForm);
  if (!form) return;
  event.preventDefault();
  for (const name of ["sort", "richting", "pagina"]) {
    if (link.dataset[name] !== undefined && form.elements[name]) form.elements[name].value = link.dataset[name];
  }
  tabelVernieuwen(form);
});

// Any change to the search or the filters starts again at page 1.
document.addEventListener("input", (event) => {
  const form = event.target.form;
  if (form && form.id === "filters" && event.target.type !== "hidden" && form.elements.pagina) {
    form.elements.pagina.value = "1";
  }
}, true);

// The export form takes the filter form's current values (formdata does not bubble: capture it).
document.addEventListener("formdata", (event) => {
  const source = document.getElementById(event.target.dataset.tabelFilters || "");
  if (!source) return;
  for (const key of [...event.formData.keys()]) {
    if (key !== "csrf_token") event.formData.delete(key);
  }
  for (const [key, value] of new FormData(source)) event.formData.append(key, value);
}, true);

document.addEventListener("DOMContentLoaded", () => {
  const clear = document.getElementById("wis-filters");
  const form = document.getElementById("filters");
  if (!clear || !form || !window.htmx) return;
  clear.addEventListener("click", (event) => {
    event.preventDefault();
    for (const el of form.elements) {
      if (el.type === "checkbox") el.checked = false;
      else if (el.type === "search" || el.type === "date") el.value = "";
      else if (el.tagName === "SELECT") el.selectedIndex = 0;
    }
    if (form.elements.pagina) form.elements.pagina.value = "1";
    tabelVernieuwen(form);
    document.getElementById("q")?.focus();
  });
});
