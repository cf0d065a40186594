// The print button of a printable page (no inline scripts: the CSP stays strict).
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});
