// Small behaviours shared by all pages. A static file, never inline: the
// Content-Security-Policy refuses inline scripts and on…= handlers.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-print]");
  if (button) window.print();
});
