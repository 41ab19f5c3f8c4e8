// Drag and drop on the results board: dropping a card on a column clicks the card's
// matching status button, so the same htmx request (and the same server checks) run
// as with the buttons. Without JavaScript the buttons work as plain forms.
(function () {
  function live(text) {
    var region = document.getElementById("board-live");
    if (region) { region.textContent = text; }
  }
  document.addEventListener("dragstart", function (event) {
    var card = event.target.closest && event.target.closest("[data-outcome]");
    if (card) { event.dataTransfer.setData("text/plain", card.id); event.dataTransfer.effectAllowed = "move"; }
  });
  document.addEventListener("dragover", function (event) {
    var column = event.target.closest && event.target.closest("[data-column]");
    if (column) { event.preventDefault(); column.classList.add("drop-target"); }
  });
  document.addEventListener("dragleave", function (event) {
    var column = event.target.closest && event.target.closest("[data-column]");
    if (column) { column.classList.remove("drop-target"); }
  });
  document.addEventListener("drop", function (event) {
    var column = event.target.closest && event.target.closest("[data-column]");
    if (!column) { return; }
    event.preventDefault();
    column.classList.remove("drop-target");
    var card = document.getElementById(event.dataTransfer.getData("text/plain"));
    if (!card || card.closest("[data-column]") === column) { return; }
    var button = card.querySelector('button[data-to="' + column.dataset.column + '"]');
    if (button) { button.click(); }
    else { live(column.dataset.denied || "Dieser Statuswechsel ist nicht erlaubt."); }
  });
})();
