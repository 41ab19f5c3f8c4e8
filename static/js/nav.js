// Grouped main navigation: the groups are <details> elements, so they open without
// JavaScript. This only adds what a menu is expected to do: one group open at a time,
// Escape closes it (focus back on its summary), a click elsewhere closes it.
(function () {
  "use strict";
  function groups() { return document.querySelectorAll(".nav-group details"); }
  document.addEventListener("toggle", function (event) {
    var opened = event.target;
    if (!opened.open || !opened.closest || !opened.closest(".nav-group")) return;
    groups().forEach(function (other) { if (other !== opened) other.open = false; });
  }, true);
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    groups().forEach(function (group) {
      if (group.open) { group.open = false; group.querySelector("summary").focus(); }
    });
  });
  document.addEventListener("click", function (event) {
    groups().forEach(function (group) { if (!group.contains(event.target)) group.open = false; });
  });
})();
