// Workflow editor: show only the inputs of the chosen trigger and of each action's type, and add, remove
// and reorder action rows (a hidden template row is cloned; SortableJS drags by the handle). Without this
// script every input is shown and the server reads only those of the chosen types.
(function () {
  "use strict";
  var trigger = document.getElementById("trigger_type");
  var list = document.getElementById("actions");
  var template = document.getElementById("action-template");
  if (!trigger || !list) { return; }

  function showTrigger() {
    document.querySelectorAll(".wf-trigger").forEach(function (set) {
      set.hidden = set.dataset.trigger !== trigger.value;
    });
  }
  function showRow(row) {
    var type = row.querySelector(".wf-type").value;
    row.dataset.type = type;
    row.querySelectorAll(".wf-for").forEach(function (input) {
      input.hidden = input.dataset.types.split(" ").indexOf(type) < 0;
    });
  }
  function number() {
    list.querySelectorAll(".wf-action").forEach(function (row, i) {
      row.querySelector(".wf-number").textContent = String(i + 1);
    });
  }
  function wire(row) {
    showRow(row);
    row.querySelector(".wf-type").addEventListener("change", function () { showRow(row); });
    row.querySelector(".wf-remove").addEventListener("click", function () { row.remove(); number(); });
    row.querySelector(".wf-up").addEventListener("click", function () {
      if (row.previousElementSibling) { list.insertBefore(row, row.previousElementSibling); number(); }
    });
    row.querySelector(".wf-down").addEventListener("click", function () {
      if (row.nextElementSibling) { list.insertBefore(row.nextElementSibling, row); number(); }
    });
  }
  trigger.addEventListener("change", showTrigger);
  showTrigger();
  list.querySelectorAll(".wf-action").forEach(wire);
  number();
  document.getElementById("add-action").addEventListener("click", function () {
    var row = template.content.firstElementChild.cloneNode(true);
    list.appendChild(row);
    wire(row);
    number();
    row.querySelector(".wf-type").focus();
  });
  if (typeof Sortable !== "undefined") {
    Sortable.create(list, { handle: ".wf-handle", animation: 120, onEnd: number });
  }
})();
