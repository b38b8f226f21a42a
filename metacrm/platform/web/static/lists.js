// List pages: row selection for bulk actions. Sorting, filtering and paging are plain links and
// htmx requests (see templates/web/lists/_results.html); this only keeps the selection UI honest.
(function () {
  "use strict";
  function refresh() {
    var rows = document.querySelectorAll("#list-results .js-row");
    var checked = document.querySelectorAll("#list-results .js-row:checked");
    var bar = document.getElementById("bulk-bar");
    var all = document.querySelector("#list-results .js-select-all");
    document.querySelectorAll(".js-selected-count").forEach(function (el) { el.textContent = checked.length; });
    if (bar) { bar.hidden = checked.length === 0; bar.classList.toggle("d-flex", checked.length > 0); }
    if (all) {
      all.checked = rows.length > 0 && checked.length === rows.length;
      all.indeterminate = checked.length > 0 && checked.length < rows.length;
    }
  }
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.classList.contains("js-select-all")) {
      document.querySelectorAll("#list-results .js-row").forEach(function (box) { box.checked = target.checked; });
    }
    if (target.classList.contains("js-select-all") || target.classList.contains("js-row")) { refresh(); }
  });
  document.addEventListener("htmx:afterSettle", refresh);
  document.addEventListener("DOMContentLoaded", refresh);
})();
