// Small progressive enhancements; every page also works without JavaScript.
document.addEventListener("DOMContentLoaded", () => {
  const clear = document.getElementById("wis-filters");
  const form = document.getElementById("filters");
  if (!clear || !form || !window.htmx) return;
  clear.addEventListener("click", (event) => {
    event.preventDefault();
    form.querySelectorAll("input[type=search]").forEach((el) => { el.value = ""; });
    form.querySelectorAll("input[type=checkbox]").forEach((el) => { el.checked = false; });
    const url = clear.getAttribute("href");
    window.htmx.ajax("GET", url, { target: "#resultaten" });
    history.replaceState(null, "", url);
  });
});
