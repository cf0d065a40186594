// Small behaviours of the layout; no inline scripts anywhere, so the CSP stays strict.
document.addEventListener("change", (event) => {
  const target = event.target;
  if (target.matches("select[data-autosubmit]")) {
    target.form.requestSubmit();
  }
});

document.addEventListener("click", (event) => {
  const toggle = event.target.closest("[data-toggle]");
  if (!toggle) return;
  const panel = document.getElementById(toggle.dataset.toggle);
  const open = panel.classList.toggle("open");
  toggle.setAttribute("aria-expanded", String(open));
});

// A keyboard-wedge scanner types fast and ends with Enter; keep focus on the scan box
// when the page has nothing else focused, so a scan is never typed into the void.
document.addEventListener("keydown", (event) => {
  if (document.activeElement && document.activeElement !== document.body) return;
  if (event.ctrlKey || event.metaKey || event.altKey || event.key.length !== 1) return;
  const box = document.getElementById("scan-input");
  if (box) box.focus();
});
