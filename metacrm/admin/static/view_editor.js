// List view editor: drag columns into order (SortableJS) and offer only the operators that fit the
// chosen field's type (the server checks the result with the list's own query parser either way).
(function () {
  "use strict";
  var columns = document.getElementById("view-columns");
  if (columns && typeof Sortable !== "undefined") { Sortable.create(columns, { animation: 120 }); }
  function fit(row) {
    var field = row.querySelector(".filter-field"), op = row.querySelector(".filter-op");
    var chosen = field.options[field.selectedIndex];
    var allowed = (chosen && chosen.dataset.operators || "").split(",").filter(Boolean);
    Array.prototype.forEach.call(op.options, function (o) {
      o.hidden = allowed.length > 0 && allowed.indexOf(o.value) < 0 && o.value !== "eq";
    });
    if (op.selectedOptions[0] && op.selectedOptions[0].hidden) { op.value = "eq"; }
  }
  document.querySelectorAll(".filter-row").forEach(function (row) {
    fit(row);
    row.querySelector(".filter-field").addEventListener("change", function () { fit(row); });
  });
})();
