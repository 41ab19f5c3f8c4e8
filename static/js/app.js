// Small behaviours shared by all pages. A static file, never inline: the
// Content-Security-Policy refuses inline scripts and on…= handlers.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-print]");
  if (button) window.print();
});

// A table wider than the screen scrolls inside its .table-scroll box. Such a box must be
// reachable by keyboard (WCAG 2.1.1): it gets a tab stop and a name (the table's caption
// or the heading before it) only while it actually scrolls.
function markScrollingTables(root) {
  (root || document).querySelectorAll(".table-scroll").forEach((box) => {
    const scrolls = box.scrollWidth > box.clientWidth + 1;
    if (scrolls && !box.hasAttribute("tabindex")) {
      const caption = box.querySelector("caption");
      let heading = box.previousElementSibling;
      while (heading && !/^H[1-6]$/.test(heading.tagName)) heading = heading.previousElementSibling;
      const name = (caption || heading || box.querySelector("th") || box).textContent.trim();
      box.setAttribute("tabindex", "0");
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", name.slice(0, 120));
      box.dataset.scrollMarked = "1";
    } else if (!scrolls && box.dataset.scrollMarked) {
      box.removeAttribute("tabindex");
      box.removeAttribute("role");
      box.removeAttribute("aria-label");
      delete box.dataset.scrollMarked;
    }
  });
}
if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", () => markScrollingTables());
} else {
  markScrollingTables();
}
window.addEventListener("resize", () => markScrollingTables());
document.addEventListener("htmx:afterSettle", (event) => markScrollingTables(event.target));
