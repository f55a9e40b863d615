// The Formulier page: the "Afdrukken" button (no inline handlers: the CSP allows none).
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-afdrukken]")) window.print();
});
